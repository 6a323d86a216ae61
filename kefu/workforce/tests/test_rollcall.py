"""R-WFM-1 roll call (点名): opens 10 minutes (``workforce.roll_call_minutes``) before the shift; a lead or head
marks present / late / absent / on leave with a comment; the mark feeds attendance (R-WFM-5): late by 20
minutes or more is a violation once, absent without approved leave is an absence (旷工) once."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.workforce import services
from kefu.workforce.models import Attendance, LeaveRequest, RollCallMark, Violation
from kefu.workforce.services.rollcall import mark_roll_call
from kefu.workforce.tests.conftest import MONDAY, at, call

pytestmark = pytest.mark.django_db


def _mark(clients, shift, status, *, role="lead", **extra):
    return call(clients(role), "post", "/roll-call", {"shift_id": shift.pk, "status": status, **extra})


def _approved_leave(demo, person, start, end):
    return LeaveRequest.objects.create(person=demo.users[person], kind="sick", start_at=start, end_at=end, days=1,
                                       reason="发烧", status=LeaveRequest.Status.APPROVED, approver_role="head",
                                       filed_by=demo.users["lead1"])


# -- the window ------------------------------------------------------------------------------------------

def test_R_WFM_1_roll_call_opens_exactly_10_minutes_before_the_shift(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY + dt.timedelta(days=1))  # Tuesday 09:00-18:00
    tuesday = MONDAY + dt.timedelta(days=1)
    for moment in (at(tuesday, 8, 49), at(tuesday, 8, 49, 59)):  # 11 minutes, 10 minutes 1 second before
        clock(moment)
        response = _mark(clients, shift, "present")
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["rule"] == "R-WFM-1"
        assert body["errors"][0]["field"] == "shift_id" and "08:50" in body["errors"][0]["message"]
    assert not RollCallMark.objects.exists() and not Attendance.objects.exists()

    clock(at(tuesday, 8, 50))  # exactly 10 minutes before
    response = _mark(clients, shift, "present", comment="精神饱满")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mark"]["status"] == "present" and body["mark"]["comment"] == "精神饱满"
    assert body["mark"]["marked_by"] == "lead1" and body["mark"]["version"] == 1
    attendance = Attendance.objects.get(shift=shift)
    assert attendance.check_in_at == at(tuesday, 8, 50) and attendance.late_minutes == 0


def test_R_WFM_1_the_window_is_a_setting(demo, clients, clock, make_shift):
    from kefu.rules import services as rules

    rules.set_rule(actor=demo.users["admin"], key="workforce.roll_call_minutes", value=30, version=0)
    shift = make_shift("agent1", MONDAY + dt.timedelta(days=1))
    clock(at(MONDAY + dt.timedelta(days=1), 8, 30))
    assert _mark(clients, shift, "present").status_code == 201


def test_R_WFM_1_marking_again_updates_the_mark_and_needs_its_version(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 8, 55))
    assert _mark(clients, shift, "present").status_code == 201
    stale = _mark(clients, shift, "late", comment="迟到")
    assert stale.status_code == 409
    again = _mark(clients, shift, "present", comment="好", version=1)
    assert again.status_code == 200, again.content
    assert again.json()["mark"]["version"] == 2 and again.json()["mark"]["comment"] == "好"
    assert RollCallMark.objects.count() == 1
    from kefu.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="workforce.rollcallmark").count() == 2


# -- feeding attendance (R-WFM-5) -------------------------------------------------------------------------

def test_R_WFM_5_late_by_19_minutes_at_the_roll_call_is_no_violation(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9, 19))
    response = _mark(clients, shift, "late")
    assert response.status_code == 201, response.content
    assert response.json()["attendance"]["late_minutes"] == 19
    assert not Violation.objects.exists()


def test_R_WFM_5_late_by_20_minutes_at_the_roll_call_is_a_violation_once(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9, 20))
    response = _mark(clients, shift, "late", comment="堵车")
    assert response.status_code == 201, response.content
    assert response.json()["attendance"]["late_minutes"] == 20
    violation = Violation.objects.get()
    assert (violation.kind, violation.rule, violation.shift_id) == ("late", "R-WFM-5", shift.pk)
    clock(at(MONDAY, 9, 25))
    assert _mark(clients, shift, "late", comment="堵车，已说明", version=1).status_code == 200
    assert _mark(clients, shift, "present", version=2).status_code == 200
    assert Violation.objects.count() == 1
    assert Attendance.objects.get(shift=shift).check_in_at == at(MONDAY, 9, 20)  # the first check-in stands


def test_R_WFM_5_a_check_in_by_the_button_then_late_at_the_roll_call_is_one_violation(demo, clients, clock,
                                                                                         make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9, 21))
    services.check_in(actor=demo.users["agent1"])
    assert _mark(clients, shift, "late").status_code == 201
    assert Violation.objects.filter(kind="late").count() == 1


def test_R_WFM_5_late_with_the_arrival_time(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9, 40))
    response = _mark(clients, shift, "late", arrived_at=at(MONDAY, 9, 15).isoformat())
    assert response.status_code == 201, response.content
    assert response.json()["attendance"]["late_minutes"] == 15 and not Violation.objects.exists()
    future = _mark(clients, make_shift("agent2", MONDAY), "late", arrived_at=at(MONDAY, 10).isoformat())
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "arrived_at"


def test_R_WFM_5_absent_without_leave_is_an_absence_once(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 8, 55))
    early = _mark(clients, shift, "absent")
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "status"  # not started yet
    clock(at(MONDAY, 9, 30))
    response = _mark(clients, shift, "absent", comment="联系不上")
    assert response.status_code == 201, response.content
    attendance = Attendance.objects.get(shift=shift)
    assert attendance.absent and attendance.check_in_at is None
    violation = Violation.objects.get()
    assert (violation.kind, violation.rule, violation.person) == ("absence", "R-WFM-5", demo.users["agent1"])
    clock(at(MONDAY, 18, 5))
    assert services.record_absences() == 0  # the job does not record it again
    assert _mark(clients, shift, "absent", version=1).status_code == 200
    assert Violation.objects.count() == 1


def test_R_WFM_5_absent_after_the_job_recorded_it_is_not_recorded_twice(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 18, 5))
    assert services.record_absences() == 1
    assert _mark(clients, shift, "absent", comment="旷工").status_code == 201
    assert Violation.objects.filter(kind="absence").count() == 1
    assert Attendance.objects.get(shift=shift).absent


def test_R_WFM_5_absent_with_approved_leave_is_refused_and_on_leave_is_marked(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    _approved_leave(demo, "agent1", at(MONDAY, 0), at(MONDAY + dt.timedelta(days=1), 0))
    clock(at(MONDAY, 9, 30))
    absent = _mark(clients, shift, "absent")
    assert absent.status_code == 422, absent.content
    assert absent.json()["errors"][0]["field"] == "status"
    present = _mark(clients, shift, "present")
    assert present.status_code == 422
    on_leave = _mark(clients, shift, "leave", comment="病假")
    assert on_leave.status_code == 201, on_leave.content
    assert not Attendance.objects.exists() and not Violation.objects.exists()
    no_leave = _mark(clients, make_shift("agent2", MONDAY), "leave")
    assert no_leave.status_code == 422 and no_leave.json()["errors"][0]["field"] == "status"


# -- who may mark ---------------------------------------------------------------------------------------

def test_R_WFM_1_the_lead_of_one_team_cannot_mark_the_other_team(demo, clients, clock, make_shift):
    shift = make_shift("agent4", MONDAY)  # 二班
    clock(at(MONDAY, 9, 30))
    assert _mark(clients, shift, "absent", role="lead").status_code == 404  # lead1 of 一班
    assert _mark(clients, shift, "present", role="agent").status_code == 403
    assert not RollCallMark.objects.exists() and not Attendance.objects.exists() and not Violation.objects.exists()
    assert _mark(clients, shift, "present", role="head").status_code == 201


def test_R_WFM_1_nobody_marks_their_own_roll_call(demo, clock, make_shift):
    from kefu.core.errors import NotAllowed

    shift = make_shift("lead1", MONDAY)
    clock(at(MONDAY, 9))
    with pytest.raises(NotAllowed):
        mark_roll_call(actor=demo.users["lead1"], shift_id=shift.pk, status="present")


def test_R_WFM_1_bad_input_names_the_field(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9))
    response = _mark(clients, shift, "maybe")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    assert not RollCallMark.objects.exists()


def test_R_WFM_1_list_shows_marks_and_attendance(demo, clients, clock, make_shift):
    a = make_shift("agent1", MONDAY)
    make_shift("agent2", MONDAY, "late")
    clock(at(MONDAY, 9, 5))
    assert _mark(clients, a, "present").status_code == 201
    rows = call(clients("lead"), "get", f"/roll-call?date={MONDAY}").json()
    assert [r["person"] for r in rows] == ["agent1", "agent2"]
    assert rows[0]["mark"]["status"] == "present" and rows[0]["attendance"]["late_minutes"] == 0
    assert rows[1]["mark"] is None and rows[1]["roll_call_opens_at"].startswith("2026-12-07T17:50")
    assert call(clients("agent"), "get", "/roll-call").status_code == 403
    other = call(clients("lead"), "get", "/roll-call?team=二班")
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "team"


# -- the page ---------------------------------------------------------------------------------------------

def test_R_WFM_1_roll_call_page_groups_shifts_by_start(demo, clients, clock, make_shift,
                                                       django_assert_max_num_queries):
    for name in ("agent1", "agent2", "agent3"):
        make_shift(name, MONDAY)
    make_shift("lead1", MONDAY, "late")
    clock(at(MONDAY, 9, 5))
    mark_roll_call(actor=demo.users["lead1"], shift_id=demo.users["agent1"].shifts.get().pk, status="present")
    client = clients("lead")
    client.get(f"/workforce/rollcall/?date={MONDAY}")  # warm the caches (scope, rules, session)
    with django_assert_max_num_queries(8):
        response = client.get(f"/workforce/rollcall/?date={MONDAY}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="rollcall-group"') == 2
    assert html.count('data-testid="rollcall-row"') == 4
    assert "R-WFM" not in html


def test_R_WFM_1_roll_call_page_marks_over_htmx_and_shows_errors_in_the_row(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY + dt.timedelta(days=1))
    client = clients("lead")
    clock(at(MONDAY + dt.timedelta(days=1), 8, 40))
    refused = client.post(f"/workforce/rollcall/{shift.pk}/mark/", {"status": "present"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert 'data-testid="rollcall-error"' in refused.content.decode() and not RollCallMark.objects.exists()
    clock(at(MONDAY + dt.timedelta(days=1), 8, 50))
    ok = client.post(f"/workforce/rollcall/{shift.pk}/mark/", {"status": "present", "comment": "好"},
                     HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and 'data-testid="rollcall-mark"' in ok.content.decode()
    assert RollCallMark.objects.get().comment == "好"
    plain = client.post(f"/workforce/rollcall/{shift.pk}/mark/", {"status": "late", "version": "9"})
    assert plain.status_code == 409 or plain.status_code == 422


def test_R_WFM_1_roll_call_page_scope(demo, clients, make_shift, clock):
    make_shift("agent4", MONDAY)
    team2 = demo.teams[1]
    assert clients("lead").get(f"/workforce/rollcall/?team={team2.pk}").status_code == 404
    assert clients("agent").get("/workforce/rollcall/").status_code == 403
    shift = make_shift("agent5", MONDAY)
    clock(at(MONDAY, 9, 30))
    assert clients("lead").post(f"/workforce/rollcall/{shift.pk}/mark/", {"status": "absent"}).status_code == 404
    assert not Attendance.objects.exists()


def test_R_WFM_1_a_lead_on_the_roster_cannot_mark_their_own_row(demo, clients, clock, make_shift):
    own = make_shift("lead1", MONDAY)
    clock(at(MONDAY, 9))
    client = clients("lead")
    html = client.get(f"/workforce/rollcall/?date={MONDAY}").content.decode()
    row = html[html.index('data-person="lead1"'):]
    assert 'data-status="present" disabled' in row[:row.index("</tr>")]
    refused = client.post(f"/workforce/rollcall/{own.pk}/mark/", {"status": "present"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and 'data-testid="rollcall-error"' in refused.content.decode()
    assert client.post(f"/workforce/rollcall/{own.pk}/mark/", {"status": "present"}).status_code == 403
    assert not RollCallMark.objects.exists()
