"""The role matrix of every existing workforce endpoint and page (R-ORG-2, R-WFM-1, R-WFM-4, R-WFM-5, R-ORG-4):
anonymous, agent, qa, lead, head and director each call it; the status is asserted, and on every refusal that
NOTHING changed — no row of any workforce table added, removed or given a new version or status, no audit
event, no notification.

The world (clock frozen on Monday 2026-12-07 09:00): agent1 and agent2 of 一班 (lead1) have an early shift
today and next Monday; agent2 has a pending one-day personal leave next Wednesday (the department head
decides); agent3 has a draft shift next Monday. ``agent`` is agent1: a colleague of agent2, never the person
of the leave under decision. The QA inspector reads centre-wide (rosters, leave, violations) and changes
nothing: 403 where the others get 404.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from kefu.audit.models import AuditEvent
from kefu.notifications.models import Notification
from kefu.workforce import services
from kefu.workforce.models import LeaveRequest, Shift
from kefu.workforce.tests.conftest import MONDAY, at, call

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)
ROLES = ["anonymous", "agent", "qa", "lead", "head", "director"]


def snapshot() -> dict:
    """Every workforce row by id with its version, status and freeing leave where it has them; audit events and
    notifications by count."""
    data = {}
    for model in apps.get_app_config("workforce").get_models():
        names = {f.attname for f in model._meta.concrete_fields}
        fields = ["pk", *[n for n in ("version", "status", "leave_id", "check_in_at", "absent") if n in names]]
        data[model.__name__] = sorted(model.objects.values_list(*fields))
    data["audit"] = AuditEvent.objects.count()
    data["notifications"] = Notification.objects.count()
    return data


@pytest.fixture
def world(demo, clock, make_shift):
    shifts = {
        "today": make_shift("agent1", MONDAY),
        "agent2_today": make_shift("agent2", MONDAY),
        "next": make_shift("agent1", NEXT_MONDAY),
        "agent2_next": make_shift("agent2", NEXT_MONDAY),
        "draft": make_shift("agent3", NEXT_MONDAY, status="draft"),  # for publishing
    }
    agent2 = demo.users["agent2"]
    wednesday = at(NEXT_MONDAY, 0) + dt.timedelta(days=2)
    leave = services.request_leave(actor=agent2, person=agent2, kind="personal", start_at=wednesday,
                                   end_at=wednesday + dt.timedelta(days=1), reason="家里有事")
    services.record_violation(actor=demo.users["lead1"], person=demo.users["agent2"], rule="R-ORG-4",
                              evidence="上班时间玩手机")
    return {"shifts": shifts, "leave": leave, "team": demo.teams[0]}


def _check(client, method, path, data, status, *, changes: bool):
    before = snapshot()
    if path.startswith("/api/"):
        response = call(client, method, path[len("/api/v1"):], data)
    elif method == "post":
        response = client.post(path, data or {})
    else:
        response = client.get(path)
    assert response.status_code == status, response.content[:500]
    if changes:
        assert snapshot() != before, "an allowed change changed nothing"
    else:
        assert snapshot() == before, "a refusal (or a read) changed something"
    return response


# -- the API -------------------------------------------------------------------------------------------------

# (name, method, path, body, {role: status}); a 2xx answer to a POST/DELETE is a change, everything else is not
API = [
    ("list shifts", "get", "/api/v1/shifts", None,
     {"anonymous": 401, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("create a shift", "post", "/api/v1/shifts",
     {"person": "agent1", "date": str(NEXT_MONDAY + dt.timedelta(days=1)), "shift_type": "early"},
     {"anonymous": 401, "agent": 403, "qa": 403, "lead": 201, "head": 201, "director": 201}),
    ("delete a shift", "delete", "/api/v1/shifts/{next}?version=1", None,
     {"anonymous": 401, "agent": 403, "qa": 403, "lead": 204, "head": 204, "director": 204}),
    ("publish the team's drafts", "post", "/api/v1/shifts/publish",
     {"team": "{team}", "date_from": str(MONDAY), "date_to": str(NEXT_MONDAY + dt.timedelta(days=6))},
     {"anonymous": 401, "agent": 403, "qa": 403, "lead": 200, "head": 200, "director": 200}),
    ("ask sick leave for agent1", "post", "/api/v1/leave-requests",
     {"person": "agent1", "kind": "sick", "start": str(NEXT_MONDAY), "end": str(NEXT_MONDAY), "reason": "发烧"},
     {"anonymous": 401, "agent": 201, "qa": 422, "lead": 201, "head": 201, "director": 201}),
    ("list leave", "get", "/api/v1/leave-requests", None,
     {"anonymous": 401, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("the approval inbox", "get", "/api/v1/leave-requests?inbox=true", None,
     {"anonymous": 401, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("one leave request", "get", "/api/v1/leave-requests/{leave}", None,
     {"anonymous": 401, "agent": 404, "qa": 404, "lead": 200, "head": 200, "director": 200}),
    ("approve agent2's leave", "post", "/api/v1/leave-requests/{leave}/approve", {},
     {"anonymous": 401, "agent": 404, "qa": 404, "lead": 403, "head": 200, "director": 200}),
    ("reject agent2's leave", "post", "/api/v1/leave-requests/{leave}/reject", {"note": "人手不足"},
     {"anonymous": 401, "agent": 404, "qa": 404, "lead": 403, "head": 200, "director": 200}),
    ("cancel agent2's leave", "post", "/api/v1/leave-requests/{leave}/cancel", {},
     {"anonymous": 401, "agent": 404, "qa": 404, "lead": 200, "head": 200, "director": 200}),
    ("record agent1's attendance", "post", "/api/v1/attendance",
     {"person": "agent1", "shift_id": "{today}", "check_in_at": "2026-12-07T09:05:00+08:00"},
     {"anonymous": 401, "agent": 403, "qa": 403, "lead": 201, "head": 201, "director": 201}),
    ("check in", "post", "/api/v1/attendance/check-in", {},
     {"anonymous": 401, "agent": 201, "qa": 422, "lead": 422, "head": 422, "director": 422}),
    ("list violations", "get", "/api/v1/violations", None,
     {"anonymous": 401, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("record a violation of agent2", "post", "/api/v1/violations",
     {"person": "agent2", "rule": "R-ORG-4", "kind": "away", "evidence": "离岗二十分钟"},
     {"anonymous": 401, "agent": 422, "qa": 403, "lead": 201, "head": 201, "director": 201}),
]


def _fill(value, world):
    keys = {"next": world["shifts"]["next"].pk, "today": world["shifts"]["today"].pk, "leave": world["leave"].pk,
            "team": world["team"].pk}
    if isinstance(value, str):
        return value.format(**keys)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), API, ids=[a[0] for a in API])
def test_R_ORG_2_workforce_api_role_matrix(clients, world, name, method, path, body, expected, role):
    status = expected[role]
    body = _fill(body, world)
    if body and body.get("shift_id"):
        body["shift_id"] = int(body["shift_id"])
    changes = method != "get" and 200 <= status < 300
    _check(clients(role), method, _fill(path, world), body, status, changes=changes)


def test_R_WFM_4_the_person_cannot_decide_their_own_leave_and_nothing_changes(demo, clients, world):
    client = clients("agent")
    client.force_login(demo.users["agent2"])
    for decision in ("approve", "reject"):
        _check(client, "post", f"/api/v1/leave-requests/{world['leave'].pk}/{decision}", {}, 403, changes=False)
    _check(client, "post", f"/api/v1/leave-requests/{world['leave'].pk}/cancel", {}, 200, changes=True)


def test_R_WFM_4_director_level_leave_is_refused_to_the_head_and_nothing_changes(demo, clients, world):
    agent2 = demo.users["agent2"]
    start = at(NEXT_MONDAY, 0) + dt.timedelta(days=3)
    long = services.request_leave(actor=agent2, person=agent2, kind="personal", start_at=start,
                                  end_at=start + dt.timedelta(days=2), reason="回老家")
    assert long.approver_role == "director"
    for decision in ("approve", "reject"):
        _check(clients("head"), "post", f"/api/v1/leave-requests/{long.pk}/{decision}", {}, 403, changes=False)
    _check(clients("director"), "post", f"/api/v1/leave-requests/{long.pk}/approve", {}, 200, changes=True)


def test_R_ORG_2_the_lead_of_team_two_touches_nothing_of_team_one(demo, clients, world):
    client = clients("lead")
    client.force_login(demo.users["lead2"])
    leave, shift = world["leave"], world["shifts"]["next"]
    _check(client, "delete", f"/api/v1/shifts/{shift.pk}?version=1", None, 404, changes=False)
    _check(client, "post", f"/api/v1/leave-requests/{leave.pk}/cancel", {}, 404, changes=False)
    _check(client, "post", "/api/v1/attendance", {"person": "agent1", "shift_id": world["shifts"]["today"].pk,
                                                  "check_in_at": "2026-12-07T09:05:00+08:00"}, 422, changes=False)
    _check(client, "post", "/api/v1/violations", {"person": "agent1", "rule": "R-ORG-4", "evidence": "迟到"}, 422,
           changes=False)


# -- the pages -----------------------------------------------------------------------------------------------

LOGIN = 302  # anonymous: to the login page
PAGES = [
    ("roster", "get", "/workforce/roster/?week=2026-12-07", None,
     {"anonymous": LOGIN, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("add a shift on the roster", "post", "/workforce/roster/?team={team}&week=2026-12-14",
     {"person": "agent1", "date": str(NEXT_MONDAY + dt.timedelta(days=1)), "shift_type": "early"},
     {"anonymous": LOGIN, "agent": 403, "qa": 403, "lead": 302, "head": 302, "director": 302}),
    ("my schedule", "get", "/workforce/me/", None,
     {"anonymous": LOGIN, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("leave form", "get", "/workforce/leave/new/", None,
     {"anonymous": LOGIN, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("leave form's rule checks", "get",
     "/workforce/leave/check/?kind=personal&start=2026-12-16T00:00&end=2026-12-17T00:00&reason=x", None,
     {"anonymous": LOGIN, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
    ("cancel agent2's leave", "post", "/workforce/leave/{leave}/cancel/", {},
     {"anonymous": LOGIN, "agent": 404, "qa": 404, "lead": 302, "head": 302, "director": 302}),
    ("check-in button", "post", "/workforce/attendance/in/", {},
     {"anonymous": LOGIN, "agent": 302, "qa": 302, "lead": 302, "head": 302, "director": 302}),
    # leads see the inbox too since the level ladder (they approve applications), with no leave in it
    ("approval inbox", "get", "/workforce/approvals/", None,
     {"anonymous": LOGIN, "agent": 403, "qa": 403, "lead": 200, "head": 200, "director": 200}),
    ("approve agent2's leave", "post", "/workforce/approvals/{leave}/approve/", {},
     {"anonymous": LOGIN, "agent": 404, "qa": 404, "lead": 403, "head": 302, "director": 302}),
    ("reject agent2's leave", "post", "/workforce/approvals/{leave}/reject/", {"note": "人手不足"},
     {"anonymous": LOGIN, "agent": 404, "qa": 404, "lead": 403, "head": 302, "director": 302}),
    ("violations", "get", "/workforce/violations/", None,
     {"anonymous": LOGIN, "agent": 200, "qa": 200, "lead": 200, "head": 200, "director": 200}),
]
# POSTs that change something for these roles (a page answers a refused check-in or cancel with a redirect
# and a message, so the status alone does not say whether it changed anything)
PAGE_CHANGES = {
    "add a shift on the roster": {"lead", "head", "director"},
    "cancel agent2's leave": {"lead", "head", "director"},
    "check-in button": {"agent"},
    "approve agent2's leave": {"head", "director"},
    "reject agent2's leave": {"head", "director"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_R_ORG_2_workforce_pages_role_matrix(clients, world, name, method, path, body, expected, role):
    response = _check(clients(role), method, _fill(path, world), body, expected[role],
                      changes=role in PAGE_CHANGES.get(name, set()))
    if role == "anonymous":
        assert "/login" in response["Location"] or "login" in response["Location"]


def test_R_WFM_5_check_in_button_refused_without_a_shift_changes_nothing(demo, clients, world):
    """agent3 has no shift today: the button answers with a message and records nothing."""
    client = clients("agent")
    client.force_login(demo.users["agent3"])
    response = _check(client, "post", "/workforce/attendance/in/", {}, 302, changes=False)
    assert response["Location"].endswith("/workforce/me/")
    assert not Shift.objects.filter(person=demo.users["agent3"], date=MONDAY).exists()
    assert LeaveRequest.objects.get(pk=world["leave"].pk).status == "pending"
