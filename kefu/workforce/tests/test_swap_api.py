"""R-WFM-3 shift swaps through the API and the pages: POST /api/v1/shift-swaps → 201 pending or 422 naming
R-WFM-3 and the field; the role matrix of approving (nothing changes on a refusal); scope of the list; the
version on every decision; query counts of the list; the swaps page with its live rule checks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.audit.models import AuditEvent
from kefu.workforce import services
from kefu.workforce.models import Shift, ShiftSwap
from kefu.workforce.tests.conftest import MONDAY, call

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def day(n: int) -> dt.date:
    return NEXT_MONDAY + dt.timedelta(days=n)


def state():
    return (list(ShiftSwap.objects.order_by("pk").values_list("pk", "status", "requester_lead_approved_by",
                                                                "counterpart_lead_approved_by", "version")),
            list(Shift.objects.order_by("pk").values_list("pk", "person_id", "swap_id")), AuditEvent.objects.count())


@pytest.fixture
def add(demo, clock):
    def make(username: str, date: dt.date, start: str = "09:00", end: str = "18:00") -> Shift:
        return services.create_shift(actor=demo.users["head1"], person=demo.users[username], date=date, kind="day",
                                     start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end))

    return make


@pytest.fixture
def pending(demo, add, clients):
    """agent1 asks to swap Monday's 09-18 for agent2's Monday 13-22 (both 一班), through the API."""
    mine, theirs = add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00")
    response = call(clients("agent"), "post", "/shift-swaps",
                    {"shift_id": mine.pk, "with_shift_id": theirs.pk, "reason": "孩子开家长会"})
    assert response.status_code == 201, response.content
    return response.json()


def test_R_WFM_3_asking_returns_201_pending(pending):
    assert pending["status"] == "pending"
    assert (pending["requester"], pending["counterpart"]) == ("agent1", "agent2")
    assert pending["shift"]["person"] == "agent1" and pending["with_shift"]["person"] == "agent2"
    assert pending["version"] == 1 and pending["paid_back"] is False and pending["payback_for"] is None


def test_R_WFM_3_a_refusal_is_422_naming_the_rule_and_the_field(demo, add, clients):
    add("agent1", day(0))
    mine, theirs = add("agent1", day(1), "12:00", "16:00"), add("agent2", day(1), "01:59", "06:00")
    client = clients("agent")
    before = state()
    response = call(client, "post", "/shift-swaps",
                    {"shift_id": mine.pk, "with_shift_id": theirs.pk, "reason": "有事"})
    assert response.status_code == 422
    body = response.json()
    assert body["rule"] == "R-WFM-3" and body["detail"]
    assert [e["field"] for e in body["errors"]] == ["with_shift_id"]
    assert state() == before


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("agent", 422), ("lead", 422), ("head", 422),
])
def test_R_WFM_3_only_the_owner_asks_for_their_shift(demo, add, clients, role, status):
    shift, other = add("agent2", day(0)), add("agent3", day(0), "13:00", "22:00")
    client = clients(role)
    before = state()
    response = call(client, "post", "/shift-swaps",
                    {"shift_id": shift.pk, "with_shift_id": other.pk, "reason": "有事"})
    assert response.status_code == status
    if status == 422:
        assert response.json()["rule"] == "R-WFM-3"
        assert "shift_id" in [e["field"] for e in response.json()["errors"]]
    assert state() == before


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("agent", 403), ("qa", 403), ("lead", 200), ("head", 200), ("director", 200), ("admin", 403),
])
def test_R_WFM_3_role_matrix_approving(demo, clients, pending, role, status):
    """agent1 (the requester) may not approve; QA sees the department's swaps but approves none."""
    client = clients(role)
    before = state()
    response = call(client, "post", f"/shift-swaps/{pending['id']}/approve", {"version": pending["version"]})
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["status"] == "approved"
    else:
        assert state() == before


