"""The desk's numbers and on-duty toggle read in one statement (issue 13, kefu.tickets.desk_numbers) say what the
workforce selectors, the toggle and the counts said one query each (R-WFM-1 on shift, R-WFM-5 on a break, R-TIC-3
the toggle without a roster, R-TIC-4 the desk's tiles), case by case."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.tickets.assignment import desk_state, is_on_duty, set_on_duty
from kefu.tickets.counts import my_counts
from kefu.tickets.desk_numbers import desk_numbers
from kefu.workforce.models import AwayPeriod, LeaveRequest, Shift
from kefu.workforce.selectors import duty
from kefu.workforce.tests.conftest import MONDAY, at, clock, make_shift, shift_types  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _as_before(person, now: dt.datetime) -> dict:
    """assignment.desk_state as it was: duty.desk_duty, then the toggle only off shift and off a break."""
    state = duty.desk_duty(person, now)
    taking = not state.on_break and (state.on_shift or is_on_duty(person))
    return {"on_break": state.on_break, "break_since": state.break_since, "break_minutes": state.break_minutes,
            "on_shift": state.on_shift, "taking": taking}


def _counts_as_before(person) -> dict:
    counts = my_counts(person)
    counts.pop("callbacks")
    return counts


def _leave(person, start_at, end_at):
    leave = LeaveRequest.objects.create(person=person, kind="personal", start_at=start_at, end_at=end_at,
                                        reason="家里有事", status=LeaveRequest.Status.APPROVED,
                                        approver_role="head", filed_by=person)
    Shift.objects.filter(person=person, start_at__lt=end_at, end_at__gt=start_at).update(leave=leave)


def test_r_wfm_5_desk_state_in_one_query_equals_the_selectors(demo, clock, make_shift,  # noqa: F811
                                                              django_assert_num_queries):
    agents = {name: demo.users[name] for name in ("agent1", "agent2", "agent3", "agent4")}
    make_shift("agent1", MONDAY)  # 09:00–18:00: on shift
    make_shift("agent2", MONDAY)
    _leave(agents["agent2"], at(MONDAY, 0), at(MONDAY, 23))  # its shift freed by leave
    make_shift("agent3", MONDAY, "late")  # 18:00–02:00: not yet
    set_on_duty(actor=agents["agent3"], on_duty=True)  # off shift, the toggle on
    set_on_duty(actor=agents["agent4"], on_duty=False)  # the toggle off
    now = clock(at(MONDAY, 10))
    for person in agents.values():
        with django_assert_num_queries(1):
            counts, state = desk_numbers(person, now=now)
        assert state == _as_before(person, now) == desk_state(person, now=now), person.username
        assert counts == _counts_as_before(person), person.username
    assert desk_state(agents["agent1"], now=now)["taking"] is True
    assert desk_state(agents["agent2"], now=now)["on_shift"] is False
    assert desk_state(agents["agent3"], now=now)["taking"] is True
    assert desk_state(agents["agent4"], now=now)["taking"] is False

    # breaks: the newest open one counts; an ended one, or one whose shift is over, does not
    shift = Shift.objects.get(person=agents["agent1"])
    AwayPeriod.objects.create(person=agents["agent1"], shift=shift, start_at=at(MONDAY, 9, 5),
                              end_at=at(MONDAY, 9, 20))
    AwayPeriod.objects.create(person=agents["agent1"], shift=shift, start_at=at(MONDAY, 9, 30))
    AwayPeriod.objects.create(person=agents["agent1"], shift=None, start_at=at(MONDAY, 9, 40))
    AwayPeriod.objects.create(person=agents["agent3"], shift=Shift.objects.get(person=agents["agent3"]),
                              start_at=at(MONDAY, 9, 50))  # its shift is not over: a break
    for moment in (at(MONDAY, 10), at(MONDAY, 10, 7, 30), at(MONDAY, 19), at(MONDAY + dt.timedelta(days=1), 3)):
        now = clock(moment)
        for person in agents.values():
            assert desk_state(person, now=now) == _as_before(person, now), (person.username, moment)
            assert desk_numbers(person, now=now)[0] == _counts_as_before(person)
    state = desk_state(agents["agent1"], now=at(MONDAY, 10, 7, 30))
    assert state["on_break"] and state["break_since"] == at(MONDAY, 9, 40) and state["break_minutes"] == 27
    assert state["taking"] is False


def test_r_tic_4_desk_tiles_counted_in_the_same_statement(demo, make_ticket, django_assert_num_queries):
    from kefu.tickets.models import Ticket

    agent = demo.users["agent1"]
    tickets = [make_ticket() for _ in range(5)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(owner=agent)
    Ticket.objects.filter(pk=tickets[0].pk).update(sla_state="breached")
    Ticket.objects.filter(pk__in=[tickets[1].pk, tickets[2].pk]).update(sla_state="warning")
    Ticket.objects.filter(pk=tickets[3].pk).update(status="resolved", sla_state="breached")  # not open
    with django_assert_num_queries(1):
        counts, _state = desk_numbers(agent, now=tickets[0].created_at)
    assert counts == {"open": 4, "breached": 1, "warning": 2} == _counts_as_before(agent)
    nobody = demo.users["agent4"]
    assert desk_numbers(nobody, now=tickets[0].created_at)[0] == {"open": 0, "breached": 0, "warning": 0} \
        == _counts_as_before(nobody)
