"""R-TIC-4 time limits on the business calendar (R-CAL): weekends, national holidays, 调休 Saturdays,
7×24, pause while waiting on the customer; the warning and breach job (R-TIC-6 automatic escalation)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kefu.tickets import jobs, services, sla
from kefu.tickets.models import Escalation, SlaPolicy, Ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SH)


def due_times(demo, created, *, priority, type="consultation"):  # noqa: A002
    ticket = Ticket(type=type, priority=priority, created_at=created, shop=demo.shops["tmall"])
    sla.set_due_times(ticket, centre_id=demo.centre.pk)
    return ticket


def test_r_tic_4_across_a_weekend(demo):
    t = due_times(demo, at(2026, 11, 20, 17), priority="urgent")  # Friday 17:00; 30 min / 4 h
    assert t.first_response_due == at(2026, 11, 20, 17, 30)
    assert t.resolution_due == at(2026, 11, 23, 12)  # 1 h on Friday, 3 h Monday morning


def test_r_tic_4_across_national_day_and_the_lunch_break(demo):
    t = due_times(demo, at(2026, 9, 30, 17), priority="high")  # 60 min / 8 h
    assert t.first_response_due == at(2026, 9, 30, 18)
    # 1 h on 9-30, 1–7 October are holidays, then 09:00–12:00 and 13:30–17:30 on 10-08
    assert t.resolution_due == at(2026, 10, 8, 17, 30)


def test_r_tic_4_an_adjusted_working_saturday_counts(demo):
    t = due_times(demo, at(2026, 10, 9, 17), priority="normal")  # 16 h
    # 1 h Friday, 7.5 h on Saturday 10-10 (调休), Sunday off, 7.5 h Monday
    assert t.resolution_due == at(2026, 10, 12, 18)


def test_r_tic_4_warning_at_80_percent(demo):
    t = due_times(demo, at(2026, 11, 23, 9), priority="normal")
    # 80 % of 16 h = 12 h 48 min: 7.5 h Monday, 5 h 18 min Tuesday → 9:00–12:00, 13:30–15:48
    assert t.resolution_warn_at == at(2026, 11, 24, 15, 48)


def test_r_tic_4_seven_by_twenty_four(demo):
    SlaPolicy.objects.create(centre=demo.centre, type="fault", priority="high", first_response_minutes=15,
                             resolution_minutes=8 * 60, calendar="24x7")
    t = due_times(demo, at(2026, 9, 30, 17), priority="high", type="fault")
    assert t.first_response_due == at(2026, 9, 30, 17, 15)
    assert t.resolution_due == at(2026, 10, 1, 1)


def test_r_tic_4_a_changed_time_limit_applies_to_the_next_ticket_at_once(demo, django_assert_num_queries):
    sla.limits_for(centre_id=demo.centre.pk, type="fault", priority="high")
    with django_assert_num_queries(0):  # the centre's time limits are read once, then from the cache
        sla.limits_for(centre_id=demo.centre.pk, type="fault", priority="high")
    policy = SlaPolicy.objects.create(centre=demo.centre, type="fault", priority="high", first_response_minutes=15,
                                      resolution_minutes=8 * 60, calendar="24x7")
    assert due_times(demo, at(2026, 9, 30, 17), priority="high", type="fault").resolution_due == at(2026, 10, 1, 1)
    policy.resolution_minutes = 4 * 60
    policy.save()  # as the admin page does
    assert due_times(demo, at(2026, 9, 30, 17), priority="high", type="fault").resolution_due == at(2026, 9, 30, 21)
    policy.delete()
    assert sla.limits_for(centre_id=demo.centre.pk, type="fault", priority="high").calendar == "business"


@pytest.mark.django_db(transaction=True)  # committed writes: the cache itself is read, not bypassed
def test_r_tic_4_a_time_limit_moved_to_another_centre_leaves_the_first_one(demo):
    from kefu.org.models import Centre

    policy = SlaPolicy.objects.create(centre=demo.centre, type="fault", priority="high", first_response_minutes=15,
                                      resolution_minutes=8 * 60, calendar="24x7")
    assert sla.limits_for(centre_id=demo.centre.pk, type="fault", priority="high").calendar == "24x7"
    other = Centre.objects.create(name="第二中心")
    policy.centre = other
    policy.save()
    assert sla.limits_for(centre_id=demo.centre.pk, type="fault", priority="high").calendar == "business"
    assert sla.limits_for(centre_id=other.pk, type="fault", priority="high").calendar == "24x7"


def test_r_tic_4_an_administrators_2027_holiday_counts(demo):
    from kefu.bizcalendar.services import set_day

    set_day(actor=demo.users["admin"], date=dt.date(2027, 1, 4), kind="holiday", name="公司假日")
    t = due_times(demo, at(2027, 1, 1, 17), priority="urgent")  # Friday; Monday 1-4 a company holiday
    assert t.resolution_due == at(2027, 1, 5, 12)


def test_r_tic_4_waiting_on_the_customer_pauses_the_clock(demo):
    ticket = due_times(demo, at(2026, 11, 23, 9), priority="normal")
    assert ticket.resolution_due == at(2026, 11, 25, 10)
    paused = sla.shift_for_pause(ticket, paused_from=at(2026, 11, 23, 10), resumed_at=at(2026, 11, 24, 10),
                                 centre_id=demo.centre.pk)
    assert paused == dt.timedelta(hours=7, minutes=30)
    assert ticket.resolution_due == at(2026, 11, 26, 10)


def test_r_tic_4_waiting_on_customer_through_the_service_pauses_and_resumes(demo, make_ticket):
    ticket = make_ticket(priority="normal")
    agent = demo.users["agent1"]
    ticket = services.transition(actor=agent, ticket_id=ticket.pk, to="waiting", version=ticket.version,
                                 waiting_on="customer")
    assert ticket.paused_at is not None
    due_before = ticket.resolution_due
    Ticket.objects.filter(pk=ticket.pk).update(paused_at=ticket.paused_at - dt.timedelta(days=3))
    ticket.refresh_from_db()
    ticket = services.transition(actor=agent, ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    assert ticket.paused_at is None
    assert ticket.resolution_due > due_before


def test_r_tic_4_the_job_warns_at_80_percent_and_breaches_at_100(demo, make_ticket):
    ticket = make_ticket(priority="normal")
    agent = demo.users["agent1"]
    ticket = services.transition(actor=agent, ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    warn, due = ticket.resolution_warn_at, ticket.resolution_due
    assert jobs.scan_sla(now=warn - dt.timedelta(seconds=1))["warning"] == 0
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "ok"
    assert jobs.scan_sla(now=warn)["warning"] == 1
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "warning"
    assert jobs.scan_sla(now=warn)["warning"] == 0  # idempotent
    counts = jobs.scan_sla(now=due)
    assert counts["breached"] == 1 and counts["escalated"] == 1
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached" and ticket.escalation_level == "lead"
    esc = Escalation.objects.get(ticket=ticket)
    assert esc.automatic and esc.from_level == "agent" and esc.to_level == "lead"
    assert jobs.scan_sla(now=due + dt.timedelta(hours=5)) == {"warning": 0, "breached": 0, "escalated": 0}


def test_r_tic_4_a_paused_ticket_is_not_breached(demo, make_ticket):
    ticket = make_ticket(priority="urgent")
    ticket = services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="waiting",
                                 version=ticket.version, waiting_on="customer")
    assert jobs.scan_sla(now=ticket.resolution_due + dt.timedelta(days=2))["breached"] == 0
