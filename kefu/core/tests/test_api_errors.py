"""Bad input to the API is a 422 naming the field and changes nothing (R-ERR; issue 8, items 7 and 9).

Whole numbers are bounded by the column they meet (``kefu.core.api.Id``, ``Version``, ``Position``); a page
number by the offset a database can take (``PAGE_MAX``); and the OpenAPI document declares every status
an operation answers, the framework's own (401, 400, 422) included.
"""

from __future__ import annotations

import pytest

from kefu.core.api import BIGINT_MAX, INTEGER_MAX, PAGE_MAX

pytestmark = pytest.mark.django_db

API = "/api/v1"
TOO_BIG = BIGINT_MAX + 1  # 9223372036854775808: more than any 64-bit column holds

# the 13 paginated lists (PageNumber)
PAGINATED = [
    "/tickets", "/tickets/tasks/inbox", "/tickets/callbacks/queue",
    "/customers", "/customers/pool", "/followups/due", "/customers/io/jobs",
    "/notifications", "/announcements", "/knowledge/categories", "/knowledge/articles",
    "/org/people", "/audit/events",
]


def post(client, path, data):
    return client.post(f"{API}{path}", data, content_type="application/json")


def fields(response) -> set[str]:
    body = response.json()
    assert body["detail"] and isinstance(body["errors"], list)
    return {e["field"] for e in body["errors"]}


def audit_count() -> int:
    from kefu.audit.models import AuditEvent

    return AuditEvent.objects.count()


def test_R_ERR_ticket_with_empty_owner_is_422_naming_owner_and_creates_nothing(demo, clients):
    from kefu.tickets.models import Ticket

    client = clients("agent")  # (logging in is audited)
    before = (Ticket.objects.count(), audit_count())
    response = post(client, "/tickets", {
        "type": "consultation", "channel": "hotline", "title": "问发货时间", "shop": "tmall", "owner": ""})
    assert response.status_code == 422
    assert fields(response) == {"owner"}
    assert (Ticket.objects.count(), audit_count()) == before
    # no owner at all still means the caller
    created = post(client, "/tickets", {
        "type": "consultation", "channel": "hotline", "title": "问发货时间", "shop": "tmall", "owner": None})
    assert created.status_code == 201 and created.json()["owner"] == "agent1"


@pytest.mark.parametrize("path", PAGINATED)
def test_R_ERR_page_beyond_any_offset_is_422_naming_page(demo, clients, path):
    client = clients("admin")
    response = client.get(f"{API}{path}?page=9223372036854775807")
    assert response.status_code == 422, response.content
    assert fields(response) == {"page"}
    # the last page whose offset still fits is an empty page, not an error
    last = client.get(f"{API}{path}?page={PAGE_MAX}&page_size=500")
    assert last.status_code == 200, last.content
    assert last.json()["items"] == [] and last.json()["page"] == PAGE_MAX


def test_R_ERR_huge_notification_ids_are_422_and_mark_nothing(demo, clients):
    from kefu.notifications import services
    from kefu.notifications.models import Notification

    note = services.notify(recipients=[demo.users["agent1"]], kind="sla_warning", title="通知", url="/")[0]
    response = post(clients("agent"), "/notifications/read", {"ids": [note.pk, TOO_BIG]})
    assert response.status_code == 422
    assert fields(response) == {"ids.1"}
    assert Notification.objects.get(pk=note.pk).read_at is None
    assert post(clients("agent"), "/notifications/read", {"ids": [BIGINT_MAX]}).json()["marked"] == 0


def test_R_ERR_huge_announcement_teams_are_422_and_publish_nothing(demo, clients):
    from kefu.announcements.models import Announcement

    client = clients("head")
    before = (Announcement.objects.count(), audit_count())
    response = post(client, "/announcements", {"title": "新规", "body": "内容", "teams": [TOO_BIG]})
    assert response.status_code == 422
    assert fields(response) == {"teams.0"}
    assert (Announcement.objects.count(), audit_count()) == before


def test_R_ERR_category_position_beyond_its_column_is_422_and_creates_nothing(demo, clients):
    from kefu.knowledge.models import Category

    client = clients("admin")
    before = (Category.objects.count(), audit_count())
    for position in (INTEGER_MAX + 1, TOO_BIG, -1):
        response = post(client, "/knowledge/categories", {"name": "退换货", "position": position})
        assert response.status_code == 422, position
        assert fields(response) == {"position"}
    response = post(client, "/knowledge/categories", {"name": "退换货", "parent": TOO_BIG})
    assert response.status_code == 422 and fields(response) == {"parent"}
    assert (Category.objects.count(), audit_count()) == before
    created = post(client, "/knowledge/categories", {"name": "退换货", "position": INTEGER_MAX})
    assert created.status_code == 201 and created.json()["position"] == INTEGER_MAX


