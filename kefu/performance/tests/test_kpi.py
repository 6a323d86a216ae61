"""R-KPI-1 KPI per agent, team and shop against a hand-computed fixture; nothing to divide → None."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core.errors import InvalidInput, NotAllowed
from kefu.performance import kpi

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(DAY, 20), tick=False) as t:
        yield t


@pytest.fixture
def fixture(demo):
    """agent1: four tickets resolved today —
    T1 600 s, on time, clean;  T2 1200 s, late, escalated;  T3 300 s, on time, reopened once;
    T4 900 s, no time limit, handed to 物流部.  One open ticket.  agent4 (二班): one clean ticket, 60 s.
    Callbacks due today on agent1's tickets: 3, made 2 (satisfaction 5 and 3).  One violation for agent1."""
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Callback, DepartmentTask, Escalation, Ticket, TicketEvent
    from kefu.workforce.models import Violation

    def make(who, seconds, *, due_offset_h=None, resolved_h=15):
        t = tickets.create_ticket(actor=demo.users[who], shop=demo.shops["tmall"], type="consultation",
                                  channel="hotline", title="咨询")
        Ticket.objects.filter(pk=t.pk).update(
            status="resolved", resolved_at=at(DAY, resolved_h), handling_seconds=seconds,
            resolution_due=None if due_offset_h is None else at(DAY, resolved_h) + dt.timedelta(hours=due_offset_h))
        return Ticket.objects.get(pk=t.pk)

    t1 = make("agent1", 600, due_offset_h=1)
    t2 = make("agent1", 1200, due_offset_h=-1)
    t3 = make("agent1", 300, due_offset_h=0)  # resolved exactly at the limit: on time
    t4 = make("agent1", 900)
    tickets.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="consultation",
                          channel="hotline", title="open")
    make("agent4", 60, due_offset_h=2)
    Escalation.objects.create(ticket=t2, from_level="agent", to_level="lead", reason="x", at=at(DAY, 12))
    TicketEvent.objects.create(ticket=t3, at=at(DAY, 13), kind="transition",
                               data={"from": "resolved", "to": "in_progress"})
    DepartmentTask.objects.create(ticket=t4, department=demo.departments["物流部"], note="查件", due=at(DAY, 18),
                                  created_by=demo.users["agent1"], created_at=at(DAY, 11))
    for ticket, done, satisfaction in ((t1, True, 5), (t2, True, 3), (t3, False, None)):
        Callback.objects.create(ticket=ticket, due=at(DAY, 17), created_at=at(DAY, 15), assigned_to=demo.users["agent1"],
                                done_at=at(DAY, 16) if done else None, satisfaction=satisfaction)
    Violation.objects.create(person=demo.users["agent1"], kind="late", rule="R-WFM-5", evidence="迟到 25 分钟",
                             at=at(DAY, 9))
    return demo


def rows(user, level="agent"):
    return {r.key: r for r in kpi.compute(user, level=level, date_from=DAY, date_to=DAY)}


def test_r_kpi_1_agent_figures_against_the_hand_computed_fixture(fixture):
    r = rows(fixture.users["head1"])["agent1"]
    assert r.handled == 4
    assert r.fcr_rate == 0.25  # only T1: T2 escalated, T3 reopened, T4 handed over
    assert r.aht_seconds == 750  # (600 + 1200 + 300 + 900) / 4
    assert r.sla_rate == pytest.approx(2 / 3, abs=1e-4)  # T1 and T3 of the three with a limit
    assert r.callback_rate == pytest.approx(2 / 3, abs=1e-4)
    assert r.csat == 4.0
    assert r.violations == 1
    assert r.qa_score is None and r.followups_on_time_rate is None  # nothing to divide: empty, not 0


def test_r_kpi_1_nothing_to_divide_is_none_never_zero(fixture):
    r = rows(fixture.users["head1"])["agent2"]
    assert r.handled == 0
    assert (r.fcr_rate, r.aht_seconds, r.sla_rate, r.callback_rate, r.csat) == (None, None, None, None, None)
    assert r.violations == 0 and r.assessment_score is None


def test_team_and_shop_levels(fixture):
    teams = rows(fixture.users["director1"], "team")
    assert teams["一班"].handled == 4 and teams["二班"].handled == 1 and teams["二班"].fcr_rate == 1
    shops = rows(fixture.users["director1"], "shop")
    assert shops["tmall"].handled == 5 and shops["tmall"].violations is None


