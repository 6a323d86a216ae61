"""Ticket creation writes the ticket, its "created" timeline entry and its audit entry together (issue 13):
on PostgreSQL by one statement, with no transaction of its own for the usual first contact; elsewhere by
the ORM in one transaction. The rows are the same either way."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEvent
from kefu.tickets.models import TicketEvent


def _writes(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]


def test_created_ticket_has_its_event_and_audit_entry(demo, make_ticket):
    ticket = make_ticket(caller_phone="13800001111", description="客户来电")
    ticket.refresh_from_db()
    assert ticket.owner == demo.users["agent1"] and ticket.created_by == demo.users["agent1"]
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.kind, event.body, event.actor, event.public, event.data) == (
        "created", "客户来电", demo.users["agent1"], False, {})
    audit = AuditEvent.objects.get(object_type="tickets.ticket", object_id=str(ticket.pk))
    assert audit.action == "create" and audit.actor == demo.users["agent1"] and audit.actor_name == "agent1"
    assert audit.after == {"number": ticket.number, "shop_id": demo.shops["tmall"].pk, "customer_id": None,
                           "type": "consultation", "channel": "hotline", "priority": "normal",
                           "owner_id": demo.users["agent1"].pk}
    assert audit.object_repr == str(ticket)
    assert audit.centre_id == demo.users["agent1"].centre_id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's")
def test_first_contact_is_one_statement_on_postgresql(demo, make_ticket):
    make_ticket()  # prepared statements and caches warm
    with CaptureQueriesContext(connection) as ctx:
        ticket = make_ticket(caller_phone="13800001111")
    writes = _writes(ctx)
    # the day's number with the ticket's id, then the ticket, its event and its audit entry at once
    assert len(writes) == 2, writes
    assert "nextval" in writes[0] and writes[1].startswith("WITH")
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1
    assert AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk)).count() == 1


def test_a_ticket_given_to_someone_else_has_its_event_and_audit_entry(demo, make_ticket):
    ticket = make_ticket(actor="lead1", owner=demo.users["agent1"])  # the path with a transaction
    ticket.refresh_from_db()
    assert ticket.owner == demo.users["agent1"] and ticket.created_by == demo.users["lead1"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="created").count() == 1
    audit = AuditEvent.objects.get(object_type="tickets.ticket", object_id=str(ticket.pk))
    assert audit.actor_name == "lead1" and audit.after["owner_id"] == demo.users["agent1"].pk