@pytest.mark.parametrize("path", [
    "/tickets/{id}", "/tickets/{id}/timeline", "/notifications/{id}", "/announcements/{id}",
    "/knowledge/articles/{id}", "/org/people/{id}",
])
def test_R_ERR_an_id_too_large_for_any_row_is_422_naming_it(demo, clients, path):
    client = clients("admin")
    response = client.get(API + path.format(id=TOO_BIG))
    assert response.status_code == 422
    (field,) = fields(response)
    assert field.endswith("_id")
    assert client.get(API + path.format(id=BIGINT_MAX)).status_code == 404


def test_R_ERR_huge_ids_and_versions_in_ticket_bodies_are_422(demo, clients):
    from kefu.tickets.models import Ticket

    client = clients("agent")
    ticket = post(client, "/tickets", {"type": "consultation", "channel": "hotline", "title": "问",
                                       "shop": "tmall"}).json()
    before = (Ticket.objects.count(), audit_count())
    cases = [
        ("/tickets", {"type": "consultation", "channel": "hotline", "title": "问", "shop": "tmall",
                      "customer_id": TOO_BIG}, "customer_id"),
        (f"/tickets/{ticket['id']}/transition", {"to": "in_progress", "version": TOO_BIG}, "version"),
        (f"/tickets/{ticket['id']}/link", {"other": TOO_BIG}, "other"),
        (f"/tickets/{ticket['id']}/merge", {"into": TOO_BIG}, "into"),
    ]
    for path, data, field in cases:
        response = post(client, path, data)
        assert response.status_code == 422, (path, response.content)
        assert fields(response) == {field}
    assert (Ticket.objects.count(), audit_count()) == before
    assert Ticket.objects.get(pk=ticket["id"]).version == ticket["version"]


def test_R_ERR_a_body_that_is_not_json_is_400_in_the_users_language(demo, clients):
    response = clients("agent").post(f"{API}/notifications/read", "{not json", content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [] and "Cannot parse" not in body["detail"]


def _openapi(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_R_ERR_openapi_declares_the_frameworks_errors_on_every_operation(demo, clients):
    """401 where a login is needed, 422 wherever there is input, 400 wherever there is a body — all with the
    API.md error body."""
    document = _openapi(clients("anonymous"))
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = set()
            if operation.get("security"):
                expected.add("401")
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if operation.get("requestBody"):
                expected.add("400")
            assert expected <= responses.keys(), (method, path, sorted(responses))
            for status in expected:
                assert responses[status]["content"]["application/json"]["schema"] == error_ref
            checked += 1
    assert checked > 60


@pytest.mark.parametrize(("method", "path", "statuses"), [
    ("get", "/audit/events", {"401", "403", "422"}),
    ("get", "/customers/io/jobs", {"401", "422"}),
    ("get", "/org/people", {"401", "422"}),
    ("get", "/org/people/{person_id}", {"401", "404", "422"}),
    ("patch", "/rules/{key}", {"400", "401", "403", "404", "409", "422"}),
    ("post", "/calendar/days", {"400", "401", "403", "422"}),
    ("post", "/notifications/read", {"400", "401", "422"}),
])
def test_R_ERR_openapi_declares_the_errors_issue_8_found_missing(demo, clients, method, path, statuses):
    responses = _openapi(clients("anonymous"))["paths"][API + path][method]["responses"]
    assert statuses <= responses.keys()


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/customers/null,null"), ("post", "/customers/abc/claim"), ("get", "/no-such-thing"),
    ("delete", "/leave-requests/x/y"),
])
def test_R_ERR_a_url_no_route_takes_is_the_apis_json_404(demo, clients, method, path):
    response = getattr(clients("agent"), method)(API + path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] and response.json()["errors"] == []


def test_R_ERR_the_json_404_does_not_shadow_routes(demo, clients):
    client = clients("agent")
    assert client.get(f"{API}/openapi.json").status_code == 200
    assert client.get(f"{API}/me").status_code == 200
    assert client.put(f"{API}/me").status_code == 405  # a route's other methods stay 405
    assert not any("rest" in path for path in _openapi(client)["paths"])


def test_R_ERR_the_nul_character_is_422_naming_the_field_and_changes_nothing(demo, clients):
    """PostgreSQL refuses text holding NUL (a 500 there before); every API input refuses it alike."""
    from kefu.tickets.models import Ticket

    agent = clients("agent")
    before = Ticket.objects.count()
    response = agent.post("/api/v1/tickets", {"shop": "tmall", "type": "consultation", "channel": "hotline",
                                              "title": "退款\x00"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"
    assert Ticket.objects.count() == before
    listed = agent.get("/api/v1/tickets", {"q": "退\x00款"})
    assert listed.status_code == 422
    assert listed.json()["errors"][0]["field"] == "q"
    nested = agent.post("/api/v1/customers", {"name": "张三", "shop": "tmall", "phones": ["1380013\x008000"]},
                        content_type="application/json")
    assert nested.status_code == 422
    assert nested.json()["errors"][0]["field"] == "phones.0"
