"""R-KPI-1 (review of issue 12's ``kpi.days_changed`` fires in kefu.tickets.services): a write that moves an
earlier day's figures marks that day stale, so its aggregates equal a recount afterwards. The callbacks of a
ticket count for its owner on the days they were due and made: reassigning a resolved ticket moves them too,
and merging a duplicate drops its pending callback from the day it was due."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.performance import aggregates, kpi
from kefu.performance.models import AgentDay, KpiDay

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 8)
YESTERDAY = TODAY - dt.timedelta(days=1)
EARLIER = TODAY - dt.timedelta(days=2)


def at(day, hour):
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(TODAY, 15), tick=False) as t:
        yield t


def _resolved_complaint(demo, *, callback_done: bool):
    """agent1's complaint created and resolved the day before yesterday, its callback due yesterday (and made
    yesterday with satisfaction 4, or still pending)."""
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Callback, Ticket

    t = tickets.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="complaint",
                              channel="hotline", title="投诉")
    Ticket.objects.filter(pk=t.pk).update(created_at=at(EARLIER, 9), status="resolved", resolved_at=at(EARLIER, 11),
                                          resolution_due=at(EARLIER, 12))
    Callback.objects.create(ticket=t, due=at(YESTERDAY, 10), created_at=at(EARLIER, 11),
                            done_at=at(YESTERDAY, 10) if callback_done else None,
                            satisfaction=4 if callback_done else None)
    return Ticket.objects.get(pk=t.pk)


def _rows(day):
    names = ("day", "agent_id", "shop_id", *kpi.COUNTERS)
    return sorted((tuple(r[n] for n in names) for r in AgentDay.objects.filter(day=day).values(*names)),
                  key=lambda row: tuple(-1 if v is None else v for v in row))


def _recounted(day):
    start, end = kpi.bounds(day, day)
    rows = aggregates.stored(kpi.measure(start, end))
    return sorted(((d, a, s, *(c[n] for n in kpi.COUNTERS)) for (d, a, s), c in rows.items()),
                  key=lambda row: tuple(-1 if v is None else v for v in row))


def test_r_kpi_1_reassigning_a_resolved_ticket_marks_its_callback_days_stale(
        demo, django_capture_on_commit_callbacks):
    from kefu.tickets import services as tickets

    ticket = _resolved_complaint(demo, callback_done=True)
    aggregates.refresh_days([EARLIER, YESTERDAY])  # computed after the days ended: final until marked stale
    with django_capture_on_commit_callbacks(execute=True):
        tickets.assign(actor=demo.users["lead1"], ticket_id=ticket.pk, to_owner=demo.users["agent2"])
    assert KpiDay.objects.get(day=EARLIER).stale
    assert KpiDay.objects.get(day=YESTERDAY).stale  # the callback's due and made day: agent2's figures now
    aggregates.ensure_fresh(EARLIER, YESTERDAY)
    assert _rows(YESTERDAY) == _recounted(YESTERDAY) != []
    a2 = {r.key: r for r in kpi.compute(demo.users["head1"], level="agent", date_from=YESTERDAY,
                                        date_to=YESTERDAY)}["agent2"]
    assert a2.callback_rate == 1.0 and a2.csat == 4.0


def test_r_kpi_1_merging_a_duplicate_marks_the_day_its_dropped_callback_was_due_stale(
        demo, django_capture_on_commit_callbacks):
    from kefu.tickets import services as tickets

    duplicate = _resolved_complaint(demo, callback_done=False)
    survivor = tickets.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="complaint",
                                     channel="hotline", title="同一投诉")
    aggregates.refresh_days([EARLIER, YESTERDAY])
    assert {r.key: r for r in kpi.compute(demo.users["head1"], level="agent", date_from=YESTERDAY,
                                          date_to=YESTERDAY)}["agent1"].callback_rate == 0.0
    with django_capture_on_commit_callbacks(execute=True):
        tickets.merge(actor=demo.users["agent1"], ticket_id=duplicate.pk, into_id=survivor.pk)
    assert KpiDay.objects.get(day=YESTERDAY).stale
    aggregates.ensure_fresh(EARLIER, YESTERDAY)
    assert _rows(YESTERDAY) == _recounted(YESTERDAY)
    assert {r.key: r for r in kpi.compute(demo.users["head1"], level="agent", date_from=YESTERDAY,
                                          date_to=YESTERDAY)}["agent1"].callback_rate is None
