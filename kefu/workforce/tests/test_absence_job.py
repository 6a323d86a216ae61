"""R-WFM-5 absence (旷工): the periodic job records a no-show without approved leave at the shift's end, with a
violation (R-ORG-4) told to the person and their team lead; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.notifications.models import Notification
from kefu.workforce import services, tasks
from kefu.workforce.models import Attendance, Violation
from kefu.workforce.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def _absences():
    return list(Attendance.objects.filter(absent=True).values_list("person__username", flat=True))


def test_R_WFM_5_a_shift_ended_a_minute_ago_without_check_in_is_an_absence(demo, clock, make_shift):
    shift = make_shift("agent1", MONDAY)  # 09:00-18:00
    clock(at(MONDAY, 17, 59))
    assert services.record_absences() == 0  # still running
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 1
    attendance = Attendance.objects.get(shift=shift)
    assert attendance.absent and attendance.check_in_at is None and attendance.person == demo.users["agent1"]
    violation = Violation.objects.get(shift=shift)
    assert (violation.kind, violation.rule, violation.recorded_by) == ("absence", "R-WFM-5", None)
    assert violation.person == demo.users["agent1"] and violation.at == at(MONDAY, 18, 1)
    told = set(Notification.objects.filter(kind="violation_recorded").values_list("recipient__username", flat=True))
    assert told == {"agent1", "lead1"}
    from kefu.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="workforce.attendance", object_id=str(attendance.pk)).exists()


def test_R_WFM_5_running_twice_records_one_absence(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 1
    clock(at(MONDAY, 18, 6))
    assert services.record_absences() == 0
    assert _absences() == ["agent1"]
    assert Violation.objects.count() == 1
    assert Notification.objects.filter(kind="violation_recorded").count() == 2


def test_R_WFM_5_a_shift_still_running_is_not_an_absence(demo, clock, make_shift):
    make_shift("agent2", MONDAY, "late")  # 18:00-02:00
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 0
    clock(at(MONDAY + dt.timedelta(days=1), 2, 0))  # ends now: recorded from its end on
    assert services.record_absences() == 1


def test_R_WFM_5_a_check_in_even_late_is_no_absence(demo, clock, make_shift):
    shift = make_shift("agent2", MONDAY)
    services.record_attendance(actor=demo.users["lead1"], person=demo.users["agent2"], shift_id=shift.pk,
                               check_in_at=shift.start_at + dt.timedelta(minutes=45))
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 0
    assert _absences() == []
    assert list(Violation.objects.values_list("kind", flat=True)) == ["late"]


def test_R_WFM_5_a_shift_freed_by_approved_leave_is_no_absence(demo, clock, make_shift):
    shift = make_shift("agent3", MONDAY)
    leave = services.request_leave(actor=demo.users["head1"], person=demo.users["agent3"], kind="sick",
                                   start_at=at(MONDAY, 9), end_at=at(MONDAY, 18), reason="发烧")
    assert leave.status == "approved"
    shift.refresh_from_db()
    assert shift.leave == leave
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 0
    assert not Attendance.objects.exists() and not Violation.objects.exists()


def test_R_WFM_5_pending_leave_does_not_free_the_shift(demo, clock, make_shift):
    make_shift("agent1", MONDAY + dt.timedelta(days=1))
    services.request_leave(actor=demo.users["agent1"], person=demo.users["agent1"], kind="personal",
                           start_at=at(MONDAY + dt.timedelta(days=1), 9),
                           end_at=at(MONDAY + dt.timedelta(days=1), 18), reason="事假")
    clock(at(MONDAY + dt.timedelta(days=1), 18, 1))
    assert services.record_absences() == 1


def test_R_WFM_5_a_draft_shift_is_no_absence(demo, clock, make_shift):
    make_shift("agent1", MONDAY, status="draft")
    clock(at(MONDAY, 18, 1))
    assert services.record_absences() == 0
    assert not Violation.objects.exists()


def test_R_WFM_5_the_job_looks_back_two_days(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    clock(at(MONDAY + dt.timedelta(days=2), 18, 0))  # ended exactly 2 days ago: outside the look-back
    assert services.record_absences() == 0
    clock(at(MONDAY + dt.timedelta(days=2), 17, 59))
    assert services.record_absences() == 1


def test_R_WFM_5_the_periodic_task_runs_the_job(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    clock(at(MONDAY, 18, 1))
    tasks.record_absences()  # Huey is immediate in tests
    assert _absences() == ["agent1"]
    assert tasks.record_absences.call_local() == 0
    assert tasks.record_absences.task_class().validate_datetime(dt.datetime(2026, 12, 7, 18, 5))
    assert not tasks.record_absences.task_class().validate_datetime(dt.datetime(2026, 12, 7, 18, 6))


def test_R_ORG_4_the_violations_page_lists_the_absence(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY)
    clock(at(MONDAY, 18, 1))
    services.record_absences()
    html = clients("lead").get("/workforce/violations/").content.decode()
    assert html.count("<tr><td>") == 1 and "旷工" in html


def test_R_WFM_5_a_lead_recording_the_check_in_afterwards_clears_the_absent_mark(demo, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 18, 1))
    services.record_absences()
    services.record_attendance(actor=demo.users["lead1"], person=demo.users["agent1"], shift_id=shift.pk,
                               check_in_at=shift.start_at)
    attendance = Attendance.objects.get(shift=shift)
    assert not attendance.absent and attendance.check_in_at == shift.start_at
    assert services.record_absences() == 0