def test_the_assessment_score_is_the_weighted_mean_of_what_has_a_value(fixture):
    r = rows(fixture.users["head1"])["agent1"]
    # fcr 25 × 20, sla 66.67 × 20, csat (4 − 1) / 4 × 100 = 75 × 20, discipline 100 − 25 = 75 × 10; qa has none
    expected = (25 * 20 + 200 / 3 * 20 + 75 * 20 + 75 * 10) / 70
    assert r.assessment_score == round(expected, 1)


def test_targets_colour_green_amber_red():
    assert kpi.status("sla_rate", 0.90) == "green"
    assert kpi.status("sla_rate", 0.80) == "amber"  # 10 points under the target of 90: the margin
    assert kpi.status("sla_rate", 0.799) == "red"
    assert kpi.status("sla_rate", None) is None and kpi.status("handled", 3) is None


def test_scope_an_agent_sees_only_their_own_kpi(fixture):
    assert list(rows(fixture.users["agent1"])) == ["agent1"]
    assert set(rows(fixture.users["lead1"])) == {"agent1", "agent2", "agent3", "lead1"}
    with pytest.raises(NotAllowed):
        kpi.compute(fixture.users["agent1"], level="team", date_from=DAY, date_to=DAY)


def test_bad_filters_name_the_field(demo):
    with pytest.raises(InvalidInput) as exc:
        kpi.compute(demo.users["head1"], level="galaxy", date_from=DAY, date_to=DAY - dt.timedelta(days=1))
    assert {e.field for e in exc.value.errors} == {"level", "date_to"}


def test_the_kpi_api_matches_api_md(fixture, clients):
    got = clients("head").get("/api/v1/kpi?level=agent&date_from=2026-12-08&date_to=2026-12-08&page_size=50")
    assert got.status_code == 200
    item = next(i for i in got.json()["items"] if i["key"] == "agent1")
    assert set(item) == {"key", "name", "handled", "fcr_rate", "aht_seconds", "sla_rate", "callback_rate", "csat",
                         "qa_score", "followups_on_time_rate", "violations", "assessment_score"}
    assert item["fcr_rate"] == 0.25 and item["qa_score"] is None
    assert clients("agent").get("/api/v1/kpi?level=team").status_code == 403
    assert clients("agent").get("/api/v1/kpi?level=galaxy").status_code == 422


def test_the_kpi_page_and_its_excel(fixture, clients, django_assert_max_num_queries):
    from io import BytesIO

    from openpyxl import load_workbook

    client = clients("head")
    client.get("/performance/kpi/?date_from=2026-12-08&date_to=2026-12-08")
    with django_assert_max_num_queries(25):
        page = client.get("/performance/kpi/?date_from=2026-12-08&date_to=2026-12-08")
    assert page.status_code == 200 and 'data-kpi="fcr_rate">25.0%' in page.content.decode()
    xlsx = client.get("/performance/kpi/?date_from=2026-12-08&date_to=2026-12-08&format=xlsx")
    book = load_workbook(BytesIO(xlsx.content))
    sheet = book["KPI"]
    header = [c.value for c in sheet[1]]
    assert "agent1" in [c.value for c in sheet["A"]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "agent1")
    assert row[header.index(header[3])] == 0.25  # numbers as numbers


def test_reopening_after_the_callback_is_no_first_contact_resolution(fixture):
    from kefu.tickets.models import Ticket, TicketEvent

    t5 = Ticket.objects.filter(owner=fixture.users["agent4"]).get()
    TicketEvent.objects.create(ticket=t5, at=at(DAY, 14), kind="transition",
                               data={"from": "callback_done", "to": "in_progress"})
    assert rows(fixture.users["head1"])["agent4"].fcr_rate == 0


def test_tickets_without_a_recorded_handling_time_are_left_out_of_the_average(fixture):
    from kefu.tickets.models import Ticket

    Ticket.objects.filter(owner=fixture.users["agent4"]).update(handling_seconds=0)
    assert rows(fixture.users["head1"])["agent4"].aht_seconds is None


def test_far_dates_are_field_errors(demo, clients):
    with pytest.raises(InvalidInput) as exc:
        kpi.compute(demo.users["head1"], level="agent", date_from=dt.date(1, 1, 1), date_to=dt.date(9999, 12, 31))
    assert {e.field for e in exc.value.errors} == {"date_from", "date_to"}
    assert clients("head").get("/api/v1/kpi?date_from=0001-01-01").status_code == 422
    assert clients("head").get("/performance/kpi/?date_to=9999-12-31").status_code == 200  # the form says why
