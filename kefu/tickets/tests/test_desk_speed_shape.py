"""The desk and the lead board do not grow with the backlog (issue 13): the same number of queries for 5 and
for 60 open tickets, one page of rows, and every ticket shown once."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.tickets import board_selectors, views_desk
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _queries(client, path) -> tuple[int, str]:
    client.get(path)  # warm the session and the caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _backlog(make_ticket, n: int) -> None:
    for i in range(n):
        make_ticket(title=f"工单{i}", priority="high" if i % 2 else "normal")
        make_ticket(actor="admin", channel="web", assign_automatically=False, title=f"队列{i}")


@pytest.mark.parametrize(("role", "path"), [("agent", "/tickets/"), ("lead", "/tickets/"), ("head", "/tickets/"),
                                            ("lead", "/tickets/board/"), ("head", "/tickets/board/")])
def test_desk_and_board_queries_do_not_grow_with_open_tickets(clients, make_ticket, role, path):
    _backlog(make_ticket, 5)
    few, _ = _queries(clients(role), path)
    _backlog(make_ticket, 55)
    many, html = _queries(clients(role), path)
    assert many == few


def test_desk_renders_one_page_of_rows_with_a_more_link(clients, make_ticket):
    _backlog(make_ticket, views_desk.PAGE_SIZE + 5)
    _, html = _queries(clients("agent"), "/tickets/")
    table = html[html.index('data-testid="ticket-table"'):html.index("</table>", html.index('data-testid="ticket-table"'))]
    assert table.count("<tr>") == views_desk.PAGE_SIZE + 1  # the header and one page
    assert 'data-testid="more"' in html
    assert f"1–{views_desk.PAGE_SIZE} " in html  # "1–25 of 30"


@pytest.mark.parametrize("role", ["agent", "lead", "head"])
def test_the_desk_shows_each_ticket_once(clients, make_ticket, role):
    _backlog(make_ticket, 6)
    _, html = _queries(clients(role), "/tickets/")
    links = re.findall(r'href="/tickets/(\d+)/"', html)
    assert links and len(links) == len(set(links))


def test_a_lead_desk_leaves_the_queue_to_the_queue_panel(clients, make_ticket):
    _backlog(make_ticket, 3)
    _, html = _queries(clients("lead"), "/tickets/")
    table = html[html.index('data-testid="ticket-table"'):html.index('data-testid="queue"')]
    queued = Ticket.objects.filter(owner__isnull=True)
    assert queued.exists() and not any(t.number in table for t in queued)
    assert 'data-testid="queue-elsewhere"' in html
    queue_list = clients("lead").get("/tickets/", {"owner": "none", "status": "open"}).content.decode()
    assert all(t.number in queue_list for t in queued) and 'data-testid="queue"' not in queue_list


def test_board_columns_show_at_most_the_set_number_of_cards_and_say_there_are_more(demo, clients, make_ticket):
    for i in range(board_selectors.BOARD_CARDS + 2):
        make_ticket(title=f"投诉{i}", type="complaint", severity="serious")
    Ticket.objects.update(sla_state="breached")
    board = clients("lead").get("/tickets/board/")
    column = next(c for c in board.context["columns"] if c["key"] == "sla")
    assert len(column["tickets"]) == board_selectors.BOARD_CARDS and column["count"] == f"{board_selectors.BOARD_CARDS}+"
    html = board.content.decode()
    assert html.count('data-testid="assign-form"') == 1  # one assign form, not one list of agents per card
