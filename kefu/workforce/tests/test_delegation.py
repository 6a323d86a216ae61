"""R-WFM-4 delegation: "an approver who is away hands approvals to a named delegate for that time" — the delegate
decides inside the window only, on the approver's behalf; a delegate of a lower role and overlapping windows are
refused; the delegate sees the items and is told of new requests while the approver is on leave."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.audit.models import AuditEvent
from kefu.notifications.models import Notification
from kefu.org.roles import Role
from kefu.workforce.models import Delegation, LeaveRequest, LevelApplication
from kefu.workforce.services import delegation as services
from kefu.workforce.tests.conftest import MONDAY, at, call

WEDNESDAY = MONDAY + dt.timedelta(days=2)


@pytest.fixture
def head2(demo):
    """A department head of 销售部: outside 客服部, so they see 客服部's leave only through a delegation."""
    from kefu.org import services as org

    return org.create_person(actor=None, username="head2", password="x-Passw0rd-2026", display_name="销售部长",
                             centre=demo.centre, department=demo.departments["销售部"], roles=[Role.HEAD])


def hand_over(demo, delegate, *, approver: str = "head1", start=None, end=None) -> Delegation:
    return services.create_delegation(actor=demo.users[approver], delegate=delegate,
                                      start_at=start or at(MONDAY, 8), end_at=end or at(WEDNESDAY, 8))


def ask_leave(client) -> int:
    response = call(client, "post", "/leave-requests", {"kind": "personal", "start": str(WEDNESDAY + dt.timedelta(days=1)),
                                                         "end": str(WEDNESDAY + dt.timedelta(days=1)), "reason": "家里有事"})
    assert response.status_code == 201, response.content
    assert response.json()["approver_role"] == "head"
    return response.json()["id"]


def head2_client(head2):
    from django.test import Client

    client = Client()
    client.force_login(head2)
    return client


# -- deciding inside and outside the window -------------------------------------------------------------

def test_R_WFM_4_delegate_decides_inside_the_window_on_the_approvers_behalf(demo, clients, clock, head2):
    hand_over(demo, head2)
    leave_id = ask_leave(clients("agent"))
    response = call(head2_client(head2), "post", f"/leave-requests/{leave_id}/approve", {})
    assert response.status_code == 200, response.content
    leave = LeaveRequest.objects.get(pk=leave_id)
    assert (leave.status, leave.decided_by, leave.delegated_from) == ("approved", head2, demo.users["head1"])
    event = AuditEvent.objects.filter(object_type="workforce.leaverequest", object_id=str(leave_id),
                                      action="transition").get()
    assert event.note == "on behalf of head1" and event.actor == head2


def test_R_WFM_4_delegate_may_not_decide_after_the_window(demo, clients, clock, head2):
    hand_over(demo, head2)
    leave_id = ask_leave(clients("agent"))
    clock(at(WEDNESDAY, 8))  # the window ends at 08:00: from then on, head2 is head of 销售部 only
    response = call(head2_client(head2), "post", f"/leave-requests/{leave_id}/approve", {})
    assert response.status_code == 404
    assert LeaveRequest.objects.get(pk=leave_id).status == "pending"


def test_R_WFM_4_delegate_may_not_decide_before_the_window(demo, clients, clock, head2):
    hand_over(demo, head2, start=at(MONDAY, 10), end=at(WEDNESDAY, 8))
    leave_id = ask_leave(clients("agent"))
    clock(at(MONDAY, 9, 59))
    assert call(head2_client(head2), "post", f"/leave-requests/{leave_id}/approve", {}).status_code == 404
    clock(at(MONDAY, 10))
    assert call(head2_client(head2), "post", f"/leave-requests/{leave_id}/approve", {}).status_code == 200


def test_R_WFM_4_revoked_delegation_no_longer_lets_the_delegate_decide(demo, clients, clock, head2):
    delegation = hand_over(demo, head2)
    leave_id = ask_leave(clients("agent"))
    services.revoke_delegation(actor=demo.users["head1"], delegation_id=delegation.pk)
    assert call(head2_client(head2), "post", f"/leave-requests/{leave_id}/approve", {}).status_code == 404


def test_R_WFM_4_approver_deciding_themselves_records_no_delegation(demo, clients, clock, head2):
    hand_over(demo, head2)
    leave_id = ask_leave(clients("agent"))
    assert call(clients("head"), "post", f"/leave-requests/{leave_id}/approve", {}).status_code == 200
    assert LeaveRequest.objects.get(pk=leave_id).delegated_from is None


def test_R_WFM_4_delegate_decides_only_what_the_approver_could(demo, clients, clock, head2):
    """head1 decides leave of up to a day; two days is the director's, so head1's delegate may not decide it."""
    hand_over(demo, head2)
    response = call(clients("agent"), "post", "/leave-requests", {
        "kind": "personal", "start": str(WEDNESDAY + dt.timedelta(days=1)), "end": str(WEDNESDAY + dt.timedelta(days=2)),
        "reason": "家里有事"})
    assert response.json()["approver_role"] == "director"
    response = call(head2_client(head2), "post", f"/leave-requests/{response.json()['id']}/approve", {})
    assert response.status_code == 403


# -- who may be named, overlapping windows ---------------------------------------------------------------

def test_R_WFM_4_delegate_of_a_lower_role_is_refused(demo, clock):
    with pytest.raises(Exception) as refused:
        hand_over(demo, demo.users["lead1"])
    assert refused.value.status_code == 422
    assert [e.field for e in refused.value.errors] == ["delegate"]
    assert not Delegation.objects.exists()


