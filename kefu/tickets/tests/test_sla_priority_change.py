"""R-TIC-4: a priority changed after the ticket waited on the customer keeps the paused time — the new
time limit counts from creation and is moved later by the business time already spent waiting."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.tickets import services

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(d, hh, mm=0):
    return dt.datetime(2026, 11, d, hh, mm, tzinfo=SH)


def _ticket_that_waited(demo, make_ticket, *, waited_until):
    """Created Monday 23 Nov 09:00 (normal priority), waiting on the customer from 10:00 to ``waited_until``."""
    agent = demo.users["agent1"]
    with time_machine.travel(at(23, 9), tick=False):
        ticket = make_ticket(priority="normal")
    with time_machine.travel(at(23, 10), tick=False):
        ticket = services.transition(actor=agent, ticket_id=ticket.pk, to="waiting", version=ticket.version,
                                     waiting_on="customer")
    with time_machine.travel(waited_until, tick=False):
        ticket = services.transition(actor=agent, ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    return ticket


def test_r_tic_4_a_priority_change_keeps_a_days_wait_on_the_customer(demo, make_ticket):
    ticket = _ticket_that_waited(demo, make_ticket, waited_until=at(24, 10))  # 7 h 30 of business time
    with time_machine.travel(at(24, 11), tick=False):
        ticket = services.update_ticket(actor=demo.users["lead1"], ticket_id=ticket.pk, version=ticket.version,
                                        priority="urgent")
    # urgent: 30 min / 4 h from Monday 09:00 → 09:30 / 14:30 (lunch 12:00–13:30). The resolution moves one
    # business day later; the first response (leaving "new" at 10:00) came before the wait: not moved
    assert ticket.first_response_due == at(23, 9, 30)
    assert ticket.resolution_due == at(24, 14, 30)
    ticket.refresh_from_db()
    assert ticket.resolution_due == at(24, 14, 30)


def test_r_tic_4_a_priority_change_without_a_wait_counts_from_creation_only(demo, make_ticket):
    with time_machine.travel(at(23, 9), tick=False):
        ticket = make_ticket(priority="normal")
    with time_machine.travel(at(23, 11), tick=False):
        ticket = services.update_ticket(actor=demo.users["lead1"], ticket_id=ticket.pk, version=ticket.version,
                                        priority="urgent")
    assert ticket.first_response_due == at(23, 9, 30)
    assert ticket.resolution_due == at(23, 14, 30)


def test_r_tic_4_a_one_minute_wait_moves_the_new_limit_by_one_minute(demo, make_ticket):
    ticket = _ticket_that_waited(demo, make_ticket, waited_until=at(23, 10, 1))
    with time_machine.travel(at(23, 11), tick=False):
        ticket = services.update_ticket(actor=demo.users["lead1"], ticket_id=ticket.pk, version=ticket.version,
                                        priority="urgent")
    assert ticket.resolution_due == at(23, 14, 31)
