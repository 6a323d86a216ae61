"""Merging duplicates (the customer sees only the surviving ticket), linking related tickets, and the
handling time that feeds average handling time (R-KPI-1)."""

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.tickets import selectors, services
from kefu.tickets.models import DepartmentTask, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_merge_closes_the_duplicate_and_the_customer_sees_only_the_survivor(demo, make_ticket, make_customer):
    customer = make_customer(phones=["13800138000"])
    survivor = make_ticket(customer_id=customer.pk, title="宽带断网")
    duplicate = make_ticket(customer_id=customer.pk, title="宽带又断网了")
    result = services.merge(actor=demo.users["agent1"], ticket_id=duplicate.pk, into_id=survivor.pk)
    assert result.pk == survivor.pk
    duplicate.refresh_from_db()
    assert duplicate.status == "closed" and duplicate.merged_into_id == survivor.pk and duplicate.closed_at
    assert list(selectors.customer_tickets(demo.users["agent1"], customer.pk)) == [survivor]
    assert TicketEvent.objects.filter(ticket=survivor, kind="merge", data__merged=duplicate.number).exists()
    assert AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(duplicate.pk),
                                     after__merged_into=survivor.pk).exists()


def test_merge_moves_open_department_tasks_to_the_survivor(demo, make_ticket):
    survivor, duplicate = make_ticket(), make_ticket()
    task = services.hand_over(actor=demo.users["agent1"], ticket_id=duplicate.pk,
                              department=demo.departments["物流部"], note="查件")
    services.merge(actor=demo.users["agent1"], ticket_id=duplicate.pk, into_id=survivor.pk)
    assert DepartmentTask.objects.get(pk=task.pk).ticket_id == survivor.pk


def test_merge_a_duplicate_without_customer_gives_the_survivor_its_customer(demo, make_ticket, make_customer):
    customer = make_customer()
    survivor = make_ticket()
    duplicate = make_ticket(customer_id=customer.pk)
    services.merge(actor=demo.users["agent1"], ticket_id=duplicate.pk, into_id=survivor.pk)
    assert Ticket.objects.get(pk=survivor.pk).customer_id == customer.pk


@pytest.mark.parametrize("case", ["itself", "other_customer", "other_shop", "into_merged", "twice"])
def test_merge_refusals_change_nothing(demo, make_ticket, make_customer, case):
    a, b = make_customer("甲", phones=["13900000001"]), make_customer("乙", phones=["13900000002"])
    survivor = make_ticket(customer_id=a.pk)
    duplicate = make_ticket(customer_id=a.pk)
    if case == "itself":
        survivor = duplicate
    elif case == "other_customer":
        survivor = make_ticket(customer_id=b.pk)
    elif case == "other_shop":
        survivor = make_ticket(shop="jd")
    elif case in {"into_merged", "twice"}:
        third = make_ticket(customer_id=a.pk)
        services.merge(actor=demo.users["agent1"], ticket_id=survivor.pk if case == "into_merged" else duplicate.pk,
                       into_id=third.pk)
    before = {t.pk: (t.status, t.merged_into_id, t.version) for t in Ticket.objects.all()}
    with pytest.raises(InvalidInput):
        services.merge(actor=demo.users["agent1"], ticket_id=duplicate.pk, into_id=survivor.pk)
    assert {t.pk: (t.status, t.merged_into_id, t.version) for t in Ticket.objects.all()} == before


def test_merge_needs_the_right_to_act_on_both(demo, make_ticket):
    mine, theirs = make_ticket(), make_ticket(actor="agent2")
    with pytest.raises(NotAllowed):
        services.merge(actor=demo.users["agent1"], ticket_id=mine.pk, into_id=theirs.pk)
    assert Ticket.objects.get(pk=mine.pk).status == "new"


def test_link_relates_both_ways_once(demo, make_ticket):
    a, b = make_ticket(), make_ticket(actor="agent2")
    services.link(actor=demo.users["agent1"], ticket_id=a.pk, other_id=b.pk)
    services.link(actor=demo.users["agent1"], ticket_id=a.pk, other_id=b.pk)
    assert list(a.related.all()) == [b] and list(b.related.all()) == [a]
    assert TicketEvent.objects.filter(ticket=b, data__linked=a.number).count() == 1
    with pytest.raises(InvalidInput):
        services.link(actor=demo.users["agent1"], ticket_id=a.pk, other_id=a.pk)


def test_handling_time_adds_up_and_never_drops_below_zero(demo, make_ticket):
    ticket = make_ticket()
    services.add_handling_time(actor=demo.users["agent1"], ticket_id=ticket.pk, seconds=300)
    ticket = services.add_handling_time(actor=demo.users["lead1"], ticket_id=ticket.pk, seconds=120)
    assert ticket.handling_seconds == 420
    ticket = services.add_handling_time(actor=demo.users["agent1"], ticket_id=ticket.pk, seconds=-1000)
    assert ticket.handling_seconds == 0
    assert AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk),
                                     note="handling time").count() == 3


@pytest.mark.parametrize("seconds", [12 * 3600 + 1, -(12 * 3600 + 1), 0, "60"])
def test_handling_time_bad_input(demo, make_ticket, seconds):
    ticket = make_ticket()
    with pytest.raises(InvalidInput) as exc:
        services.add_handling_time(actor=demo.users["agent1"], ticket_id=ticket.pk, seconds=seconds)
    assert exc.value.errors[0].field == "seconds"
    assert Ticket.objects.get(pk=ticket.pk).handling_seconds == 0


def test_handling_time_exactly_twelve_hours_is_accepted(demo, make_ticket):
    ticket = make_ticket()
    assert services.add_handling_time(actor=demo.users["agent1"], ticket_id=ticket.pk,
                                      seconds=12 * 3600).handling_seconds == 12 * 3600


def test_handling_time_only_by_who_may_act(demo, make_ticket):
    ticket = make_ticket()
    with pytest.raises(NotAllowed):
        services.add_handling_time(actor=demo.users["agent2"], ticket_id=ticket.pk, seconds=60)
    assert Ticket.objects.get(pk=ticket.pk).handling_seconds == 0
