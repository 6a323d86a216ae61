"""Review fixes of the workforce part: each test names the rule at its boundary and failed before its fix."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.workforce import services
from kefu.workforce.models import CalendarFeed
from kefu.workforce.selectors import attendance
from kefu.workforce.tests.conftest import MONDAY, at, call

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


# -- attendance board (R-WFM-5) ------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["0001-01", "0001-12", "9999-01"])
def test_R_WFM_5_board_month_out_of_range_is_a_field_error_not_a_500(demo, clients, bad):
    response = call(clients("lead"), "get", f"/attendance/monthly?month={bad}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "month"
    page = clients("lead").get(f"/workforce/attendance-board/?month={bad}")
    assert page.status_code == 422 and 'data-testid="month-error"' in page.content.decode()


@pytest.mark.parametrize("edge", ["0002-01", "9998-12"])
def test_R_WFM_5_board_extreme_months_still_answer(demo, clients, edge):
    assert call(clients("lead"), "get", f"/attendance/monthly?month={edge}").status_code == 200
    assert clients("lead").get(f"/workforce/attendance-board/?month={edge}").status_code == 200


def test_R_WFM_5_an_early_check_in_does_not_count_before_the_shift_starts(demo, clock, make_shift):
    make_shift("agent1", MONDAY)  # 09:00-18:00
    clock(at(MONDAY, 8, 30))
    services.check_in(actor=demo.users["agent1"])  # half an hour early
    board = attendance.monthly(demo.users["lead1"], demo.teams[0], MONDAY.replace(day=1))
    row = next(r for r in board.rows if r.person == demo.users["agent1"])
    assert (row.shifts, row.due, row.worked) == (1, 0, 0)
    assert row.attendance_rate is None or row.attendance_rate <= 100
    clock(at(MONDAY, 9))  # the shift has started: now it is due and worked
    board = attendance.monthly(demo.users["lead1"], demo.teams[0], MONDAY.replace(day=1))
    row = next(r for r in board.rows if r.person == demo.users["agent1"])
    assert (row.due, row.worked, row.late) == (1, 1, 0)


# -- calendar feed ---------------------------------------------------------------------------------------------

def test_two_tabs_creating_the_feed_at_once_get_the_same_feed(demo, monkeypatch):
    """The second tab read no feed before the first one committed its own: it gets that feed, not a 500."""
    from kefu.workforce.services import feed as feed_services

    agent = demo.users["agent1"]
    first = feed_services.create_feed(actor=agent)
    monkeypatch.setattr(CalendarFeed.objects, "select_for_update", lambda: CalendarFeed.objects.none())
    second = feed_services.create_feed(actor=agent)
    assert second.pk == first.pk and second.token == first.token
    assert CalendarFeed.objects.filter(person=agent).count() == 1


# -- roll call and absences (R-WFM-1, R-WFM-5) ------------------------------------------------------------------

def _approved_leave(demo, person, start, end):
    from kefu.workforce.models import LeaveRequest

    return LeaveRequest.objects.create(person=demo.users[person], kind="personal", start_at=start, end_at=end,
                                       reason="办事", status=LeaveRequest.Status.APPROVED, approver_role="head",
                                       filed_by=demo.users["agent1"])


def _absences(shift):
    from kefu.workforce.models import Violation

    return Violation.objects.filter(shift=shift, kind=Violation.Kind.ABSENCE)


def test_R_WFM_5_a_check_in_recorded_after_the_absence_job_voids_the_absence(demo, clock, make_shift):
    from kefu.audit.models import AuditEvent

    shift = make_shift("agent1", MONDAY)  # 09:00-18:00
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 1 and _absences(shift).count() == 1
    violation_id = _absences(shift).get().pk
    services.record_attendance(actor=demo.users["lead1"], person=demo.users["agent1"], shift_id=shift.pk,
                               check_in_at=at(MONDAY, 9), check_out_at=at(MONDAY, 18))
    assert not _absences(shift).exists()
    event = AuditEvent.objects.get(object_type="workforce.violation", object_id=str(violation_id), action="delete")
    assert "absence voided" in event.note and event.before["kind"] == "absence"


def test_R_WFM_1_correcting_an_absent_mark_to_present_voids_the_absence(demo, clock, make_shift):
    from kefu.workforce.services.rollcall import mark_roll_call

    shift = make_shift("agent1", MONDAY)
    lead = demo.users["lead1"]
    clock(at(MONDAY, 9, 30))
    mark = mark_roll_call(actor=lead, shift_id=shift.pk, status="absent")
    assert _absences(shift).count() == 1
    mark_roll_call(actor=lead, shift_id=shift.pk, status="present", version=mark.version)
    assert not _absences(shift).exists()


def test_R_WFM_1_leave_for_part_of_the_shift_does_not_stop_a_present_mark(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)  # 09:00-18:00
    _approved_leave(demo, "agent1", at(MONDAY, 15), at(MONDAY, 16))  # an hour in the afternoon
    clock(at(MONDAY, 9))
    response = call(clients("lead"), "post", "/roll-call", {"shift_id": shift.pk, "status": "present"})
    assert response.status_code in (200, 201), response.content


def test_R_WFM_1_leave_covering_the_shift_start_still_refuses_present(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    _approved_leave(demo, "agent1", at(MONDAY, 8), at(MONDAY, 10))
    clock(at(MONDAY, 9))
    response = call(clients("lead"), "post", "/roll-call", {"shift_id": shift.pk, "status": "present"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


def test_R_WFM_1_leave_covering_the_late_arrival_refuses_late(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    _approved_leave(demo, "agent1", at(MONDAY, 9, 30), at(MONDAY, 11))
    clock(at(MONDAY, 10))
    response = call(clients("lead"), "post", "/roll-call", {"shift_id": shift.pk, "status": "late"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"


def test_R_WFM_1_partial_leave_may_still_be_marked_on_leave(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    _approved_leave(demo, "agent1", at(MONDAY, 15), at(MONDAY, 16))
    clock(at(MONDAY, 9))
    response = call(clients("lead"), "post", "/roll-call", {"shift_id": shift.pk, "status": "leave"})
    assert response.status_code in (200, 201), response.content


# -- handover (R-WFM-2) ------------------------------------------------------------------------------------------

def _custom(demo, username, day, start, end):
    return services.create_shift(actor=demo.users["lead1"], person=demo.users[username], date=day, kind="custom",
                                 start=start, end=end, status="published")


def test_R_WFM_2_with_staggered_shifts_the_incoming_shift_is_the_one_that_follows(demo, make_shift):
    from kefu.workforce.services import handover

    out = make_shift("agent1", MONDAY)  # 09:00-18:00
    _custom(demo, "agent2", MONDAY, dt.time(10), dt.time(19))  # a staggered colleague, not the incoming shift
    night = _custom(demo, "agent3", MONDAY, dt.time(18), dt.time(2))
    assert handover.incoming_shifts(out) == [night]


def test_R_WFM_2_a_shift_starting_within_the_hour_before_the_end_is_incoming(demo, make_shift):
    from kefu.workforce.services import handover

    out = make_shift("agent1", MONDAY)  # 09:00-18:00
    _custom(demo, "agent2", MONDAY, dt.time(10), dt.time(19))
    early_night = _custom(demo, "agent3", MONDAY, dt.time(17), dt.time(2))  # an hour early for the handover
    assert handover.incoming_shifts(out) == [early_night]


def test_R_WFM_2_without_a_following_shift_an_overlapping_one_takes_over(demo, make_shift):
    from kefu.workforce.services import handover

    out = make_shift("agent1", MONDAY)  # 09:00-18:00
    staggered = _custom(demo, "agent2", MONDAY, dt.time(10), dt.time(19))
    assert handover.incoming_shifts(out) == [staggered]
    _custom(demo, "agent3", MONDAY + DAY, dt.time(9), dt.time(18))  # tomorrow: after the colleague has left
    assert handover.incoming_shifts(out) == [staggered]


# -- breaks end with their shift (R-WFM-5) ------------------------------------------------------------------------

def _open_break_on_monday(demo, clock, make_shift):
    from kefu.workforce.services import breaks

    make_shift("agent1", MONDAY)  # 09:00-18:00
    make_shift("agent1", MONDAY + DAY)
    clock(at(MONDAY, 17, 50))
    return breaks.start_break(actor=demo.users["agent1"])  # never ended from the desk


def test_R_WFM_5_a_break_left_open_does_not_carry_over_to_the_next_shift(demo, clock, make_shift):
    from kefu.workforce.selectors import duty
    from kefu.workforce.services import breaks

    _open_break_on_monday(demo, clock, make_shift)
    agent = demo.users["agent1"]
    tuesday = at(MONDAY + DAY, 10)
    clock(tuesday)
    assert duty.on_break_person_ids(tuesday, [agent.pk]) == set()
    assert not duty.desk_duty(agent, tuesday).on_break
    assert duty.on_shift_person_ids(tuesday, [agent.pk]) == {agent.pk}
    period = breaks.start_break(actor=agent)  # a new break is possible (not "already on a break")
    assert period.start_at == tuesday


def test_R_WFM_5_the_job_ends_a_break_at_its_shifts_end(demo, clock, make_shift):
    from kefu.workforce.models import AwayPeriod, Violation
    from kefu.workforce.services import breaks

    period = _open_break_on_monday(demo, clock, make_shift)
    clock(at(MONDAY, 18, 5))
    assert breaks.record_overlong_breaks() == 0  # 10 minutes within the shift: no violation
    period = AwayPeriod.objects.get(pk=period.pk)
    assert period.end_at == at(MONDAY, 18) and not Violation.objects.filter(kind="away").exists()


def test_R_WFM_5_a_long_break_ended_by_the_job_at_the_shift_end_is_a_violation(demo, clock, make_shift):
    from kefu.workforce.models import AwayPeriod
    from kefu.workforce.services import breaks

    make_shift("agent1", MONDAY)
    clock(at(MONDAY, 17, 30))
    period = breaks.start_break(actor=demo.users["agent1"])
    clock(at(MONDAY + DAY, 3))
    assert breaks.record_overlong_breaks() == 1
    period = AwayPeriod.objects.get(pk=period.pk)
    assert period.end_at == at(MONDAY, 18) and period.violation is not None
    assert "30" in period.violation.evidence


def test_R_WFM_5_checking_out_ends_an_open_break(demo, clock, make_shift):
    from kefu.workforce.models import AwayPeriod
    from kefu.workforce.services import breaks

    make_shift("agent1", MONDAY)
    agent = demo.users["agent1"]
    clock(at(MONDAY, 9))
    services.check_in(actor=agent)
    clock(at(MONDAY, 17, 50))
    period = breaks.start_break(actor=agent)
    clock(at(MONDAY, 17, 55))
    services.check_out(actor=agent)
    assert AwayPeriod.objects.get(pk=period.pk).end_at == at(MONDAY, 17, 55)
