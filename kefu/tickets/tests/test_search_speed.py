"""Keyword search within the caller's shops from one index (issue 13; bench/notes/search.md).

A search looks through the caller's scope (R-ORG-2: the shops in scope, plus the tickets with a task for
the caller's department, R-TIC-3). For people whose department holds no task the scope is written as the
shops alone, so that PostgreSQL reads the shops and the keyword together from ``tic_shop_grams_idx``
(tickets 0007); the tickets found are the same either way (R-TIC-1)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.tickets.access import tickets_in_scope
from kefu.tickets.models import DepartmentTask, Ticket
from kefu.tickets.selectors import TicketFilters, TicketList, list_tickets, search_scope


@pytest.fixture
def outside(demo, make_ticket):
    """A ticket that mentions 退款 in a shop no team serves (only the centre's people see it)."""
    from kefu.org.services import ensure_shop

    shop = ensure_shop(actor=None, centre=demo.centre, code="outlet", name="奥莱店")
    ticket = make_ticket(title="外店退款")
    Ticket.objects.filter(pk=ticket.pk).update(shop=shop)
    return ticket


def hand(ticket, department, demo):
    return DepartmentTask.objects.create(ticket=ticket, department=department, note="核实退款",
                                         due=timezone.now() + dt.timedelta(days=1), created_by=demo.users["admin"],
                                         created_at=timezone.now())


def found(user, q="退款"):
    return set(list_tickets(user, TicketFilters(q=q)).values_list("pk", flat=True))


def test_r_org_2_search_scope_is_the_shops_when_the_department_holds_no_task(demo, make_ticket, outside):
    mine = make_ticket(title="申请退款")
    agent = demo.users["agent1"]
    assert not DepartmentTask.objects.filter(department_id=agent.department_id).exists()
    assert found(agent) == {mine.pk}
    assert set(search_scope(agent).values_list("pk", flat=True)) == set(tickets_in_scope(agent).values_list("pk", flat=True))
    # the director's scope is the whole centre: the shop no team serves too
    assert found(demo.users["director1"]) == {mine.pk, outside.pk}


def test_r_tic_3_a_department_holding_a_task_finds_the_ticket_of_a_shop_outside_its_scope(
        demo, make_ticket, outside, department_user):
    mine = make_ticket(title="申请退款")
    assert found(department_user) == set()
    hand(outside, demo.departments["物流部"], demo)
    assert found(department_user) == {outside.pk}
    # a service-centre person whose department holds a task: the shops and that task's ticket
    agent = demo.users["agent1"]
    hand(outside, agent.department, demo)
    assert found(agent) == {mine.pk, outside.pk}
    assert set(search_scope(agent).values_list("pk", flat=True)) == set(tickets_in_scope(agent).values_list("pk", flat=True))


def test_a_search_of_a_person_without_department_tasks_reads_no_task_table_in_its_list(demo, make_ticket):
    for i in range(3):
        make_ticket(title=f"退款{i}")
    tickets = TicketList(demo.users["agent1"], TicketFilters(q="退款"), order_by=("resolution_due", "id"))
    with CaptureQueriesContext(connection) as queries:
        page = list(tickets[:50])
        count = tickets.count()
    assert count == 3 and len(page) == 3
    lists = [q["sql"] for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    assert lists and not any("tickets_departmenttask" in sql for sql in lists)
    # the department's tasks looked up once (EXISTS), the count, the page: a fixed number of queries
    assert len(queries.captured_queries) <= 4, [q["sql"] for q in queries.captured_queries]
