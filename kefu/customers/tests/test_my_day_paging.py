"""R-CUS-6 "my day" a page at a time: the counts of the whole list, a page of rows, a "more" row that
continues after the last row shown (keyset cursor), and a page whose cost does not grow with the backlog."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.customers.models import Customer
from kefu.customers.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 9)
URL = f"/customers/my-day/?date={TODAY.isoformat()}"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def due(demo, n: int, *, next_due: dt.date = TODAY, grade: str = "C", owner: str = "agent1") -> list[Customer]:
    """``n`` customers of ``owner`` due on ``next_due`` (bulk: the page reads them, it does not care how
    they came)."""
    return Customer.objects.bulk_create(
        Customer(shop=demo.shops["tmall"], owner=demo.users[owner], name=f"客户{next_due:%m%d}{grade}{i}",
                 grade=grade, grade_proposed=grade, next_due=next_due, countdown_from=next_due)
        for i in range(n))


def ids_in(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/customers/(\d+)/"', html)]


def test_r_cus_6_my_day_shows_one_page_with_the_counts_of_the_whole_list(demo, clients):
    due(demo, 20, next_due=TODAY - dt.timedelta(days=3))
    due(demo, PAGE_SIZE, next_due=TODAY)
    due(demo, 5, next_due=TODAY + dt.timedelta(days=1))  # not due yet
    due(demo, 4, owner="agent2")  # somebody else's
    response = clients("agent").get(URL)
    assert response.status_code == 200
    assert len(response.context["items"]) == PAGE_SIZE
    assert (response.context["due_total"], response.context["overdue"], response.context["due_today"]) == (
        20 + PAGE_SIZE, 20, PAGE_SIZE)
    html = response.content.decode()
    assert 'data-testid="due-count">70<' in html
    assert 'data-testid="due-more"' in html and response.context["next_cursor"]
    assert [i.days_overdue for i in response.context["items"][:21]] == [3] * 20 + [0]  # overdue first


def test_r_cus_6_more_continues_after_the_last_row_without_duplicates_or_gaps(demo, clients):
    """Rows sharing the due date and the grade are ordered by id, so a page boundary inside a tie neither
    repeats nor skips one."""
    due(demo, 30, next_due=TODAY - dt.timedelta(days=1), grade="B")
    due(demo, 45, next_due=TODAY - dt.timedelta(days=1), grade="A")
    due(demo, 40, next_due=TODAY, grade="B")
    expected = list(Customer.objects.filter(owner__username="agent1").order_by("next_due", "grade", "id")
                    .values_list("id", flat=True))
    client = clients("agent")
    response = client.get(URL)
    seen = [i.customer_id for i in response.context["items"]]
    cursor = response.context["next_cursor"]
    pages = 1
    while cursor:
        more = client.get(f"{URL}&after={cursor}", HTTP_HX_REQUEST="true")
        assert more.status_code == 200
        html = more.content.decode()
        assert "<html" not in html and 0 < len(ids_in(html)) <= PAGE_SIZE
        seen += ids_in(html)
        found = re.search(r'hx-get="[^"]*after=([\w-]+)"', html)
        cursor = found and found.group(1)
        assert ('data-testid="due-more"' in html) == bool(cursor)
        pages += 1
    assert pages == 3
    assert seen == expected


def test_r_cus_6_a_page_that_ends_exactly_with_the_list_has_no_more_row(demo, clients):
    due(demo, PAGE_SIZE)
    response = clients("agent").get(URL)
    assert len(response.context["items"]) == PAGE_SIZE
    assert response.context["next_cursor"] is None
    assert 'data-testid="due-more"' not in response.content.decode()


def test_my_day_queries_do_not_grow_with_the_backlog(demo, clients):
    client = clients("agent")
    due(demo, 5)
    client.get(URL)  # warm caches (rules, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    due(demo, 3 * PAGE_SIZE, next_due=TODAY - dt.timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.context["due_total"] == 5 + 3 * PAGE_SIZE
    assert len(response.context["items"]) == PAGE_SIZE
    assert len(many.captured_queries) == len(few.captured_queries)
    assert not any(" OFFSET " in q["sql"].upper() for q in many.captured_queries)


def test_my_day_a_cursor_that_is_not_one_shows_the_first_page_and_says_so(demo, clients):
    due(demo, 3)
    client = clients("agent")
    response = client.get(f"{URL}&after=not-a-cursor")
    assert response.status_code == 200
    assert len(response.context["items"]) == 3
    assert "不是此列表中的位置" in response.content.decode()
    assert client.get(f"{URL}&after=xyz", HTTP_HX_REQUEST="true").status_code == 422
