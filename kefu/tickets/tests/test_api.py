"""API.md "Tickets": every endpoint with its exact path, fields and status codes; the error shape; the
role matrix (a refused request changes nothing); stale versions; list query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.tickets.models import Callback, Compensation, DepartmentTask, Escalation, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
JSON = "application/json"
BASE = "/api/v1/tickets"


def post(client, path, data):
    return client.post(path, data, content_type=JSON)


def assert_error_shape(body, *, rule=None, fields=None):
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "message"} and item["message"]
    if rule is not None:
        assert body["rule"] == rule
    if fields is not None:
        assert [e["field"] for e in body["errors"]] == fields


# -- create ----------------------------------------------------------------------------------------


def test_create_returns_201_with_the_contract_fields(demo, clients):
    response = post(clients("agent"), BASE, {
        "type": "complaint", "channel": "hotline", "title": "快递破损", "description": "外箱压坏",
        "shop": "tmall", "priority": "high", "severity": "serious"})
    assert response.status_code == 201, response.content
    body = response.json()
    for key in ("id", "number", "status", "owner", "first_response_due", "resolution_due", "version"):
        assert key in body
    assert body["status"] == "new" and body["owner"] == "agent1" and body["version"] >= 1
    assert body["type"] == "complaint" and body["severity"] == "serious" and body["shop"] == "tmall"
    assert body["escalation_level"] == "agent"
    # datetimes in ISO 8601 with the organisation's offset
    assert body["resolution_due"].endswith("+08:00")
    assert dt.datetime.fromisoformat(body["first_response_due"]) < dt.datetime.fromisoformat(body["resolution_due"])
    assert Ticket.objects.get(pk=body["id"]).number == body["number"]


@pytest.mark.parametrize("channel", ["hotline", "chat", "email", "visit", "web", "api"])
def test_create_owner_is_the_creator_for_every_channel(demo, clients, channel):
    response = post(clients("agent"), BASE, {"type": "query", "channel": channel, "title": "查询",
                                             "description": "", "shop": "jd", "priority": "normal"})
    assert response.status_code == 201 and response.json()["owner"] == "agent1"


def test_create_with_customer_id(demo, clients, make_customer):
    customer = make_customer()
    response = post(clients("agent"), BASE, {"type": "after_sales", "channel": "chat", "title": "维修",
                                             "description": "", "shop": "tmall", "priority": "low",
                                             "customer_id": customer.pk})
    assert response.status_code == 201 and response.json()["customer_id"] == customer.pk


@pytest.mark.parametrize(("change", "fields"), [
    ({"type": "praise"}, ["type"]),
    ({"channel": "fax"}, ["channel"]),
    ({"priority": "asap"}, ["priority"]),
    ({"title": ""}, ["title"]),
    ({"severity": "major"}, ["severity"]),  # only complaints have one
    ({"type": "complaint", "severity": "tiny"}, ["severity"]),
    ({"customer_id": 999999}, ["customer_id"]),
    ({"type": "praise", "channel": "fax"}, ["type", "channel"]),
])
def test_create_bad_input_is_422_naming_the_fields(demo, clients, change, fields):
    data = {"type": "query", "channel": "hotline", "title": "x", "description": "", "shop": "tmall",
            "priority": "normal", **change}
    response = post(clients("agent"), BASE, data)
    assert response.status_code == 422
    assert_error_shape(response.json(), fields=fields)
    assert not Ticket.objects.exists()


def test_create_missing_fields_are_named(demo, clients):
    response = post(clients("agent"), BASE, {"channel": "hotline"})
    assert response.status_code == 422
    assert {"type", "title", "shop"} <= {e["field"] for e in response.json()["errors"]}
    assert not Ticket.objects.exists()


def test_create_unknown_shop_is_404(demo, clients):
    response = post(clients("agent"), BASE, {"type": "query", "channel": "hotline", "title": "x", "description": "",
                                             "shop": "nope", "priority": "normal"})
    assert response.status_code == 404
    assert_error_shape(response.json())
    assert not Ticket.objects.exists()


def test_create_anonymous_is_401(demo, clients):
    response = post(clients("anonymous"), BASE, {"type": "query", "channel": "hotline", "title": "x",
                                                 "description": "", "shop": "tmall", "priority": "normal"})
    assert response.status_code == 401
    assert_error_shape(response.json())
    assert not Ticket.objects.exists()


def test_bearer_token_works(demo, client):
    token = post(client, "/api/v1/auth/token", {"username": "agent1", "password": "kefu-demo-2026"}).json()["token"]
    response = client.post(BASE, {"type": "query", "channel": "api", "title": "x", "description": "",
                                  "shop": "tmall", "priority": "normal"}, content_type=JSON,
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201 and response.json()["owner"] == "agent1"


# -- read ------------------------------------------------------------------------------------------


def test_get_one_and_404(demo, clients, make_ticket):
    ticket = make_ticket()
    response = clients("agent").get(f"{BASE}/{ticket.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == ticket.pk and body["number"] == ticket.number and body["version"] == ticket.version
    assert body["tasks"] == [] and body["escalations"] == [] and body["compensations"] == []
    missing = clients("agent").get(f"{BASE}/999999")
    assert missing.status_code == 404
    assert_error_shape(missing.json())
    assert clients("anonymous").get(f"{BASE}/{ticket.pk}").status_code == 401


def test_list_pagination_shape(demo, clients, make_ticket):
    for _ in range(3):
        make_ticket()
    body = clients("agent").get(f"{BASE}?page=1&page_size=2").json()
    assert set(body) == {"items", "count", "page", "page_size", "next"}  # API.md's fields, and the keyset cursor
    assert body["count"] == 3 and body["page"] == 1 and body["page_size"] == 2 and len(body["items"]) == 2
    assert len(clients("agent").get(f"{BASE}?page=2&page_size=2").json()["items"]) == 1


def test_list_filters(demo, clients, make_ticket):
    a = make_ticket(type="complaint")
    make_ticket(actor="agent2")
    body = clients("lead").get(f"{BASE}?owner=agent1&type=complaint").json()
    assert [i["id"] for i in body["items"]] == [a.pk]


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{BASE}?page_size=100")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def test_list_query_count_does_not_grow_with_rows(demo, clients, make_ticket, make_customer):
    customer = make_customer(phones=["13800138000"])
    for i in range(5):
        make_ticket(actor=f"agent{1 + i % 3}", customer_id=customer.pk, caller_phone="13800138000")
    few, n = _list_queries(clients("lead"))
    assert n == 5
    for i in range(20):
        make_ticket(actor=f"agent{1 + i % 3}", type="complaint")
    many, n = _list_queries(clients("lead"))
    assert n == 25
    assert many == few
    assert few <= 12, few


# -- transition ------------------------------------------------------------------------------------


def test_transition_path_fields_and_stale_version(demo, clients, make_ticket):
    ticket = make_ticket()
    client = clients("agent")
    response = post(client, f"{BASE}/{ticket.pk}/transition", {"to": "in_progress", "note": "开始处理",
                                                               "version": ticket.version})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress" and body["version"] == ticket.version + 1
    stale = post(client, f"{BASE}/{ticket.pk}/transition", {"to": "resolved", "version": ticket.version})
    assert stale.status_code == 409
    assert_error_shape(stale.json())
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    missing_version = post(client, f"{BASE}/{ticket.pk}/transition", {"to": "resolved"})
    assert missing_version.status_code == 422
    assert_error_shape(missing_version.json(), fields=["version"])
    bad = post(client, f"{BASE}/{ticket.pk}/transition", {"to": "archived", "version": body["version"]})
    assert bad.status_code == 422
    assert_error_shape(bad.json(), fields=["to"])
    assert Ticket.objects.get(pk=ticket.pk).version == body["version"]


def test_transition_reopen_from_resolved_and_closed(demo, clients, make_ticket):
    ticket = make_ticket()
    client = clients("agent")
    version = ticket.version
    for to in ("resolved", "in_progress", "resolved", "closed", "in_progress"):
        response = post(client, f"{BASE}/{ticket.pk}/transition", {"to": to, "version": version})
        assert response.status_code == 200, (to, response.content)
        version = response.json()["version"]
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_transition_refused_by_the_rule_names_it(demo, clients, make_ticket):
    ticket = make_ticket()
    response = post(clients("agent"), f"{BASE}/{ticket.pk}/transition", {"to": "callback_done",
                                                                         "version": ticket.version})
    assert response.status_code == 422
    assert_error_shape(response.json())
    assert response.json()["rule"] in {"R-TIC-2", "R-TIC-8"}


# -- handover --------------------------------------------------------------------------------------


def test_handover_creates_a_task_and_keeps_the_owner(demo, clients, make_ticket):
    ticket = make_ticket()
    due = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    response = post(clients("agent"), f"{BASE}/{ticket.pk}/handover",
                    {"department": "物流部", "note": "查询物流", "due": due.isoformat()})
    assert response.status_code == 201, response.content
    task = response.json()
    assert task["department"] == "物流部" and task["status"] == "open" and task["ticket_id"] == ticket.pk
    assert dt.datetime.fromisoformat(task["due"]) == due
    assert task["ticket_owner"] == "agent1"
    detail = clients("agent").get(f"{BASE}/{ticket.pk}").json()
    assert detail["owner"] == "agent1" and detail["status"] == "waiting"
    assert [t["department"] for t in detail["tasks"]] == ["物流部"]
    assert [t["id"] for t in clients("agent").get(f"{BASE}/{ticket.pk}/tasks").json()] == [task["id"]]


def test_handover_without_due_gets_the_default_and_unknown_department_is_422(demo, clients, make_ticket):
    ticket = make_ticket()
    ok = post(clients("agent"), f"{BASE}/{ticket.pk}/handover", {"department": "维修部", "note": "检修"})
    assert ok.status_code == 201 and ok.json()["due"]
    ticket.refresh_from_db()
    version = ticket.version
    bad = post(clients("agent"), f"{BASE}/{ticket.pk}/handover", {"department": "宣传部", "note": "x"})
    assert bad.status_code == 422
    assert_error_shape(bad.json(), fields=["department"])
    assert DepartmentTask.objects.count() == 1 and Ticket.objects.get(pk=ticket.pk).version == version


def test_department_person_completes_over_the_api(demo, clients, make_ticket, department_user):
    from django.test import Client

    ticket = make_ticket()
    task_id = post(clients("agent"), f"{BASE}/{ticket.pk}/handover", {"department": "物流部", "note": "x"}).json()["id"]
    refused = post(clients("agent"), f"{BASE}/tasks/{task_id}/complete", {"result": "done"})
    assert refused.status_code == 403
    assert DepartmentTask.objects.get(pk=task_id).status == "open"
    wuliu = Client()
    wuliu.force_login(department_user)
    assert [t["id"] for t in wuliu.get(f"{BASE}/tasks/inbox").json()["items"]] == [task_id]
    done = post(wuliu, f"{BASE}/tasks/{task_id}/complete", {"result": "已派送"})
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["done_by"] == "wuliu1"
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


# -- escalate --------------------------------------------------------------------------------------


def test_escalate_one_level_and_emergency_skip(demo, clients, make_ticket):
    ticket = make_ticket()
    client = clients("agent")
    response = post(client, f"{BASE}/{ticket.pk}/escalate", {"emergency": False, "reason": "客户要求"})
    assert response.status_code == 200 and response.json()["escalation_level"] == "lead"
    skip = post(client, f"{BASE}/{ticket.pk}/escalate", {"emergency": False, "reason": "x", "to_level": "director"})
    assert skip.status_code == 422
    assert_error_shape(skip.json(), rule="R-TIC-6")
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == "lead"
    emergency = post(client, f"{BASE}/{ticket.pk}/escalate", {"emergency": True, "reason": "紧急",
                                                              "to_level": "director"})
    assert emergency.status_code == 200 and emergency.json()["escalation_level"] == "director"
    escalations = client.get(f"{BASE}/{ticket.pk}").json()["escalations"]
    assert escalations[-1]["skipped"] == ["head"] and escalations[-1]["emergency"] is True
    top = post(client, f"{BASE}/{ticket.pk}/escalate", {"reason": "again"})
    assert top.status_code == 422 and top.json()["rule"] == "R-TIC-6"


# -- compensation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "status", "role"), [("50.00", "approved", None), ("50.01", "pending", "lead"),
                                                        (50, "approved", None), ("1000.01", "pending", "director")])
def test_compensation_201_with_status(demo, clients, make_ticket, amount, status, role):
    ticket = make_ticket(type="complaint")
    response = post(clients("agent"), f"{BASE}/{ticket.pk}/compensation", {"amount": amount, "reason": "补偿"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == status and body["approver_role"] == role
    assert body["amount"] == f"{float(amount):.2f}"


def test_compensation_approve_over_the_api(demo, clients, make_ticket):
    ticket = make_ticket(type="complaint")
    comp = post(clients("agent"), f"{BASE}/{ticket.pk}/compensation", {"amount": "300", "reason": "x"}).json()
    assert comp["approver_role"] == "head"
    refused = post(clients("lead"), f"{BASE}/compensations/{comp['id']}/decide", {"approve": True})
    assert refused.status_code == 403
    assert Compensation.objects.get(pk=comp["id"]).status == "pending"
    ok = post(clients("head"), f"{BASE}/compensations/{comp['id']}/decide", {"approve": True})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1.005"])
def test_compensation_bad_amount_is_422(demo, clients, make_ticket, amount):
    ticket = make_ticket(type="complaint")
    response = post(clients("agent"), f"{BASE}/{ticket.pk}/compensation", {"amount": amount, "reason": "x"})
    assert response.status_code == 422
    assert_error_shape(response.json(), fields=["amount"])
    assert not Compensation.objects.exists()


# -- callback --------------------------------------------------------------------------------------


def test_callback_solved(demo, clients, make_ticket):
    ticket = make_ticket(type="after_sales")
    client = clients("agent")
    version = post(client, f"{BASE}/{ticket.pk}/transition", {"to": "resolved", "version": ticket.version}).json()[
        "version"]
    assert clients("agent").get(f"{BASE}/{ticket.pk}").json()["callbacks"][0]["done_at"] is None
    response = post(client, f"{BASE}/{ticket.pk}/callback", {"satisfaction": 5, "solved": True})
    assert response.status_code == 200
    assert response.json()["ticket_status"] == "callback_done"
    closed = post(client, f"{BASE}/{ticket.pk}/transition", {"to": "closed", "version": version + 1})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


# -- role matrix -----------------------------------------------------------------------------------


def snapshot():
    return (
        list(Ticket.objects.order_by("id").values_list("status", "escalation_level", "version", "owner_id")),
        DepartmentTask.objects.count(), Escalation.objects.count(), Compensation.objects.count(),
        list(Callback.objects.values_list("done_at", flat=True)), TicketEvent.objects.count(),
    )


ACTIONS = {
    "transition": lambda t: ("transition", {"to": "in_progress", "version": t.version}),
    "handover": lambda t: ("handover", {"department": "物流部", "note": "查件"}),
    "escalate": lambda t: ("escalate", {"emergency": False, "reason": "上报"}),
    "compensation": lambda t: ("compensation", {"amount": "10.00", "reason": "补偿"}),
    "callback": lambda t: ("callback", {"satisfaction": 4, "solved": True}),
    "merge": lambda t: ("merge", {"into": t.other}),
}
# the ticket belongs to agent4 of 二班: agent1 and lead1 (一班) and qa1 may not act on it
EXPECTED = {"anonymous": 401, "agent": 403, "lead": 403, "qa": 403, "head": "ok", "director": "ok"}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_matrix_refusals_change_nothing(demo, clients, make_ticket, action, role):
    ticket = make_ticket(actor="agent4", type="complaint")
    ticket.other = make_ticket(actor="agent4", type="complaint").pk
    if action == "callback":
        ticket.refresh_from_db()
        from kefu.tickets import services

        ticket = services.transition(actor=demo.users["agent4"], ticket_id=ticket.pk, to="resolved",
                                     version=ticket.version)
        ticket.other = None
    path, data = ACTIONS[action](ticket)
    before = snapshot()
    response = post(clients(role), f"{BASE}/{ticket.pk}/{path}", data)
    expected = EXPECTED[role]
    if expected == "ok":
        assert response.status_code in (200, 201), response.content
        assert snapshot() != before
    else:
        assert response.status_code == expected, response.content
        assert_error_shape(response.json())
        assert snapshot() == before


def test_role_matrix_the_own_team_lead_may_act(demo, clients, make_ticket):
    ticket = make_ticket(actor="agent2")
    response = post(clients("lead"), f"{BASE}/{ticket.pk}/transition", {"to": "in_progress",
                                                                        "version": ticket.version})
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["agent", "lead", "qa", "head", "director"])
def test_role_matrix_everyone_in_scope_reads(demo, clients, make_ticket, role):
    ticket = make_ticket(actor="agent4")
    assert clients(role).get(f"{BASE}/{ticket.pk}").status_code == 200
    assert clients(role).get(BASE).json()["count"] == 1


def test_anonymous_reads_nothing(demo, clients, make_ticket):
    make_ticket()
    response = clients("anonymous").get(BASE)
    assert response.status_code == 401
    assert_error_shape(response.json())


def test_openapi_lists_the_ticket_paths(demo, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/tickets", "/api/v1/tickets/{ticket_id}", "/api/v1/tickets/{ticket_id}/transition",
                 "/api/v1/tickets/{ticket_id}/handover", "/api/v1/tickets/{ticket_id}/escalate",
                 "/api/v1/tickets/{ticket_id}/compensation", "/api/v1/tickets/{ticket_id}/callback"):
        assert path in paths, path


def test_patch_needs_the_version_and_detects_stale_ones(demo, clients, make_ticket):
    ticket = make_ticket(type="complaint")
    client = clients("agent")
    response = client.patch(f"{BASE}/{ticket.pk}", {"severity": "major", "root_cause": "产品质量",
                                                    "version": ticket.version}, content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["severity"] == "major" and body["root_cause"] == "产品质量" and body["version"] == ticket.version + 1
    stale = client.patch(f"{BASE}/{ticket.pk}", {"title": "新标题", "version": ticket.version}, content_type=JSON)
    assert stale.status_code == 409
    assert_error_shape(stale.json())
    missing = client.patch(f"{BASE}/{ticket.pk}", {"title": "新标题"}, content_type=JSON)
    assert missing.status_code == 422 and [e["field"] for e in missing.json()["errors"]] == ["version"]
    assert Ticket.objects.get(pk=ticket.pk).title == ticket.title
    refused = clients("qa").patch(f"{BASE}/{ticket.pk}", {"title": "x", "version": body["version"]},
                                  content_type=JSON)
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).version == body["version"]


def test_recovery_action_over_the_api(demo, clients, make_ticket):
    ticket = make_ticket(type="complaint")
    response = post(clients("agent"), f"{BASE}/{ticket.pk}/recovery-actions", {"action": "上门致歉"})
    assert response.status_code == 201 and response.json()["by"] == "agent1"
    assert [r["action"] for r in clients("agent").get(f"{BASE}/{ticket.pk}").json()["recovery_actions"]] == ["上门致歉"]
