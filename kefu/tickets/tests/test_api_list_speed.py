"""The agent's open list through the API (issue 13, task A; bench/notes/api.md): the scope and the open statuses
are written so that a prepared statement's generic plan reads the list from tic_owner_open_cover_idx, the page's
ids and rows are one statement, and the tickets are exactly those of the scope (R-ORG-2) whatever the form."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.tickets import selectors
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES
from kefu.tickets.models import DepartmentTask, Ticket

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tickets"
OPEN = {"owner": "me", "open_only": "true", "page_size": 25}


def _ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.content
    return [item["id"] for item in answer.json()["items"]]


def _hand(ticket, department, demo):
    return DepartmentTask.objects.create(ticket=ticket, department=department, note="核实",
                                         due=timezone.now() + dt.timedelta(days=1), created_by=demo.users["admin"],
                                         created_at=timezone.now())


@pytest.fixture
def outside(demo, make_ticket):
    """agent1's open ticket moved to a shop no team serves: outside agent1's shops."""
    from kefu.org.services import ensure_shop

    shop = ensure_shop(actor=None, centre=demo.centre, code="outlet", name="奥莱店")
    ticket = make_ticket(title="外店")
    Ticket.objects.filter(pk=ticket.pk).update(shop=shop)
    return Ticket.objects.get(pk=ticket.pk)


def test_r_org_2_the_open_list_leaves_out_an_own_ticket_outside_the_scope(clients, demo, make_ticket, outside):
    mine = make_ticket(title="店内")
    ids = _ids(clients("agent").get(BASE, OPEN))
    assert mine.pk in ids and outside.pk not in ids
    assert clients("agent").get(BASE, OPEN).json()["count"] == len(ids)


def test_r_org_2_a_task_for_the_department_brings_the_ticket_into_the_list(clients, demo, make_ticket, outside):
    agent = demo.users["agent1"]
    assert agent.department_id
    _hand(outside, agent.department, demo)
    answer = clients("agent").get(BASE, OPEN).json()
    assert outside.pk in [item["id"] for item in answer["items"]] and answer["count"] == len(answer["items"])


def test_r_org_2_a_department_person_lists_the_tickets_handed_to_the_department(
        clients, demo, make_ticket, department_user):
    from django.test import Client

    handed, other = make_ticket(title="交给物流"), make_ticket(title="没交")
    _hand(handed, department_user.department, demo)
    client = Client()
    client.force_login(department_user)
    ids = _ids(client.get(BASE, {"open_only": "true"}))
    assert handed.pk in ids and other.pk not in ids


@pytest.mark.parametrize("who", ["agent1", "lead1", "head1", "director1", "qa1", "wuliu1"])
def test_r_org_2_the_list_scope_is_the_scope_also_inside_a_subquery(demo, make_ticket, outside, department_user, who):
    """list_scope and open_condition write constants into the statement; used inside another statement (their
    table renamed U0, V0 …) they still name their own table's columns."""
    for i in range(3):
        make_ticket(title=f"单{i}")
    _hand(outside, demo.users["agent1"].department, demo)
    _hand(make_ticket(title="交给物流"), department_user.department, demo)
    Ticket.objects.filter(title="单0").update(status="resolved")
    user = type(department_user).objects.get(username=who)
    expected = set(tickets_in_scope(user).filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    lean = selectors.list_scope(user).filter(selectors.open_condition())
    assert set(lean.values_list("pk", flat=True)) == expected
    assert set(Ticket.objects.filter(pk__in=lean.values("pk")).values_list("pk", flat=True)) == expected


def test_the_open_list_is_one_count_and_one_page_statement_with_constants(clients, demo, make_ticket):
    client = clients("agent")
    for i in range(55):
        make_ticket(title=f"多{i}")
    client.get(BASE, OPEN)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(BASE, OPEN).json()
    assert len(body["items"]) == 25 and body["next"]
    listed = [q["sql"] for q in queries.captured_queries if '"tickets_ticket"' in q["sql"]]
    assert len(listed) == 2, listed  # the count, then the page's ids and rows in one statement
    department = demo.users["agent1"].department_id
    for sql in listed:
        assert "\"status\" IN ('new', 'in_progress', 'waiting')" in sql
        assert f'"department_id" IN ({department})' in sql
    # a deep page by cursor: the ids, then their rows (one statement more than page 1, planned per call by
    # PostgreSQL: planning the ids alone costs less; one more again only on the page where the tickets without
    # a deadline begin), whatever the depth
    with CaptureQueriesContext(connection) as deep:
        following = client.get(BASE, {**OPEN, "after": body["next"]}).json()
    assert following["page"] == 2 and len(following["items"]) == 25 and following["next"]
    assert len(deep.captured_queries) == len(queries.captured_queries) + 1
    with CaptureQueriesContext(connection) as deeper:
        third = client.get(BASE, {**OPEN, "after": following["next"]}).json()
    assert third["page"] == 3 and len(third["items"]) == 5 and len(deeper.captured_queries) <= len(deep.captured_queries) + 1


def test_the_open_list_pages_through_equal_deadlines_without_gaps(clients, demo, make_ticket):
    """Keyset pages of the one-statement page: every open ticket once, in (deadline, id) order, the tickets
    without a deadline last."""
    tickets = [make_ticket(title=f"同{i}") for i in range(12)]
    due = timezone.now() + dt.timedelta(hours=5)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[:6]]).update(resolution_due=due)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[6:8]]).update(resolution_due=None)
    client = clients("agent")
    seen, after = [], None
    while True:
        params = {**OPEN, "page_size": 5, **({"after": after} if after else {})}
        body = client.get(BASE, params).json()
        seen += [item["id"] for item in body["items"]]
        after = body["next"]
        if not after:
            break
    assert len(seen) == len(set(seen)) == body["count"]
    assert seen == list(selectors.TicketList(demo.users["agent1"], selectors.TicketFilters(owner="me", open_only=True))
                        .queryset().values_list("pk", flat=True))
    assert seen[-2:] == sorted(t.pk for t in tickets[6:8])


def test_other_filters_of_the_list_stay_right(clients, demo, make_ticket):
    urgent = make_ticket(title="急", priority="urgent")
    plain = make_ticket(title="平")
    Ticket.objects.filter(pk=plain.pk).update(status="resolved")
    client = clients("agent")
    assert _ids(client.get(BASE, {**OPEN, "priority": "urgent"})) == [urgent.pk]
    assert plain.pk not in _ids(client.get(BASE, OPEN))
    assert _ids(client.get(BASE, {"owner": "me", "status": "resolved"})) == [plain.pk]
    assert set(_ids(client.get(BASE, {"owner": "me", "page_size": 50}))) >= {urgent.pk, plain.pk}


def test_constant_in_takes_only_identifiers_and_integers():
    from django.db.models import F

    assert selectors.ConstantIn(F("status"), ["new", "in_progress"]).values == ("new", "in_progress")
    for bad in (["x' OR '1'='1"], ["New"], [], ["a b"], ["new\n"]):
        with pytest.raises(ValueError):
            selectors.ConstantIn(F("status"), bad)
