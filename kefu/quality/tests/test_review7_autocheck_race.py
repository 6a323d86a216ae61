"""Review 7: the one-statement read of the automatic checks (PostgreSQL) sees the stored result as of the
statement's snapshot, taken before it locks the ticket. Another check of the ticket may commit in between
(it held the lock, released at its commit). When this run's outcome then equals the stale stored one it used to
write nothing, leaving the other check's result — computed from fewer replies — in place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from kefu.quality.autocheck_services import run_ticket_checks
from kefu.quality.models import CheckFlag, TicketCheck
from kefu.quality.tests.conftest import NOW
from kefu.quality.tests.test_autochecks import GOOD_FIRST, GOOD_LAST, _reply

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the one-statement read is PostgreSQL's")


def test_a_run_whose_snapshot_predates_another_checks_commit_still_stores_its_outcome(
        demo, make_ticket, clock, monkeypatch):
    from kefu.quality import autocheck_services
    from kefu.tickets.models import Ticket

    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=NOW)  # the closing check reads the last reply
    _reply(demo, ticket, GOOD_FIRST + GOOD_LAST)
    first = run_ticket_checks(ticket_id=ticket.pk)
    assert first.results["closing"]["ok"] is True
    stale = autocheck_services._read_one_statement(ticket.pk)  # the stored result a later snapshot missed
    clock(NOW + dt.timedelta(minutes=5))
    _reply(demo, ticket, "请稍等。")  # no closing words: check A stores a failed closing
    assert run_ticket_checks(ticket_id=ticket.pk).results["closing"]["ok"] is False
    clock(NOW + dt.timedelta(minutes=6))
    _reply(demo, ticket, GOOD_LAST)  # check B: its snapshot holds this reply but not A's result

    real = autocheck_services._read_one_statement

    def snapshot_before_a_committed(ticket_id):
        read = real(ticket_id)
        for name in ("check_id", "score", "agent_id", "check_centre_id", "results", "checked_at", "flags"):
            setattr(read, name, getattr(stale, name))
        return read

    monkeypatch.setattr(autocheck_services, "_read_one_statement", snapshot_before_a_committed)
    result = run_ticket_checks(ticket_id=ticket.pk)
    stored = TicketCheck.objects.get(pk=result.pk)
    assert stored.results["closing"]["ok"] is True  # B's outcome, from every reply
    assert stored.results == first.results and stored.score == first.score
    assert not CheckFlag.objects.filter(check_result_id=result.pk, kind="closing").exists()
