"""Keyset paging of the customer lists (API.md "Lists" + ``after``/``next``): the rows after a cursor in
the order (next_due, grade, id), no duplicates or gaps where rows share a due date and grade, no OFFSET
for a deep page, and a cursor that is not one is a 422 naming ``after`` (R-ERR)."""

import base64
import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.customers import paging
from kefu.customers.models import Customer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 9)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def backlog(demo):
    """25 customers of agent1 in three ties: (yesterday, A) × 7, (yesterday, B) × 10, (today, B) × 8."""
    rows = []
    for n, (days, grade) in ((7, (-1, "A")), (10, (-1, "B")), (8, (0, "B"))):
        next_due = TODAY + dt.timedelta(days=days)
        rows += [Customer(shop=demo.shops["tmall"], owner=demo.users["agent1"], name=f"客户{grade}{days}{i}",
                          grade=grade, grade_proposed=grade, next_due=next_due) for i in range(n)]
    Customer.objects.bulk_create(rows)
    return list(Customer.objects.order_by("next_due", "grade", "id").values_list("id", flat=True))


def walk(client, url: str, key: str = "id") -> tuple[list[int], int]:
    ids, pages, after = [], 0, None
    while True:
        response = client.get(url + (f"&after={after}" if after else ""))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == 25  # the whole list's count on every page
        ids += [item[key] for item in body["items"]]
        pages += 1
        after = body["next"]
        if after is None:
            return ids, pages


@pytest.mark.parametrize("size", [1, 4, 5, 7, 10, 25, 50])
def test_r_cus_6_customer_list_pages_after_a_cursor_without_duplicates_or_gaps(clients, backlog, size):
    ids, pages = walk(clients("agent"), f"/api/v1/customers?page_size={size}")
    assert ids == backlog
    assert pages == -(-25 // size)  # the last full page says there is no next one


@pytest.mark.parametrize("size", [3, 10, 25])
def test_r_cus_6_due_list_pages_after_a_cursor_without_duplicates_or_gaps(clients, backlog, size):
    ids, _pages = walk(clients("agent"), f"/api/v1/followups/due?date={TODAY}&page_size={size}", "customer_id")
    assert ids == backlog


def test_page_numbers_still_work_and_give_the_cursor_of_their_last_row(clients, backlog):
    body = clients("agent").get("/api/v1/customers?page=2&page_size=10").json()
    assert [c["id"] for c in body["items"]] == backlog[10:20]
    assert body["page"] == 2 and body["page_size"] == 10 and body["count"] == 25
    after = clients("agent").get(f"/api/v1/customers?page_size=10&after={body['next']}").json()
    assert [c["id"] for c in after["items"]] == backlog[20:]
    assert after["next"] is None


def test_a_cursor_at_the_last_row_gives_an_empty_page(clients, backlog):
    last = Customer.objects.get(pk=backlog[-1])
    body = clients("agent").get(f"/api/v1/customers?after={paging.cursor_of(last)}").json()
    assert body["items"] == [] and body["next"] is None and body["count"] == 25


def test_a_deep_page_is_asked_for_without_offset(clients, backlog):
    cursor = paging.cursor_of(Customer.objects.get(pk=backlog[20]))
    with CaptureQueriesContext(connection) as ctx:
        body = clients("agent").get(f"/api/v1/customers?page_size=2&after={cursor}").json()
    assert [c["id"] for c in body["items"]] == backlog[21:23]
    listing = [q["sql"] for q in ctx.captured_queries if "customers_customer" in q["sql"] and "LIMIT" in q["sql"]]
    assert listing and not any("OFFSET" in sql for sql in listing)


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "garbage!", "e30", _cursor(["2026-12-09", "B"]), _cursor(["2026-13-01", "B", 5]), _cursor(["2026-12-09", "Z", 5]),
    _cursor(["2026-12-09", "B", 0]), _cursor(["2026-12-09", "B", "5"]), _cursor(["2026-12-09", "B", 2**63]),
    _cursor(["2026-12-09", "B", 5.5]), "x" * 201,
])
def test_r_err_a_cursor_that_is_not_one_is_a_422_naming_after(clients, backlog, cursor):
    for url in ("/api/v1/customers", f"/api/v1/followups/due?date={TODAY}"):
        sep = "&" if "?" in url else "?"
        response = clients("agent").get(f"{url}{sep}after={cursor}")
        assert response.status_code == 422, (url, response.content)
        assert [e["field"] for e in response.json()["errors"]] == ["after"]


def test_cursor_round_trip():
    key = (TODAY, "C", 42)
    assert paging.decode_cursor(paging.encode_cursor(key)) == key