def test_R_WFM_4_director_may_not_hand_over_to_a_head_but_a_head_to_the_director(demo, clock):
    with pytest.raises(Exception) as refused:
        hand_over(demo, demo.users["head1"], approver="director1")
    assert refused.value.errors[0].field == "delegate"
    assert hand_over(demo, demo.users["director1"]).delegate == demo.users["director1"]


def test_R_WFM_4_overlapping_delegations_of_one_approver_are_refused(demo, clock, head2):
    hand_over(demo, head2, start=at(MONDAY, 8), end=at(WEDNESDAY, 8))
    with pytest.raises(Exception) as refused:
        hand_over(demo, demo.users["director1"], start=at(WEDNESDAY, 7, 59), end=at(WEDNESDAY, 18))
    assert refused.value.errors[0].field == "start"
    assert Delegation.objects.count() == 1
    # back to back is not an overlap
    hand_over(demo, demo.users["director1"], start=at(WEDNESDAY, 8), end=at(WEDNESDAY, 18))
    assert Delegation.objects.count() == 2


def test_R_WFM_4_delegation_page_refuses_a_lower_role_with_a_field_error(demo, clients, clock):
    client = clients("head")
    response = client.post(reverse("workforce:delegation"), {
        "delegate": "lead1", "start": "2026-12-07T10:00", "end": "2026-12-08T10:00", "reason": "出差"})
    assert response.status_code == 422
    assert 'data-field="delegate"' in response.content.decode()
    assert not Delegation.objects.exists()
    response = client.post(reverse("workforce:delegation"), {
        "delegate": "director1", "start": "2026-12-07T10:00", "end": "2026-12-08T10:00", "reason": "出差"})
    assert response.status_code == 302
    assert Delegation.objects.get().delegate == demo.users["director1"]


def test_agents_may_not_hand_over_approvals(demo, clients, clock):
    assert clients("agent").post(reverse("workforce:delegation"), {"delegate": "head1"}).status_code == 403


# -- the delegate's inbox and notices ------------------------------------------------------------------

def test_R_WFM_4_delegate_sees_the_delegated_leave_in_the_approvals_inbox(demo, clients, clock, head2):
    hand_over(demo, head2)
    ask_leave(clients("agent"))
    page = head2_client(head2).get(reverse("workforce:approvals"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="delegated-inbox"' in text and 'data-testid="on-behalf"' in text
    clock(at(WEDNESDAY, 8))
    assert 'data-testid="delegated-inbox"' not in head2_client(head2).get(reverse("workforce:approvals")).content.decode()


def test_R_WFM_4_delegate_is_told_of_new_requests_while_the_approver_is_on_leave(demo, clients, clock, head2):
    hand_over(demo, head2)
    ask_leave(clients("agent"))
    assert not Notification.objects.filter(recipient=head2, kind="leave_pending").exists()  # head1 is not away
    LeaveRequest.objects.create(person=demo.users["head1"], kind="annual", start_at=at(MONDAY, 0),
                                end_at=at(WEDNESDAY, 0), days=2, reason="年假", status="approved",
                                approver_role="director", filed_by=demo.users["head1"])
    response = call(clients("agent"), "post", "/leave-requests", {
        "kind": "personal", "start": str(WEDNESDAY + dt.timedelta(days=2)), "end": str(WEDNESDAY + dt.timedelta(days=2)),
        "reason": "看病"})
    assert response.status_code == 201, response.content
    assert Notification.objects.filter(recipient=head2, kind="leave_pending").count() == 1
    assert Notification.objects.filter(recipient=demo.users["head1"], kind="leave_pending").count() == 2


def test_R_ORG_3_lead_hands_level_approvals_to_another_lead(demo, clients, clock):
    from kefu.workforce.tests.test_ladder import qualified

    qualified(demo, "agent1")
    services.create_delegation(actor=demo.users["lead1"], delegate=demo.users["lead2"], start_at=at(MONDAY, 8),
                               end_at=at(WEDNESDAY, 8))
    application = call(clients("agent"), "post", "/level-applications", {}).json()
    from django.test import Client

    lead2 = Client()
    lead2.force_login(demo.users["lead2"])
    inbox = call(lead2, "get", "/level-applications?inbox=true").json()
    assert [a["id"] for a in inbox["items"]] == [application["id"]]
    response = call(lead2, "post", f"/level-applications/{application['id']}/approve", {})
    assert response.status_code == 200, response.content
    assert LevelApplication.objects.get().decided_by == demo.users["lead2"]
    assert AuditEvent.objects.filter(object_type="workforce.levelapplication", note="on behalf of lead1").exists()


def test_approvals_page_query_count_does_not_grow_with_delegated_items(demo, clients, clock, head2):
    hand_over(demo, head2)
    client = head2_client(head2)
    ask_leave(clients("agent"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("workforce:approvals")).status_code == 200
    for role_user in ("agent2", "agent3", "agent4"):
        from django.test import Client

        other = Client()
        other.force_login(demo.users[role_user])
        ask_leave(other)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("workforce:approvals")).content.decode().count('data-testid="on-behalf"') == 4
    assert len(many) == len(few)


@pytest.mark.parametrize(("start", "end", "field"), [
    (at(MONDAY, 10), at(MONDAY, 10), "end"),
    (at(MONDAY, 10), at(MONDAY, 9), "end"),
    (at(MONDAY, 7), at(MONDAY, 8), "end"),  # already over
    (at(MONDAY, 10), at(MONDAY + dt.timedelta(days=367), 10), "end"),
    (at(MONDAY, 10), dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC), "end"),
])
def test_R_WFM_4_delegation_window_errors_name_the_field(demo, clock, head2, start, end, field):
    with pytest.raises(Exception) as refused:
        hand_over(demo, head2, start=start, end=end)
    assert refused.value.status_code == 422
    assert [e.field for e in refused.value.errors] == [field]
    assert not Delegation.objects.exists()
