"""Automatic checks' writes (issue 11, speed): nothing is written when a run's outcome is the one stored (same
score, results, flags and agent: no upsert, no audit); a change writes the result, the flags raised, changed
or cleared and one audit entry — on PostgreSQL by one read and one write statement, elsewhere through the ORM,
with the same rows either way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEvent
from kefu.quality.autocheck_services import run_ticket_checks
from kefu.quality.models import CheckFlag, TicketCheck
from kefu.quality.tests.conftest import NOW
from kefu.quality.tests.test_autochecks import GOOD_FIRST, _reply


def _writes(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "WITH"}]


def _audits(result) -> int:
    return AuditEvent.objects.filter(object_type="quality.ticketcheck", object_id=str(result.pk)).count()


def test_an_unchanged_outcome_writes_nothing(demo, make_ticket, clock):
    ticket = make_ticket()
    _reply(demo, ticket, "不知道。")
    first = run_ticket_checks(ticket_id=ticket.pk)
    stored = TicketCheck.objects.get(pk=first.pk)
    assert _audits(first) == 1
    clock(NOW + dt.timedelta(minutes=5))
    _reply(demo, ticket, "请稍等。")  # a second reply: neither the score nor a flag changes
    with CaptureQueriesContext(connection) as ctx:
        again = run_ticket_checks(ticket_id=ticket.pk)
    assert _writes(ctx) == []
    assert (again.pk, again.score, again.results, again.flagged) == (first.pk, first.score, first.results, True)
    assert TicketCheck.objects.get(pk=first.pk).checked_at == stored.checked_at == NOW  # when it last changed
    assert _audits(first) == 1


def test_a_change_writes_the_result_flags_and_one_audit_entry(demo, make_ticket, clock):
    ticket = make_ticket()
    _reply(demo, ticket, "订单已发货。")  # no greeting
    result = run_ticket_checks(ticket_id=ticket.pk)
    assert set(CheckFlag.objects.filter(check_result_id=result.pk).values_list("kind", flat=True)) == {"greeting"}
    clock(NOW + dt.timedelta(hours=1))
    _reply(demo, ticket, "这个不归我管。")  # a forbidden phrase: raised, the greeting flag stays
    result = run_ticket_checks(ticket_id=ticket.pk)
    flags = dict(CheckFlag.objects.filter(check_result_id=result.pk).values_list("kind", "raised_at"))
    assert flags == {"greeting": NOW, "forbidden": NOW + dt.timedelta(hours=1)}
    audit = AuditEvent.objects.filter(object_type="quality.ticketcheck", object_id=str(result.pk)).first()
    assert (audit.actor_id, audit.actor_name, audit.note) == (None, "system", "automatic checks")
    assert audit.before == {"flags": ["greeting"]}
    assert audit.after == {"flags": ["forbidden", "greeting"], "score": result.score}
    assert audit.object_repr == f"{ticket.pk}: {result.score}"
    assert TicketCheck.objects.get(pk=result.pk).checked_at == NOW + dt.timedelta(hours=1)
    assert _audits(result) == 2


def test_a_check_that_passes_again_clears_its_flag_and_is_audited(demo, make_ticket, clock):
    from kefu.quality import autocheck_services

    ticket = make_ticket()
    _reply(demo, ticket, "不知道。")
    result = run_ticket_checks(ticket_id=ticket.pk)
    assert TicketCheck.objects.get(pk=result.pk).flagged
    rule = autocheck_services.CheckRule.objects.get(kind="forbidden")
    autocheck_services.save_check_rule(actor=demo.users["qa1"], kind="forbidden", weight=rule.weight, active=True,
                                       phrases=["滚"])
    autocheck_services.save_check_rule(actor=demo.users["qa1"], kind="greeting", weight=15, active=True,
                                       phrases=["不知道"])
    result = run_ticket_checks(ticket_id=ticket.pk)
    assert not CheckFlag.objects.filter(check_result_id=result.pk).exists()
    stored = TicketCheck.objects.get(pk=result.pk)
    assert not stored.flagged and stored.score == 100 - 0
    audit = AuditEvent.objects.filter(object_type="quality.ticketcheck", object_id=str(result.pk)).first()
    assert (audit.before, audit.after) == ({"flags": ["forbidden", "greeting"]}, {"flags": [], "score": 100})


def test_a_ticket_given_to_another_agent_moves_its_result(demo, make_ticket):
    from kefu.tickets.models import Ticket

    ticket = make_ticket()
    _reply(demo, ticket, GOOD_FIRST)
    result = run_ticket_checks(ticket_id=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).update(owner=demo.users["agent2"])
    run_ticket_checks(ticket_id=ticket.pk)
    assert TicketCheck.objects.get(pk=result.pk).agent == demo.users["agent2"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement read and write are PostgreSQL's")
def test_one_read_and_one_write_statement_on_postgresql(demo, make_ticket, clock):
    ticket = make_ticket()
    _reply(demo, ticket, "不知道。")
    run_ticket_checks(ticket_id=make_ticket().pk)  # caches warm
    with CaptureQueriesContext(connection) as ctx:
        result = run_ticket_checks(ticket_id=ticket.pk)
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT") and "FOR UPDATE" in statements[0]
    assert statements[1].startswith("WITH")
    assert set(CheckFlag.objects.filter(check_result_id=result.pk).values_list("kind", flat=True)) == {
        "forbidden", "greeting"}
    assert _audits(result) == 1
    with CaptureQueriesContext(connection) as ctx:
        run_ticket_checks(ticket_id=ticket.pk)
    statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 2, statements  # unchanged: the read and the stored result's time looked up
    assert _writes(ctx) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement read and write are PostgreSQL's")
def test_a_result_changed_after_the_read_is_read_again_under_the_lock(demo, make_ticket, clock, monkeypatch):
    from kefu.quality import autocheck_services

    ticket = make_ticket()
    _reply(demo, ticket, "不知道。")
    run_ticket_checks(ticket_id=ticket.pk)
    stale = autocheck_services._read_one_statement(ticket.pk)  # what a run whose snapshot came first would see
    stale.score = -1  # …with a stored outcome unlike its own, so that it writes
    clock(NOW + dt.timedelta(hours=1))
    _reply(demo, ticket, "您好，这个不归我管。")  # another check commits a new result meanwhile
    run_ticket_checks(ticket_id=ticket.pk)
    changed = TicketCheck.objects.get(ticket_id=ticket.pk)
    assert changed.checked_at == NOW + dt.timedelta(hours=1)
    monkeypatch.setattr(autocheck_services, "_read_one_statement", lambda ticket_id: stale)
    clock(NOW + dt.timedelta(hours=2))
    result = run_ticket_checks(ticket_id=ticket.pk)  # the stale read's write changes nothing; read again
    stored = TicketCheck.objects.get(pk=result.pk)
    assert stored.checked_at == changed.checked_at and stored.results == changed.results  # nothing to change
    assert "不归我管" in stored.results["forbidden"]["detail"]
    assert set(CheckFlag.objects.filter(check_result_id=result.pk).values_list("kind", flat=True)) == {
        "forbidden", "greeting"}
    assert _audits(result) == 1  # raised once; the new detail is no new flag
