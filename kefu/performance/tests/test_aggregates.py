"""R-KPI-1 daily aggregates (issue 12 "Aggregates"): ``AgentDay`` rows equal a recount from the raw records after
creates, after corrections of a past day (reopen, appeal decision, escalation, callback, handling time) and after a
recompute; a corrected past day is marked stale by the writing service's hook and recomputed; today is refreshed by
the job and by a read once ``performance.aggregate_max_age_seconds`` have passed; reading is a fixed number of
queries whatever the number of agents."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from kefu.performance import aggregates, kpi
from kefu.performance.models import AgentDay, KpiDay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 8)
YESTERDAY = TODAY - dt.timedelta(days=1)
LEVELS = ("agent", "team", "shop")


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY, 15), tick=False) as t:
        yield t


def _ticket(demo, who, *, day, type_="consultation", seconds=600, due_h=2, shop="tmall", resolved=True):
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket

    t = tickets.create_ticket(actor=demo.users[who], shop=demo.shops[shop], type=type_, channel="hotline",
                              title=who)
    values = {"created_at": at(day, 9)}
    if resolved:
        values |= {"status": "resolved", "resolved_at": at(day, 11), "handling_seconds": seconds,
                   "resolution_due": at(day, 11 + due_h)}
    Ticket.objects.filter(pk=t.pk).update(**values)
    return Ticket.objects.get(pk=t.pk)


@pytest.fixture
def records(demo):
    """Two days of work for agent1, agent2 (一班) and agent4 (二班) in two shops: tickets of three types, one late,
    a callback made and one not, a QA review, a follow-up on time and one late, a violation."""
    from kefu.customers.models import Customer, FollowUp
    from kefu.quality.models import Review
    from kefu.quality.selectors import default_scorecard
    from kefu.tickets.models import Callback
    from kefu.workforce.models import Violation

    u = demo.users
    made = {}
    for day in (YESTERDAY, TODAY):
        made[day, "a1"] = _ticket(demo, "agent1", day=day)
        made[day, "a1q"] = _ticket(demo, "agent1", day=day, type_="query", due_h=-1)
        made[day, "a1c"] = _ticket(demo, "agent1", day=day, type_="complaint", shop="jd", seconds=0)
        made[day, "a2"] = _ticket(demo, "agent2", day=day, resolved=False)
        made[day, "a4"] = _ticket(demo, "agent4", day=day, seconds=90, shop="jd")
        Callback.objects.create(ticket=made[day, "a1c"], due=at(day, 13), created_at=at(day, 11),
                                done_at=at(day, 12), satisfaction=4)
        Callback.objects.create(ticket=made[day, "a1q"], due=at(day, 14), created_at=at(day, 11))
    Review.objects.create(centre=demo.centre, ticket=made[YESTERDAY, "a1"], agent=u["agent1"], team=u["agent1"].team,
                          inspector=u["qa1"], scorecard=default_scorecard(), score=70, original_score=70,
                          created_at=at(YESTERDAY, 16))
    customer = Customer.objects.filter(shop=demo.shops["tmall"]).first() or \
        Customer.objects.create(shop=demo.shops["tmall"], name="王芳", next_due=TODAY)
    for day, due in ((YESTERDAY, YESTERDAY), (TODAY, YESTERDAY), (TODAY, None)):
        FollowUp.objects.create(customer=customer, agent=u["agent2"], at=at(day, 10), method="phone",
                                content="回访", grade_before="B", grade_after="B", next_due_after=TODAY, was_due=due)
    Violation.objects.create(person=u["agent4"], kind="late", rule="R-WFM-5", evidence="迟到", at=at(YESTERDAY, 9))
    return made


def _as_dicts(rows):
    return {r.key: (r.as_dict(), r.extra["contacts_by_type"]) for r in rows}


def assert_equal_to_recount(user, date_from=YESTERDAY, date_to=TODAY):
    for level in LEVELS:
        read = kpi.compute(user, level=level, date_from=date_from, date_to=date_to)
        recount = kpi.compute(user, level=level, date_from=date_from, date_to=date_to, recount=True)
        assert _as_dicts(read) == _as_dicts(recount), level


def stored_rows(day):
    names = ("day", "agent_id", "shop_id", *kpi.COUNTERS)
    return sorted((tuple(r[n] for n in names) for r in AgentDay.objects.filter(day=day).values(*names)), key=_key)


def recounted_rows(day):
    start, end = kpi.bounds(day, day)
    rows = aggregates.stored(kpi.measure(start, end))
    return sorted(((d, a, s, *(c[n] for n in kpi.COUNTERS)) for (d, a, s), c in rows.items()), key=_key)


def _key(row):
    return tuple(-1 if v is None else v for v in row)


def test_r_kpi_1_aggregates_equal_a_recount_after_creates(demo, records):
    head = demo.users["head1"]
    assert_equal_to_recount(head)
    for day in (YESTERDAY, TODAY):
        assert stored_rows(day) == recounted_rows(day) != []
    a1 = {r.key: r for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)}["agent1"]
    assert a1.handled == 3 and a1.sla_rate == pytest.approx(2 / 3, abs=1e-4) and a1.aht_seconds == 600
    assert a1.callback_rate == 0.5 and a1.csat == 4.0 and a1.qa_score == 70.0
    assert a1.extra["contacts_by_type"] == {"consultation": 1, "query": 1, "other": 1, "proactive": 0}
    assert a1.extra["as_of"] == at(TODAY, 15)
    shop = {r.key: r for r in kpi.compute(head, level="shop", date_from=YESTERDAY, date_to=TODAY)}
    assert shop["jd"].handled == 4 and shop["jd"].violations is None


def test_r_kpi_1_a_reopened_ticket_of_yesterday_marks_the_day_stale_and_is_recounted(
        demo, records, django_capture_on_commit_callbacks):
    from kefu.tickets import services as tickets

    head = demo.users["head1"]
    before = {r.key: r for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)}
    assert not KpiDay.objects.get(day=YESTERDAY).stale
    ticket = records[YESTERDAY, "a1"]
    with django_capture_on_commit_callbacks(execute=True):
        tickets.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    assert KpiDay.objects.get(day=YESTERDAY).stale
    after = {r.key: r for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)}
    assert after["agent1"].handled == before["agent1"].handled - 1
    assert not KpiDay.objects.get(day=YESTERDAY).stale
    assert stored_rows(YESTERDAY) == recounted_rows(YESTERDAY)
    assert_equal_to_recount(head)


def test_r_kpi_1_escalating_a_ticket_resolved_yesterday_changes_that_days_fcr(
        demo, records, django_capture_on_commit_callbacks):
    from kefu.tickets import services as tickets

    head = demo.users["head1"]
    kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=TODAY)
    fcr = {r.key: r.fcr_rate for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)}
    assert fcr["agent4"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        tickets.escalate(actor=demo.users["agent4"], ticket_id=records[YESTERDAY, "a4"].pk, reason="客户要求主管回电")
    assert KpiDay.objects.get(day=YESTERDAY).stale
    fcr = {r.key: r.fcr_rate for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)}
    assert fcr["agent4"] == 0
    assert_equal_to_recount(head)


def test_r_kpi_1_an_upheld_appeal_changes_the_qa_score_of_the_reviews_day(
        demo, records, django_capture_on_commit_callbacks):
    from kefu.quality import services as quality
    from kefu.quality.models import Review

    head = demo.users["head1"]
    assert kpi.compute(head, level="team", date_from=YESTERDAY, date_to=YESTERDAY)[0].qa_score is not None
    review = Review.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = quality.appeal_review(actor=demo.users["agent1"], review_id=review.pk, reason="评分有误")
        quality.decide_appeal(actor=head, appeal_id=appeal.pk, upheld=True, note="复核后改为 90 分", score=90)
    assert KpiDay.objects.get(day=YESTERDAY).stale
    rows = {r.key: r for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=TODAY)}
    assert rows["agent1"].qa_score == 90.0
    assert_equal_to_recount(head)


def test_r_kpi_1_a_callback_made_today_for_yesterdays_due_and_a_handling_time_correction(
        demo, records, clock, django_capture_on_commit_callbacks):
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Callback, Ticket

    head = demo.users["head1"]
    kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=TODAY)
    ticket = records[YESTERDAY, "a1q"]
    Ticket.objects.filter(pk=ticket.pk).update(type="complaint")
    with django_capture_on_commit_callbacks(execute=True):
        tickets.record_callback(actor=demo.users["agent1"], ticket_id=ticket.pk, satisfaction=5, solved=True)
    assert Callback.objects.filter(ticket=ticket, done_at__isnull=False).exists()
    KpiDay.objects.filter(day=YESTERDAY).update(stale=False)  # the type changed by hand above: not a service
    with django_capture_on_commit_callbacks(execute=True):
        tickets.add_handling_time(actor=demo.users["agent1"], ticket_id=records[YESTERDAY, "a1"].pk, seconds=300)
    assert KpiDay.objects.get(day=YESTERDAY).stale
    clock.shift(dt.timedelta(seconds=61))  # today's CSAT (the callback made now) comes in with the max age
    assert_equal_to_recount(head)
    a1 = {r.key: r for r in kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)}["agent1"]
    assert a1.callback_rate == 1.0 and a1.aht_seconds == 750  # (900 + 600) / 2: the complaint had none


def test_r_kpi_1_a_correction_without_a_hook_is_caught_by_a_recompute(demo, records):
    from kefu.tickets.models import Ticket

    head = demo.users["head1"]
    kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=TODAY)
    Ticket.objects.filter(pk=records[YESTERDAY, "a4"].pk).update(handling_seconds=30)  # behind the services' back
    assert stored_rows(YESTERDAY) != recounted_rows(YESTERDAY)
    aggregates.refresh_days([YESTERDAY])
    assert stored_rows(YESTERDAY) == recounted_rows(YESTERDAY)
    assert_equal_to_recount(head)


def test_r_kpi_1_mark_stale_skips_today_and_empty_times(demo):
    assert aggregates.mark_stale(at=[None, at(TODAY, 9), TODAY]) == 0
    assert not KpiDay.objects.exists()
    assert aggregates.mark_stale(at=[at(YESTERDAY, 23, 59), YESTERDAY, dt.date(2026, 11, 30)]) == 2
    assert set(KpiDay.objects.filter(stale=True).values_list("day", flat=True)) == {YESTERDAY, dt.date(2026, 11, 30)}


def test_r_kpi_1_today_is_refreshed_by_the_job(demo, records, clock):
    from kefu.performance.tasks import refresh_kpi

    head = demo.users["head1"]
    kpi.compute(head, level="agent", date_from=YESTERDAY, date_to=YESTERDAY)
    handled = {r.key: r.handled for r in kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)}
    _ticket(demo, "agent2", day=TODAY)
    clock.shift(dt.timedelta(seconds=30))
    # within the max age a read does not recompute: the new ticket is not in yet
    assert {r.key: r.handled for r in kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)} == handled
    assert refresh_kpi.call_local() == 1  # today only: yesterday was computed after it ended
    assert {r.key: r.handled for r in kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)}["agent2"] \
        == handled["agent2"] + 1
    assert KpiDay.objects.get(day=TODAY).computed_at == at(TODAY, 15, 0) + dt.timedelta(seconds=30)


def test_r_kpi_1_the_job_after_midnight_refreshes_yesterday_and_the_stale_days(demo, records, clock):
    kpi.compute(demo.users["head1"], level="agent", date_from=YESTERDAY, date_to=TODAY)
    aggregates.mark_stale(at=[YESTERDAY])
    clock.move_to(at(TODAY + dt.timedelta(days=1), 0, 2))
    assert aggregates.refresh_current() == [YESTERDAY, TODAY, TODAY + dt.timedelta(days=1)]
    clock.move_to(at(TODAY + dt.timedelta(days=1), 0, 10))
    assert aggregates.refresh_current() == [TODAY, TODAY + dt.timedelta(days=1)]  # the day is over and counted
    clock.move_to(at(TODAY + dt.timedelta(days=1), 0, 11))
    assert aggregates.refresh_current() == [TODAY + dt.timedelta(days=1)]


@pytest.mark.parametrize("age,refreshed", [(60, False), (61, True)])
def test_r_kpi_1_a_read_recomputes_today_after_the_max_age_setting(demo, records, clock, age, refreshed):
    head = demo.users["head1"]
    kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)
    _ticket(demo, "agent2", day=TODAY)
    clock.shift(dt.timedelta(seconds=age))
    rows = {r.key: r for r in kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)}
    assert (rows["agent2"].handled == 1) is refreshed
    assert rows["agent2"].extra["as_of"] == (at(TODAY, 15) + dt.timedelta(seconds=age) if refreshed else at(TODAY, 15))


def test_r_kpi_1_the_max_age_is_a_rule_setting(demo, records, clock):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key=aggregates.MAX_AGE, value=300, version=0)
    head = demo.users["head1"]
    kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)
    _ticket(demo, "agent2", day=TODAY)
    clock.shift(dt.timedelta(seconds=120))
    assert {r.key: r.handled for r in kpi.compute(head, level="agent", date_from=TODAY, date_to=TODAY)}["agent2"] == 0


def test_r_kpi_1_reading_aggregates_is_a_fixed_number_of_queries(demo, records, django_assert_num_queries):
    from kefu.org.models import User

    head = demo.users["director1"]
    for level in LEVELS:
        kpi.compute(head, level=level, date_from=YESTERDAY, date_to=TODAY)
    counts = {}
    for level in LEVELS:
        with django_assert_num_queries(counts.setdefault(level, _count(head, level))):
            kpi.compute(head, level=level, date_from=YESTERDAY, date_to=TODAY)
    more = [u for u in User.objects.filter(roles__role="agent").distinct() if u.username not in {"agent1", "agent2"}]
    for who in more[:6]:
        _ticket(demo, who.username, day=YESTERDAY, shop="jd")
    aggregates.refresh_days([YESTERDAY])
    for level in LEVELS:
        with django_assert_num_queries(counts[level]):
            kpi.compute(head, level=level, date_from=YESTERDAY, date_to=TODAY)


def _count(user, level):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        kpi.compute(user, level=level, date_from=YESTERDAY, date_to=TODAY)
    return len(ctx.captured_queries)


def test_r_kpi_1_days_after_today_have_no_aggregates(demo, records):
    kpi.compute(demo.users["head1"], level="agent", date_from=TODAY, date_to=TODAY + dt.timedelta(days=5))
    assert not KpiDay.objects.filter(day__gt=TODAY).exists()
    assert kpi.compute(demo.users["head1"], level="agent", date_from=TODAY + dt.timedelta(days=1),
                       date_to=TODAY + dt.timedelta(days=2))[0].extra["as_of"] is None


def test_kpi_rebuild_fills_a_period_with_progress(demo, records):
    out = StringIO()
    call_command("kpi_rebuild", "--from", YESTERDAY.isoformat(), "--to", TODAY.isoformat(), "--chunk", "1", stdout=out)
    assert "2/2" in out.getvalue()
    assert set(KpiDay.objects.filter(stale=False).values_list("day", flat=True)) == {YESTERDAY, TODAY}
    assert stored_rows(YESTERDAY) == recounted_rows(YESTERDAY)


def test_kpi_rebuild_bad_dates_say_which(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--to"):
        call_command("kpi_rebuild", "--from", TODAY.isoformat(), "--to", YESTERDAY.isoformat(), stdout=StringIO())


def test_the_kpi_page_says_as_of_when(demo, records, clients):
    page = clients("head").get("/performance/kpi/?date_from=2026-12-07&date_to=2026-12-08")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="kpi-as-of"' in html and "15:00" in html
    assert 'data-kpi="contacts"' in html


def test_a_refresh_that_waited_for_another_leaves_the_day_it_computed(demo, records, clock):
    looked = at(TODAY, 15)
    assert aggregates.refresh_days([TODAY]) > 0  # another reader's refresh, finished while this one waited
    assert aggregates.refresh_days([TODAY], unless_since=looked) == 0
    aggregates.mark_stale(at=[YESTERDAY])
    assert aggregates.refresh_days([YESTERDAY], unless_since=looked) > 0  # stale: done again


def test_the_whole_day_row_of_an_agent_is_the_sum_of_their_shop_rows_and_person_records(demo, records):
    aggregates.refresh_days([YESTERDAY])
    agent1 = AgentDay.objects.filter(day=YESTERDAY, agent=demo.users["agent1"])
    whole = agent1.get(shop__isnull=True)
    assert agent1.filter(shop__isnull=False).count() == 2  # tmall and jd
    assert whole.resolved == sum(agent1.filter(shop__isnull=False).values_list("resolved", flat=True)) == 3
    agent2 = AgentDay.objects.get(day=YESTERDAY, agent=demo.users["agent2"], shop__isnull=True)
    assert (agent2.contacts_proactive, agent2.followups_due, agent2.followups_on_time) == (1, 1, 1)
