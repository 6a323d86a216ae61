"""Review (session 6) of the daily report per shift (R-KPI-2): a night shift that crosses midnight counts what falls
within its hours after midnight too — tickets created then and tickets escalated then (difficult cases)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.performance.reports import build, coverage, parse_period

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)
NEXT = DAY + dt.timedelta(days=1)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(NEXT, 10), tick=False):
        yield


@pytest.fixture
def night(demo):
    """夜班 22:00–06:00 on DAY for agent3 (一班). Tickets of agent3: N1 consultation created DAY 21:00 (before the
    shift) and escalated NEXT 02:00 (within it: difficult); N2 complaint created NEXT 01:00 (within it: difficult);
    N3 query created DAY 23:00 and escalated DAY 23:30 (difficult, counted once)."""
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Escalation, Ticket
    from kefu.workforce.models import Shift, ShiftType

    u = demo.users
    kind = ShiftType.objects.create(centre=demo.centre, code="night", name="夜班", start=dt.time(22), end=dt.time(6))
    Shift.objects.create(person=u["agent3"], team=u["agent3"].team, date=DAY, shift_type=kind, start=kind.start,
                         end=kind.end, start_at=at(DAY, 22), end_at=at(NEXT, 6), status="published")

    def make(type_, created):
        t = tickets.create_ticket(actor=u["agent3"], shop=demo.shops["tmall"], type=type_, channel="hotline",
                                  title="夜班")
        Ticket.objects.filter(pk=t.pk).update(owner=u["agent3"], created_at=created, last_action_at=created,
                                              status="in_progress")
        return t

    n1 = make("consultation", at(DAY, 21))
    make("complaint", at(NEXT, 1))
    n3 = make("query", at(DAY, 23))
    Escalation.objects.create(ticket=n1, from_level="agent", to_level="lead", reason="夜间升级", at=at(NEXT, 2))
    Escalation.objects.create(ticket=n3, from_level="agent", to_level="lead", reason="夜间升级", at=at(DAY, 23, 30))
    return demo


def test_r_kpi_2_a_night_shift_counts_its_hours_after_midnight(night):
    user = night.users["head1"]
    data = build(user, parse_period("daily", DAY.isoformat()), coverage(user, None))
    rows = next(s for s in data["sections"] if s["key"] == "by_shift")["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["shift"], row["hours"], row["people"]) == ("夜班", "22:00–06:00", 1)
    assert (row["created"], row["type:complaint"], row["type:query"]) == (2, 1, 1)
    assert row["difficult"] == 3  # N1 escalated at 02:00, N2 a complaint at 01:00, N3 escalated at 23:30