def test_R_WFM_3_outside_the_scope_a_swap_does_not_exist(demo, add, clients, pending):
    from django.test import Client

    for username in ("agent3", "lead2"):
        client = Client()
        client.force_login(demo.users[username])
        before = state()
        assert call(client, "post", f"/shift-swaps/{pending['id']}/approve", {"version": 1}).status_code == 404
        assert call(client, "get", f"/shift-swaps/{pending['id']}").status_code == 404
        assert state() == before


def test_R_WFM_3_decisions_need_the_version_read(demo, clients, pending):
    lead = clients("lead")
    before = state()
    assert call(lead, "post", f"/shift-swaps/{pending['id']}/approve", {"version": 7}).status_code == 409
    assert call(lead, "post", f"/shift-swaps/{pending['id']}/approve", {}).status_code == 422
    assert state() == before
    refused = call(lead, "post", f"/shift-swaps/{pending['id']}/reject", {"version": 1, "note": ""})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "note"
    rejected = call(lead, "post", f"/shift-swaps/{pending['id']}/reject", {"version": 1, "note": "人手不够"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"


def test_R_WFM_3_the_requester_cancels_while_pending_the_counterpart_cannot(demo, clients, pending):
    from django.test import Client

    agent2 = Client()
    agent2.force_login(demo.users["agent2"])
    before = state()
    assert call(agent2, "post", f"/shift-swaps/{pending['id']}/cancel", {"version": 1}).status_code == 403
    assert state() == before
    response = call(clients("agent"), "post", f"/shift-swaps/{pending['id']}/cancel", {"version": 1})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = call(clients("agent"), "post", f"/shift-swaps/{pending['id']}/cancel", {"version": 2})
    assert again.status_code == 422


def test_R_WFM_3_both_leads_approve_a_swap_across_teams(demo, add, clients):
    from django.test import Client

    mine, theirs = add("agent1", day(0)), add("agent4", day(0), "13:00", "22:00")
    swap = call(clients("agent"), "post", "/shift-swaps",
                {"shift_id": mine.pk, "with_shift_id": theirs.pk, "reason": "有事"}).json()
    first = call(clients("lead"), "post", f"/shift-swaps/{swap['id']}/approve", {"version": 1}).json()
    assert first["status"] == "pending" and first["requester_lead_approved_by"] == "lead1"
    assert first["counterpart_lead_approved_by"] is None
    lead2 = Client()
    lead2.force_login(demo.users["lead2"])
    inbox = call(lead2, "get", "/shift-swaps?inbox=true").json()
    assert [s["id"] for s in inbox["items"]] == [swap["id"]]
    assert call(clients("lead"), "get", "/shift-swaps?inbox=true").json()["count"] == 0
    done = call(lead2, "post", f"/shift-swaps/{swap['id']}/approve", {"version": first["version"]}).json()
    assert done["status"] == "approved" and done["counterpart_lead_approved_by"] == "lead2"
    assert done["shift"]["person"] == "agent4" and done["with_shift"]["person"] == "agent1"


def test_R_WFM_3_list_scope_own_team_and_all(demo, add, clients, pending):
    from django.test import Client

    other = call(Client(), "get", "/shift-swaps")
    assert other.status_code == 401
    seen = {}
    for username in ("agent1", "agent2", "agent3", "lead1", "lead2", "head1", "director1"):
        client = Client()
        client.force_login(demo.users[username])
        seen[username] = call(client, "get", "/shift-swaps").json()["count"]
    assert seen == {"agent1": 1, "agent2": 1, "agent3": 0, "lead1": 1, "lead2": 0, "head1": 1, "director1": 1}


def test_R_WFM_3_the_list_takes_the_same_queries_for_1_or_6_swaps(demo, add, clients):
    client = clients("head")

    def ask(requester: str, counterpart: str, n: int) -> None:
        services_swaps.request_swap(actor=demo.users[requester], shift_id=add(requester, day(n)).pk,
                                    with_shift_id=add(counterpart, day(n), "13:00", "22:00").pk, reason="有事")

    from kefu.workforce.services import swaps as services_swaps

    ask("agent1", "agent2", 0)
    call(client, "get", "/shift-swaps")  # warm the caches (scope, rules)
    with CaptureQueriesContext(connection) as one:
        assert call(client, "get", "/shift-swaps").json()["count"] == 1
    ask("agent1", "agent4", 2)
    ask("agent3", "agent5", 0)
    ask("agent3", "agent6", 2)
    ask("agent5", "agent6", 4)
    ask("agent4", "agent2", 6)
    with CaptureQueriesContext(connection) as six:
        assert call(client, "get", "/shift-swaps").json()["count"] == 6
    assert len(six) == len(one) <= 6, [q["sql"] for q in six.captured_queries]


# -- pages --------------------------------------------------------------------------------------------------

def test_R_WFM_3_the_swaps_page_asks_with_live_checks(demo, add, clients):
    mine, theirs = add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00")
    client = clients("agent")
    page = client.get(reverse("workforce:swaps"))
    assert page.status_code == 200
    assert 'data-testid="swap-form"' in page.content.decode()
    checks = client.get(reverse("workforce:swap_check"), {"shift_id": mine.pk, "with_shift_id": theirs.pk})
    assert checks.status_code == 200
    html = checks.content.decode()
    assert 'data-ok="true"' in html and 'data-ok="false"' not in html
    response = client.post(reverse("workforce:swaps"), {"shift_id": mine.pk, "with_shift_id": theirs.pk,
                                                        "reason": "有事"})
    assert response.status_code == 302
    assert ShiftSwap.objects.get().status == "pending"


def test_R_WFM_3_the_page_shows_a_refusal_on_the_form_and_changes_nothing(demo, add, clients):
    add("agent1", day(0))
    mine, theirs = add("agent1", day(1), "12:00", "16:00"), add("agent2", day(1), "01:59", "06:00")
    client = clients("agent")
    checks = client.get(reverse("workforce:swap_check"), {"shift_id": mine.pk, "with_shift_id": theirs.pk}).content
    assert b'data-ok="false"' in checks
    before = state()
    response = client.post(reverse("workforce:swaps"), {"shift_id": mine.pk, "with_shift_id": theirs.pk,
                                                        "reason": "有事"})
    assert response.status_code == 422
    assert b'data-field="with_shift_id"' in response.content
    assert state() == before


def test_R_WFM_3_the_lead_approves_on_the_page(demo, clients, pending):
    lead = clients("lead")
    page = lead.get(reverse("workforce:swaps")).content.decode()
    assert 'data-testid="swap-inbox"' in page and f'data-swap="{pending["id"]}"' in page
    response = lead.post(reverse("workforce:swap_decide", args=[pending["id"], "approve"]), {"version": 1})
    assert response.status_code == 302
    assert ShiftSwap.objects.get().status == "approved"
    owed = clients("agent").get(reverse("workforce:swaps")).content.decode()
    assert 'data-testid="owed-paybacks"' in owed


def test_R_WFM_3_an_agent_cannot_approve_on_the_page(demo, clients, pending):
    from django.test import Client

    agent2 = Client()
    agent2.force_login(demo.users["agent2"])
    before = state()
    response = agent2.post(reverse("workforce:swap_decide", args=[pending["id"], "approve"]), {"version": 1})
    assert response.status_code == 403
    assert state() == before


def test_R_WFM_3_the_swaps_page_takes_the_same_queries_for_1_or_5_swaps(demo, add, clients):
    from kefu.workforce.services import swaps as services_swaps

    client = clients("head")

    def ask(requester: str, counterpart: str, n: int) -> None:
        services_swaps.request_swap(actor=demo.users[requester], shift_id=add(requester, day(n)).pk,
                                    with_shift_id=add(counterpart, day(n), "13:00", "22:00").pk, reason="有事")

    ask("agent1", "agent2", 0)
    client.get(reverse("workforce:swaps"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("workforce:swaps")).status_code == 200
    ask("agent1", "agent4", 2)
    ask("agent3", "agent5", 0)
    ask("agent3", "agent6", 2)
    ask("agent5", "agent6", 4)
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("workforce:swaps"))
    assert page.content.decode().count('data-testid="swap-row"') == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
