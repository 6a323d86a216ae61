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
    return Ticket.objects.get(pk=ticket.pk)


def hand(ticket, department, demo):
    return DepartmentTask.objects.create(ticket=ticket, department=department, note="核实退款",
                                         due=timezone.now() + dt.timedelta(days=1), created_by=demo.users["admin"],
                                         created_at=timezone.now())


def found(user, q="退款"):
    """The tickets ``user`` finds, as a new request finds them (a fresh user object)."""
    user = type(user).objects.get(pk=user.pk)
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



def test_r_org_2_a_scope_wider_than_the_index_pays_for_keeps_the_scope_condition(demo, make_ticket, outside,
                                                                                monkeypatch):
    """A director's 100 shops are searched through the grams index and a filter by shop (the scope as
    tickets_in_scope writes it): the same tickets either way."""
    from kefu.tickets import selectors

    mine = make_ticket(title="申请退款")
    director = demo.users["director1"]
    narrow = found(director)
    monkeypatch.setattr(selectors, "SHOP_GRAMS_MAX_SHOPS", 2)
    assert found(director) == narrow == {mine.pk, outside.pk}
    sql = str(list_tickets(type(director).objects.get(pk=director.pk), TicketFilters(q="退款")).query)
    assert "tickets_departmenttask" in sql

# -- PostgreSQL: the plan reads the shops and the keyword from tic_shop_grams_idx, prepared or not ------------

def _plan(queryset, *, generic: bool) -> str:
    """EXPLAIN of ``queryset``'s statement, planned for its values or (``generic``) prepared on the server
    and run with its generic plan, as a long-lived worker runs it after ten calls (``prepare_threshold``)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cur:
        if not generic:
            cur.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cur.fetchall())
        numbered = sql
        for n in range(1, len(params) + 1):
            numbered = numbered.replace("%s", f"${n}", 1)
        cur.execute(f"PREPARE kefu_search_plan AS {numbered}")
        cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        values = connection.ops.compose_sql(", ".join(["%s"] * len(params)), list(params))  # literals
        cur.execute(f"EXPLAIN EXECUTE kefu_search_plan({values})")
        plan = "\n".join(row[0] for row in cur.fetchall())
        cur.execute("DEALLOCATE kefu_search_plan")
        return plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes: PostgreSQL only")
@pytest.mark.parametrize("generic", [False, True], ids=["custom", "generic"])
def test_r_tic_1_an_agents_search_reads_its_shops_matches_from_the_shop_grams_index(demo, make_ticket, outside,
                                                                                    generic):
    """4,000 tickets mentioning 退款 in a shop outside the agent's scope, 20 among 4,000 others in its shop:
    the capped count reads the agent's 20 from the index over (shop, grams), neither the centre's 4,020
    matches filtered by shop nor the shop's 4,020 tickets filtered by text."""
    mine = [make_ticket(title=f"申请退款{i}") for i in range(20)]
    fields = {f.attname: getattr(outside, f.attname) for f in Ticket._meta.concrete_fields if f.name != "id"}
    Ticket.objects.bulk_create(Ticket(**{**fields, "number": f"KF20990101-{i}", "title": f"外店退款{i}"})
                               for i in range(4000))
    fields = {f.attname: getattr(mine[0], f.attname) for f in Ticket._meta.concrete_fields if f.name != "id"}
    Ticket.objects.bulk_create(Ticket(**{**fields, "number": f"KF20990102-{i}", "title": f"咨询{i}"})
                               for i in range(4000))
    with connection.cursor() as cur:
        cur.execute("ANALYZE tickets_ticket")
    agent = demo.users["agent1"]
    tickets = TicketList(agent, TicketFilters(q="退款"), order_by=("resolution_due", "id"))
    assert tickets.count() == 20 and {t.pk for t in tickets[:50]} == {t.pk for t in mine}
    counted = tickets._matching(gated=True).order_by()[:1001]
    plan = _plan(counted, generic=generic)
    if generic:
        # a generic plan over this small table may also combine the shop index with the grams index
        # (BitmapAnd): still both conditions from indexes, never the centre's matches filtered by shop
        assert "tic_shop_grams_idx" in plan or ("BitmapAnd" in plan and "grams_idx" in plan), plan
    else:
        assert "tic_shop_grams_idx" in plan, plan
    assert "SubPlan" not in plan and "departmenttask" not in plan, plan
