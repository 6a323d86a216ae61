"""Shifts, approvals and attendance through the API: the role matrix (nothing changes on a refusal),
scope (the lead of 一班 cannot touch 二班), R-WFM-5 lateness at 19/20 minutes, query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.notifications.models import Notification
from kefu.workforce.models import Attendance, LeaveRequest, Shift, Violation
from kefu.workforce.tests.conftest import MONDAY, at, call

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def state():
    return (Shift.objects.count(), LeaveRequest.objects.values_list("status", flat=True).first(),
            Attendance.objects.count(), Violation.objects.count(), AuditEvent.objects.count())


# -- shifts ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("agent", 403), ("qa", 403), ("lead", 201), ("head", 201), ("director", 201),
])
def test_R_WFM_1_role_matrix_creating_a_shift(demo, clients, clock, shift_types, role, status):
    client = clients(role)
    before = state()
    response = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_MONDAY),
                                                        "shift_type": "early"})
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert body["person"] == "agent1" and body["kind"] == "day" and body["start"] == "09:00"
        assert body["start_at"].startswith("2026-12-14T09:00:00+08:00")
    else:
        assert state() == before


def test_R_WFM_1_lead_of_one_team_cannot_roster_the_other(demo, clients, clock, shift_types):
    client = clients("lead")
    before = state()
    response = call(client, "post", "/shifts", {"person": "agent4", "date": str(NEXT_MONDAY),
                                                          "kind": "day", "start": "09:00", "end": "18:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person"
    assert state() == before


def test_R_WFM_1_a_night_shift_crosses_midnight(demo, clients, clock):
    response = call(clients("lead"), "post", "/shifts", {"person": "agent1", "date": str(NEXT_MONDAY),
                                                          "kind": "night", "start": "22:00", "end": "06:00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["start_at"].startswith("2026-12-14T22:00:00+08:00")
    assert body["end_at"].startswith("2026-12-15T06:00:00+08:00")


def test_shift_input_is_checked_field_by_field(demo, clients, clock, make_shift):
    client = clients("lead")
    bad = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_MONDAY), "kind": "day",
                                           "start": "18:00", "end": "09:00"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "end"
    bad = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_MONDAY), "kind": "weekly",
                                           "start": "09:00", "end": "18:00"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    make_shift("agent1", NEXT_MONDAY, "night")
    clash = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_MONDAY + dt.timedelta(days=1)),
                                             "kind": "day", "start": "05:00", "end": "10:00"})
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "start"
    assert Shift.objects.count() == 1


def test_shift_list_by_team_and_dates_in_scope(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY)
    make_shift("agent4", MONDAY)
    make_shift("agent1", NEXT_MONDAY)
    lead1 = call(clients("lead"), "get", f"/shifts?date_from={MONDAY}&date_to={MONDAY}").json()
    assert [i["person"] for i in lead1["items"]] == ["agent1"]
    head = call(clients("head"), "get", f"/shifts?date_from={MONDAY}&date_to={MONDAY}").json()
    assert sorted(i["person"] for i in head["items"]) == ["agent1", "agent4"]
    team2 = call(clients("head"), "get", "/shifts?team=二班").json()
    assert [i["person"] for i in team2["items"]] == ["agent4"]
    assert call(clients("lead"), "get", "/shifts?team=二班").status_code == 422
    agent = call(clients("agent"), "get", "/shifts").json()
    assert {i["person"] for i in agent["items"]} == {"agent1"}


def test_shift_list_query_count_does_not_grow_with_rows(demo, clients, clock, make_shift,
                                                        django_assert_max_num_queries):
    for i in range(7):
        for username in ("agent1", "agent2", "agent3", "agent4"):
            make_shift(username, MONDAY + dt.timedelta(days=i))
    client = clients("head")
    call(client, "get", "/shifts")  # warm the session and the scope
    with django_assert_max_num_queries(8):
        body = call(client, "get", "/shifts?page_size=100").json()
    assert body["count"] == 28


# -- leave approval ------------------------------------------------------------------------------------

@pytest.fixture
def pending(demo, clients, clock):
    """A one-day personal leave of agent1 next Monday (the head decides)."""
    response = call(clients("agent"), "post", "/leave-requests",
                    {"kind": "personal", "start": str(NEXT_MONDAY), "end": str(NEXT_MONDAY), "reason": "看病"})
    assert response.status_code == 201
    return response.json()


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("agent", 404), ("qa", 404), ("lead", 403), ("head", 200), ("director", 200),
])
def test_R_WFM_4_role_matrix_approving_head_level_leave(demo, clients, pending, role, status):
    client = clients(role)
    if role == "agent":
        client.force_login(demo.users["agent2"])  # a colleague: agent1's leave is not in their scope
    before = state()
    response = call(client, "post", f"/leave-requests/{pending['id']}/approve", {})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["status"] == "approved"
        assert Notification.objects.filter(recipient=demo.users["agent1"], kind="leave_decided").exists()
    else:
        assert state() == before


def test_R_WFM_4_the_person_cannot_approve_their_own_leave(demo, clients, pending):
    response = call(clients("agent"), "post", f"/leave-requests/{pending['id']}/approve", {})
    assert response.status_code == 403
    assert LeaveRequest.objects.get().status == "pending"


def test_R_WFM_4_director_level_leave_is_refused_to_the_head(demo, clients, clock):
    leave = call(clients("agent"), "post", "/leave-requests", {
        "kind": "personal", "start": str(NEXT_MONDAY), "end": str(NEXT_MONDAY + dt.timedelta(days=1)),
        "reason": "回老家"}).json()
    assert leave["approver_role"] == "director"
    response = call(clients("head"), "post", f"/leave-requests/{leave['id']}/approve", {})
    assert response.status_code == 403 and response.json()["rule"] == "R-WFM-4"
    assert call(clients("director"), "post", f"/leave-requests/{leave['id']}/reject",
                {"note": "人手不足"}).json()["status"] == "rejected"


def test_R_WFM_4_scope_lead_of_team_two_cannot_see_team_one_leave(demo, clients, pending):
    client = clients("lead")
    client.force_login(demo.users["lead2"])
    before = state()
    assert call(client, "post", f"/leave-requests/{pending['id']}/approve", {}).status_code == 404
    assert call(client, "post", f"/leave-requests/{pending['id']}/reject", {}).status_code == 404
    assert call(client, "get", f"/leave-requests/{pending['id']}").status_code == 404
    assert state() == before


def test_R_WFM_4_a_decided_request_is_not_decided_again_and_stale_versions_refused(demo, clients, pending):
    head = clients("head")
    assert call(head, "post", f"/leave-requests/{pending['id']}/approve", {"version": 2}).status_code == 409
    assert call(head, "post", f"/leave-requests/{pending['id']}/approve", {"version": 1}).status_code == 200
    again = call(head, "post", f"/leave-requests/{pending['id']}/reject", {})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "status"


def test_R_WFM_4_approved_leave_frees_the_shift_on_the_roster(demo, clients, make_shift, pending):
    make_shift("agent1", NEXT_MONDAY)
    make_shift("agent2", NEXT_MONDAY)
    call(clients("head"), "post", f"/leave-requests/{pending['id']}/approve", {})
    items = call(clients("lead"), "get", f"/shifts?date_from={NEXT_MONDAY}&date_to={NEXT_MONDAY}").json()["items"]
    assert {i["person"]: i["on_leave"] for i in items} == {"agent1": True, "agent2": False}


def test_inbox_lists_what_the_caller_decides(demo, clients, pending, django_assert_max_num_queries):
    head = clients("head")
    call(head, "get", "/leave-requests?inbox=true")
    with django_assert_max_num_queries(8):
        items = call(head, "get", "/leave-requests?inbox=true").json()["items"]
    assert [i["id"] for i in items] == [pending["id"]]
    assert call(clients("director"), "get", "/leave-requests?inbox=true").json()["count"] == 1
    assert call(clients("lead"), "get", "/leave-requests?inbox=true").json()["count"] == 0


# -- attendance (R-WFM-5) ----------------------------------------------------------------------------------

def record(client, shift, minutes_late: int, person: str = "agent1"):
    check_in = shift.start_at + dt.timedelta(minutes=minutes_late)
    return call(client, "post", "/attendance", {"person": person, "shift_id": shift.pk,
                                                "check_in_at": check_in.isoformat()})


def test_R_WFM_5_nineteen_minutes_late_is_no_violation(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9, 30))
    body = record(clients("lead"), shift, 19).json()
    assert body["late_minutes"] == 19 and body["violation"] is False
    assert not Violation.objects.exists()


def test_R_WFM_5_twenty_minutes_late_is_a_violation_recorded_at_once_and_notified(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    clock(at(MONDAY, 9, 30))
    response = record(clients("lead"), shift, 20)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["late_minutes"] == 20 and body["violation"] is True
    violation = Violation.objects.get()
    assert (violation.person, violation.rule, violation.recorded_by) == (
        demo.users["agent1"], "R-WFM-5", demo.users["lead1"])
    assert Notification.objects.filter(recipient=demo.users["agent1"], kind="violation_recorded").exists()
    assert call(clients("agent"), "get", "/violations").json()["count"] == 1
    # recorded again (a correction): still one violation
    record(clients("lead"), shift, 25)
    assert Violation.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 201), ("head", 201)])
def test_R_WFM_5_role_matrix_recording_attendance(demo, clients, clock, make_shift, role, status):
    shift = make_shift("agent1", MONDAY)
    client = clients(role)
    before = state()
    assert record(client, shift, 5).status_code == status
    if status != 201:
        assert state() == before


def test_R_WFM_5_lead_of_team_two_cannot_record_for_team_one(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    client = clients("lead")
    client.force_login(demo.users["lead2"])
    before = state()
    assert record(client, shift, 30).status_code in (404, 422)
    assert state() == before


def test_R_WFM_5_the_shift_must_be_the_persons(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    response = record(clients("lead"), shift, 0, person="agent2")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "person"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("agent", 422), ("qa", 403), ("lead", 201), ("head", 201), ("director", 201),
])
def test_R_ORG_4_role_matrix_recording_a_violation(demo, clients, clock, role, status):
    """Leads and above record a violation of their people at once; an agent cannot even name a colleague."""
    client = clients(role)
    before = state()
    response = call(client, "post", "/violations", {"person": "agent2", "rule": "R-WFM-5", "kind": "away",
                                                    "evidence": "14:10–14:40 离岗 30 分钟，未请假"})
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["person"] == "agent2"
        assert Notification.objects.filter(recipient=demo.users["agent2"], kind="violation_recorded").exists()
    else:
        assert state() == before


def test_R_ORG_4_the_lead_of_team_two_cannot_record_for_team_one(demo, clients, clock):
    client = clients("lead")
    client.force_login(demo.users["lead2"])
    before = state()
    response = call(client, "post", "/violations", {"person": "agent1", "rule": "R-WFM-5", "evidence": "迟到"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "person"
    assert state() == before


def test_R_ORG_4_violations_list_query_count(demo, clients, clock, django_assert_max_num_queries):
    from kefu.workforce import services

    for username in ("agent1", "agent2", "agent3"):
        for _ in range(3):
            services.record_violation(actor=demo.users["lead1"], person=demo.users[username], rule="R-WFM-5",
                                      evidence="迟到 25 分钟", kind="late")
    client = clients("head")
    call(client, "get", "/violations")
    with django_assert_max_num_queries(8):
        assert call(client, "get", "/violations").json()["count"] == 9


def test_R_WFM_1_publish_drafts_of_a_team_and_refuse_unknown_teams(demo, clients, clock, make_shift):
    make_shift("agent1", NEXT_MONDAY, status="draft")
    make_shift("agent2", NEXT_MONDAY, status="draft")
    client = clients("lead")
    for team in ("", "三班", "99999999999999999999999", "二班"):
        response = call(client, "post", "/shifts/publish", {"team": team, "date_from": str(NEXT_MONDAY),
                                                            "date_to": str(NEXT_MONDAY)})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "team", team
    assert Shift.objects.filter(status="draft").count() == 2
    response = call(client, "post", "/shifts/publish", {"team": "一班", "date_from": str(NEXT_MONDAY),
                                                        "date_to": str(NEXT_MONDAY + dt.timedelta(days=6))})
    assert response.json() == {"published": 2}
    assert Notification.objects.filter(kind="roster_published").count() == 2
    agent = call(clients("agent"), "post", "/shifts/publish", {"team": "一班", "date_from": str(NEXT_MONDAY),
                                                               "date_to": str(NEXT_MONDAY)})
    assert agent.status_code == 403


def test_a_night_shift_on_the_last_day_of_the_calendar_is_a_422(demo, clients, clock):
    response = call(clients("lead"), "post", "/shifts", {"person": "agent1", "date": "9999-12-31", "kind": "night",
                                                          "start": "22:00", "end": "06:00"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "date"
    assert not Shift.objects.exists()


@pytest.mark.parametrize(("minutes", "violation"), [(19, False), (20, True)])
def test_R_WFM_5_the_person_checks_in_late_at_the_boundary(demo, clients, clock, make_shift, minutes, violation):
    make_shift("agent1", MONDAY)  # 09:00
    client = clients("agent")
    clock(at(MONDAY, 9, minutes, 30))
    body = call(client, "post", "/attendance/check-in", {}).json()
    assert (body["late_minutes"], body["violation"]) == (minutes, violation)
    assert Violation.objects.filter(person=demo.users["agent1"], rule="R-WFM-5").exists() is violation
    again = call(client, "post", "/attendance/check-in", {})
    assert again.status_code == 422 and Attendance.objects.count() == 1
    clock(at(MONDAY, 18, 1))
    out = call(client, "post", "/attendance/check-out", {}).json()
    assert out["check_out_at"].startswith("2026-12-07T18:01") and out["violation"] is violation


def test_R_WFM_5_check_in_needs_a_shift_within_the_hour(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY, "late")  # 18:00
    client = clients("agent")
    clock(at(MONDAY, 16, 59))
    response = call(client, "post", "/attendance/check-in", {})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "shift"
    clock(at(MONDAY, 17, 0))
    assert call(client, "post", "/attendance/check-in", {}).json()["late_minutes"] == 0
    assert call(clients("agent"), "post", "/attendance/check-out", {}).status_code == 200
