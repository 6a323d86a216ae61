"""The workforce pages: roster grid with holidays and leave gaps, my schedule, the leave form and its
HTMX rule checks, the approval inbox, violations; query counts."""

from __future__ import annotations

import datetime as dt

from kefu.workforce import services
from kefu.workforce.models import LeaveRequest
from kefu.workforce.tests.conftest import MONDAY, at

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def test_R_WFM_1_roster_shows_shifts_holidays_and_the_gap_of_approved_leave(demo, clients, clock, make_shift,
                                                                            holiday, django_assert_max_num_queries):
    for i in range(7):
        for username in ("agent1", "agent2", "agent3"):
            make_shift(username, MONDAY + dt.timedelta(days=i))
    leave = services.request_leave(actor=demo.users["agent1"], person=demo.users["agent1"], kind="personal",
                                   start_at=at(MONDAY, 0) + dt.timedelta(days=2),
                                   end_at=at(MONDAY, 0) + dt.timedelta(days=3), reason="搬家")
    services.approve_leave(actor=demo.users["head1"], leave_id=leave.pk)
    client = clients("lead")
    client.get("/workforce/roster/")
    with django_assert_max_num_queries(12):
        response = client.get(f"/workforce/roster/?week={MONDAY}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="shift"') == 20
    assert html.count('data-testid="shift-gap"') == 1
    assert 'data-testid="holiday"' in html and "公司假日" in html
    assert "张三" in html and "赵六" not in html  # 一班 only


def test_roster_of_the_other_team_is_not_shown_to_a_lead(demo, clients, clock, make_shift):
    make_shift("agent4", MONDAY)
    client = clients("lead")
    html = client.get(f"/workforce/roster/?team={demo.teams[1].pk}&week={MONDAY}").content.decode()
    assert "赵六" not in html
    head_html = clients("head").get(f"/workforce/roster/?team={demo.teams[1].pk}&week={MONDAY}").content.decode()
    assert "赵六" in head_html


def test_my_schedule_lists_my_shifts_and_leave(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY, "night")
    response = clients("agent").get("/workforce/me/")
    assert response.status_code == 200
    assert 'data-testid="shift"' in response.content.decode()


def test_R_WFM_4_leave_form_checks_the_rules_before_submitting(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY + dt.timedelta(days=1))
    client = clients("agent")
    assert client.get("/workforce/leave/new/").status_code == 200
    response = client.get("/workforce/leave/check/", {
        "kind": "personal", "start": "2026-12-08T09:00", "end": "2026-12-08T18:00", "reason": "x"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-ok="true"' in html and 'data-ok="false"' not in html
    clock(at(MONDAY, 9, 1))
    html = client.get("/workforce/leave/check/", {
        "kind": "personal", "start": "2026-12-08T09:00", "end": "2026-12-08T18:00", "reason": "x"}).content.decode()
    assert 'data-ok="false"' in html
    assert not LeaveRequest.objects.exists()
    refused = client.post("/workforce/leave/new/", {
        "kind": "personal", "start": "2026-12-08T09:00", "end": "2026-12-08T18:00", "reason": "x",
        "person": "agent1"})
    assert refused.status_code == 422 and not LeaveRequest.objects.exists()
    ok = client.post("/workforce/leave/new/", {
        "kind": "sick", "start": "2026-12-08T09:00", "end": "2026-12-08T18:00", "reason": "发烧",
        "person": "agent1"})
    assert ok.status_code == 302
    assert LeaveRequest.objects.get().kind == "sick"


def test_R_WFM_4_approval_inbox_for_heads_and_the_decision(demo, clients, clock, django_assert_max_num_queries):
    for username in ("agent1", "agent2", "agent4"):
        services.request_leave(actor=demo.users[username], person=demo.users[username], kind="personal",
                               start_at=at(NEXT_MONDAY, 0), end_at=at(NEXT_MONDAY, 0) + dt.timedelta(days=1),
                               reason="事假")
    assert clients("agent").get("/workforce/approvals/").status_code == 403
    lead_page = clients("lead").get("/workforce/approvals/")  # leads decide level applications there (R-ORG-3)
    assert lead_page.status_code == 200 and 'data-testid="approval-row"' not in lead_page.content.decode()
    head = clients("head")
    head.get("/workforce/approvals/")
    with django_assert_max_num_queries(10):
        html = head.get("/workforce/approvals/").content.decode()
    assert html.count('data-testid="approval-row"') == 3
    leave = LeaveRequest.objects.get(person=demo.users["agent1"])
    response = head.post(f"/workforce/approvals/{leave.pk}/approve/", {"version": leave.version})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == "approved" and leave.decided_by == demo.users["head1"]
    assert clients("director").get("/workforce/approvals/").content.decode().count('data-testid="approval-row"') == 2


def test_R_ORG_4_violations_page_shows_the_persons_own_and_the_leads_team(demo, clients, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    services.record_attendance(actor=demo.users["lead1"], person=demo.users["agent1"], shift_id=shift.pk,
                               check_in_at=shift.start_at + dt.timedelta(minutes=45))
    assert clients("agent").get("/workforce/violations/").content.decode().count("<tr><td>") == 1
    assert clients("lead").get("/workforce/violations/").content.decode().count("<tr><td>") == 1
    other = clients("agent")
    other.force_login(demo.users["agent2"])
    assert other.get("/workforce/violations/").content.decode().count("<tr><td>") == 0


def test_R_WFM_1_a_lead_adds_a_shift_from_the_roster_page(demo, clients, clock, shift_types):
    from kefu.workforce.models import Shift

    client = clients("lead")
    response = client.post(f"/workforce/roster/?team={demo.teams[0].pk}&week={MONDAY}",
                           {"person": "agent2", "date": str(MONDAY), "shift_type": "night"})
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert (shift.person.username, shift.kind, shift.created_by.username) == ("agent2", "night", "lead1")
    clash = client.post(f"/workforce/roster/?team={demo.teams[0].pk}&week={MONDAY}",
                        {"person": "agent2", "date": str(MONDAY), "shift_type": "night"})
    assert clash.status_code == 422 and Shift.objects.count() == 1
    # not in the team: not offered, refused
    other = client.post(f"/workforce/roster/?team={demo.teams[0].pk}&week={MONDAY}",
                        {"person": "agent4", "date": str(MONDAY), "shift_type": "early"})
    assert other.status_code == 422 and Shift.objects.count() == 1
    agent = clients("agent").post("/workforce/roster/", {"person": "agent1", "date": str(MONDAY),
                                                          "shift_type": "early"})
    assert agent.status_code == 403 and Shift.objects.count() == 1


def test_R_WFM_4_a_pending_request_tells_its_approver(demo, clients, clock):
    from kefu.notifications.models import Notification

    services.request_leave(actor=demo.users["agent1"], person=demo.users["agent1"], kind="personal",
                           start_at=at(NEXT_MONDAY, 0), end_at=at(NEXT_MONDAY, 0) + dt.timedelta(days=1), reason="事假")
    assert list(Notification.objects.filter(kind="leave_pending").values_list("recipient__username", flat=True)) \
        == ["head1"]
    services.request_leave(actor=demo.users["agent2"], person=demo.users["agent2"], kind="personal",
                           start_at=at(NEXT_MONDAY, 0), end_at=at(NEXT_MONDAY, 0) + dt.timedelta(days=3), reason="探亲")
    assert Notification.objects.filter(kind="leave_pending", recipient=demo.users["director1"]).exists()


def test_R_WFM_5_check_in_button_on_my_schedule(demo, clients, clock, make_shift):
    from kefu.workforce.models import Attendance

    make_shift("agent1", MONDAY)
    client = clients("agent")
    assert 'data-testid="check-in"' in client.get("/workforce/me/").content.decode()
    clock(at(MONDAY, 9, 25))
    assert client.post("/workforce/attendance/in/").status_code == 302
    attendance = Attendance.objects.get()
    assert attendance.late_minutes == 25 and attendance.shift.violations.count() == 1
    assert client.post("/workforce/attendance/out/").status_code == 302
    attendance.refresh_from_db()
    assert attendance.check_out_at is not None
