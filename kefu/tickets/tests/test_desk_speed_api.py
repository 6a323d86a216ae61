"""The open list through the API (issue 13): its items are written from ``.values()`` rows (api.ticket_item), not
validated through TicketOut's pydantic model and resolvers. The answer is byte for byte what TicketOut gave,
the OpenAPI document is unchanged, and the number of queries does not grow with the page."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from kefu.core.api import KefuRenderer
from kefu.tickets import api, selectors
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tickets"


@pytest.fixture
def varied(make_ticket, make_customer, demo):
    now = timezone.now()
    customer = make_customer(phones=["13800138000"])
    tickets = [
        make_ticket(title="普通咨询", tags=["退款", "加急"]),
        make_ticket(title="客户<b>\"加急\"</b> & 'x'", customer_id=customer.pk, description="多行\n说明"),
        make_ticket(title="来电", caller_phone="13912345678", type="complaint", severity="serious"),
        make_ticket(actor="admin", channel="web", assign_automatically=False, title="队列里的"),
        make_ticket(title="售后", type="after_sales", after_sales_kind="refund", priority="urgent"),
        make_ticket(title="已解决"),
        make_ticket(title="被合并"),
    ]
    ids = [t.pk for t in tickets]
    Ticket.objects.filter(pk=ids[4]).update(escalation_level="lead", supervised=True, first_responded_at=now,
                                            handling_seconds=321)
    Ticket.objects.filter(pk=ids[5]).update(status="resolved", resolved_at=now + dt.timedelta(microseconds=7),
                                            first_responded_at=now, resolution_due=None)
    Ticket.objects.filter(pk=ids[6]).update(status="closed", merged_into_id=ids[0], closed_at=now, waiting_on="")
    return ids


def _schema_items(request, ids) -> list[dict]:
    """The items as they were: each ticket validated through TicketOut and its resolvers."""
    rows = selectors.for_list(Ticket.objects.filter(pk__in=ids)).select_related("created_by", "merged_into")
    by_id = {t.pk: t for t in rows}
    return [api.TicketOut.model_validate(by_id[pk], context={"request": request}).model_dump() for pk in ids]


@pytest.mark.parametrize("who", ["agent1", "lead1", "director1"])
def test_list_items_are_byte_for_byte_what_ticketout_gave(demo, varied, who):
    request = RequestFactory().get(BASE)
    request.user = demo.users[who]
    renderer = KefuRenderer()
    rows = {r.pk: r for r in api._list_rows(Ticket.objects.filter(pk__in=varied))}
    with translation.override("zh-hans"):
        from kefu.customers.serializers import phone_view_for

        new = [api.ticket_item(rows[pk], phone_view_for(request)) for pk in varied]
        old = _schema_items(request, varied)
    assert [list(item) for item in new] == [list(api.TicketOut.model_fields)] * len(varied)
    assert renderer.render(request, new, response_status=200) == renderer.render(request, old, response_status=200)


def test_the_api_answer_equals_the_schema_rendering(clients, demo, varied):
    """Through the client: the same items in the list's order, with count, page, page_size and next."""
    answer = clients("lead").get(BASE, {"page_size": 3, "order": "recent"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    body = json.loads(answer.content)
    assert list(body) == ["items", "count", "page", "page_size", "next"]
    assert body["count"] == len(varied) and body["page"] == 1 and body["page_size"] == 3 and body["next"]
    request = RequestFactory().get(BASE)
    request.user = demo.users["lead1"]
    ids = [item["id"] for item in body["items"]]
    expected = json.loads(KefuRenderer().render(request, _schema_items(request, ids), response_status=200))
    assert body["items"] == expected
    following = clients("lead").get(BASE, {"page_size": 3, "order": "recent", "after": body["next"]}).json()
    assert following["page"] == 2 and not set(ids) & {item["id"] for item in following["items"]}


def test_the_list_keeps_its_openapi_description(demo):
    """The answer's schema is still ninja's PagedTicketOut (items of TicketOut) with page, page_size and after."""
    from kefu.api import api as ninja_api

    schema = json.loads(json.dumps(ninja_api.get_openapi_schema(path_prefix="/api/v1/")))
    operation = schema["paths"]["/api/v1/tickets"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PagedTicketOut"}
    names = [p["name"] for p in operation["parameters"]]
    assert names[-3:] == ["page", "page_size", "after"] and names[:2] == ["q", "status"]
    paged = schema["components"]["schemas"]["PagedTicketOut"]
    assert paged["required"] == ["items", "count", "page", "page_size"]
    assert paged["properties"]["items"]["items"] == {"$ref": "#/components/schemas/TicketOut"}


def test_the_open_list_reads_the_same_number_of_queries_for_2_and_25_rows(clients, make_ticket):
    client = clients("agent")
    make_ticket(title="一")
    make_ticket(title="二")
    client.get(BASE, {"owner": "me", "open_only": "true"})
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 25}).status_code == 200
    for i in range(30):
        make_ticket(title=f"多{i}", caller_phone="13912345678")
    with CaptureQueriesContext(connection) as many:
        answer = client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 25})
    assert len(answer.json()["items"]) == 25
    assert len(many.captured_queries) == len(few.captured_queries)
