"""The customer lists' answers say which page they are (issue 13 review): following ``next`` the answer's ``page``
counts on (2, 3, …) as the ticket list's does, instead of repeating the ``page`` of the request (1)."""

import pytest

from kefu.customers import paging
from kefu.customers.tests.test_keyset_paging import TODAY, backlog, frozen  # noqa: F401 - the fixtures

__all__ = ["backlog", "frozen"]


@pytest.mark.parametrize("url", ["/api/v1/customers?page_size=4", f"/api/v1/followups/due?date={TODAY}&page_size=4"])
def test_pages_read_after_a_cursor_count_on(clients, backlog, url):
    client = clients("agent")
    body = client.get(url).json()
    numbers = [body["page"]]
    while body["next"]:
        body = client.get(f"{url}&after={body['next']}").json()
        numbers.append(body["page"])
    assert numbers == [1, 2, 3, 4, 5, 6, 7]


def test_a_cursor_from_a_numbered_page_gives_the_next_number(clients, backlog):
    client = clients("agent")
    second = client.get("/api/v1/customers?page=2&page_size=10").json()
    third = client.get(f"/api/v1/customers?page_size=10&after={second['next']}").json()
    assert third["page"] == 3


def test_a_cursor_without_a_page_number_still_reads(clients, backlog):
    from kefu.customers.models import Customer

    first = Customer.objects.get(pk=backlog[0])
    cursor = paging.encode_cursor((first.next_due, first.grade, first.pk))  # as cursors were written before
    body = clients("agent").get(f"/api/v1/customers?page_size=30&after={cursor}").json()
    assert [c["id"] for c in body["items"]] == backlog[1:]
    assert paging.decode_cursor(cursor) == (first.next_due, first.grade, first.pk)


def _cursor(value) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", [["2026-12-09", "B", 5, 1], ["2026-12-09", "B", 5, "3"], ["2026-12-09", "B", 5, True],
                                   ["2026-12-09", "B", 5, 2**31], ["2026-12-09", "B", 5, 3, 4]])
def test_r_err_a_cursor_with_a_page_that_is_none_is_a_422_naming_after(clients, backlog, value):
    response = clients("agent").get(f"/api/v1/customers?after={_cursor(value)}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["after"]
