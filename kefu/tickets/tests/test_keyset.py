"""Keyset pagination of the ticket lists ("after this ticket", issue 13): the API's ``after``/``next``, the
desk's "more" link; equal sort values, the boundary to tickets without a deadline, bad cursors."""

import base64
import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core.keyset import BadCursor, Cursor
from kefu.tickets.models import Ticket
from kefu.tickets.selectors import ORDERS

BASE = "/api/v1/tickets"
MOMENT = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def backlog(make_ticket):
    """Eleven open tickets of agent1: four share one deadline, three share another, two have none."""
    tickets = [make_ticket(title=f"工单{i}") for i in range(11)]
    dues = [MOMENT] * 4 + [MOMENT + dt.timedelta(hours=1)] * 3 + [MOMENT - dt.timedelta(hours=1)] * 2 + [None] * 2
    for ticket, due in zip(tickets, dues, strict=True):
        Ticket.objects.filter(pk=ticket.pk).update(resolution_due=due)
    return tickets


def sla_order(tickets):
    rows = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("resolution_due", "id")
    return [pk for due, pk in sorted(rows, key=lambda r: (r[0] is None, r[0] or MOMENT, r[1]))]


def walk(client, params, *, size):
    """Every page from the first, following ``next``: the ids in the order read, and the answers."""
    ids, answers = [], []
    body = client.get(BASE, {**params, "page_size": size}).json()
    while True:
        answers.append(body)
        ids += [t["id"] for t in body["items"]]
        if body["next"] is None:
            return ids, answers
        body = client.get(BASE, {**params, "page_size": size, "after": body["next"]}).json()


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 11, 12])
def test_keyset_pages_have_no_duplicates_or_gaps_with_equal_deadlines(clients, backlog, size):
    ids, answers = walk(clients("agent"), {"owner": "me", "open_only": "true"}, size=size)
    assert ids == sla_order(backlog)  # ties in (deadline, id) order, tickets without a deadline last
    assert [a["page"] for a in answers] == list(range(1, len(answers) + 1))
    assert all(a["count"] == 11 and a["page_size"] == size for a in answers)
    assert len(answers) == -(-11 // size)  # the last page has no "next", however full it is


def test_keyset_in_the_recent_order(clients, backlog):
    same = Ticket.objects.get(pk=backlog[0].pk).created_at
    Ticket.objects.filter(pk__in=[t.pk for t in backlog[:5]]).update(created_at=same)
    ids, _ = walk(clients("agent"), {"owner": "me", "open_only": "true", "order": "recent"}, size=3)
    rows = Ticket.objects.filter(pk__in=[t.pk for t in backlog]).values_list("created_at", "id")
    assert ids == [pk for _, pk in sorted(rows, reverse=True)]


def test_page_numbers_stay_and_give_the_cursor_of_the_page_after_them(clients, backlog):
    client = clients("agent")
    second = client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 4, "page": 2}).json()
    assert set(second) == {"items", "count", "page", "page_size", "next"} and second["page"] == 2
    third = client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 4, "after": second["next"]}).json()
    assert third["page"] == 3
    assert [t["id"] for t in second["items"] + third["items"]] == sla_order(backlog)[4:]
    assert third["next"] is None


def test_a_deep_cursor_reads_no_offset(clients, make_ticket):
    for i in range(30):
        make_ticket(title=f"工单{i}")
    client = clients("agent")
    body = client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 2}).json()
    for _ in range(10):
        body = client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 2, "after": body["next"]}).json()
    with CaptureQueriesContext(connection) as ctx:
        deep = client.get(BASE, {"owner": "me", "open_only": "true", "page_size": 2, "after": body["next"]})
    assert deep.status_code == 200 and deep.json()["page"] == 12
    listing = [q["sql"] for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"] and "LIMIT" in q["sql"]]
    assert listing and not any("OFFSET" in sql for sql in listing)


def _cursor(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize("after", [
    "x", "not-a-cursor!", "eyJ",  # not base64 JSON
    _cursor([1, 2]),  # not an object
    _cursor({"o": "recent", "v": "2026-12-08T10:00:00+00:00", "i": 5, "p": 2}),  # the other order's
    _cursor({"o": "sla", "v": "2026-12-08T10:00:00", "i": 5, "p": 2}),  # a moment without its offset
    _cursor({"o": "sla", "v": "0001-01-01T00:00:00+01:00", "i": 5, "p": 2}),  # before the year 1 in UTC
    _cursor({"o": "sla", "v": "yesterday", "i": 5, "p": 2}),
    _cursor({"o": "sla", "v": None, "i": 0, "p": 2}),  # ids start at 1
    _cursor({"o": "sla", "v": None, "i": 2**63, "p": 2}),  # larger than any id
    _cursor({"o": "sla", "v": None, "i": 5, "p": 1}),  # a cursor leads to page 2 or later
    _cursor({"o": "sla", "v": None, "i": True, "p": 2}),
    "A" * 201,
])
def test_r_err_a_bad_cursor_is_a_422_naming_after(clients, backlog, after):
    response = clients("agent").get(BASE, {"owner": "me", "after": after})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["after"]


def test_r_err_the_bad_cursor_message_is_in_the_users_language(clients, backlog):
    from kefu.core.testing import zh

    body = clients("agent").get(BASE, {"after": "x"}).json()
    assert body["errors"][0]["message"] == zh(
        'This is not a cursor of this list: send the "next" of an earlier answer with the same order.')


def test_recent_cursor_refuses_a_moment_without_a_value():
    with pytest.raises(BadCursor):
        ORDERS["recent"].parse(_cursor({"o": "recent", "v": None, "i": 5, "p": 2}))


def test_cursor_round_trip_and_boundaries():
    sla = ORDERS["sla"]
    cursor = Cursor("sla", MOMENT, 42, 7)
    assert sla.parse(cursor.encode()) == cursor
    assert sla.parse(Cursor("sla", None, 1, 2).encode()).value is None
    top = Cursor("sla", MOMENT, 2**63 - 1, 2**31 - 1)
    assert sla.parse(top.encode()) == top


def test_desk_more_link_pages_after_the_last_ticket(clients, backlog):
    from kefu.tickets import views_desk

    client = clients("agent")
    order = sla_order(backlog)
    numbers = dict(Ticket.objects.values_list("id", "number"))
    size = views_desk.PAGE_SIZE
    views_desk.PAGE_SIZE = 4
    try:
        seen = []
        page = client.get("/tickets/")
        for _ in range(5):
            html = page.content.decode()
            table = html[html.index('data-testid="ticket-table"'):html.index("</table>", html.index('data-testid="ticket-table"'))]
            seen += [pk for pk in order if f">{numbers[pk]} ·" in table]
            marker = 'data-testid="more" href="'
            if marker not in html:
                break
            href = html[html.index(marker) + len(marker):].split('"', 1)[0].replace("&amp;", "&")
            page = client.get("/tickets/" + href)
        assert seen == order
    finally:
        views_desk.PAGE_SIZE = size


def test_desk_bad_cursor_shows_the_first_page(clients, backlog):
    response = clients("agent").get("/tickets/", {"after": "x"})
    assert response.status_code == 200 and 'data-testid="ticket-table"' in response.content.decode()
