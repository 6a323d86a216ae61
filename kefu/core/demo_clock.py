"""The demo's clock: the demo seeds compute their moments backwards from the moment they run, on the
business calendar, and write every record through the services with the clock moved to its moment
(``at``), so that numbers, timelines and the audit trail read as if the work had happened then.

Only the ``seed_demo*`` commands use this; real records never travel in time."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import time_machine
from django.utils import timezone

from kefu.bizcalendar.selectors import WorkSchedule, add_business_time, is_working_day


@contextlib.contextmanager
def at(moment: dt.datetime) -> Iterator[dt.datetime]:
    """Run the block with the clock standing at ``moment`` (no ticking), then go back."""
    with time_machine.travel(moment, tick=False):
        yield moment


def business_back(now: dt.datetime, duration: dt.timedelta, schedule: WorkSchedule) -> dt.datetime:
    """The moment from which ``duration`` of business time runs until ``now`` (the inverse of
    :func:`add_business_time` counted backwards): a working moment, whatever ``now`` is (a weekend,
    a holiday, 03:00)."""
    if schedule.is_24x7 or duration <= dt.timedelta(0):
        return now - max(duration, dt.timedelta(0))
    remaining = duration
    day = now.astimezone(schedule.tz).date()
    for _i in range(3660):
        if is_working_day(day):
            for p_start, p_end in reversed(list(schedule.periods_on(day))):
                if p_start >= now:
                    continue
                end = min(p_end, now)
                available = end - p_start
                if remaining <= available:
                    return (end - remaining).astimezone(schedule.tz)
                remaining -= available
        day -= dt.timedelta(days=1)
    raise ValueError("no working time within ten years")


def business_after(start: dt.datetime, duration: dt.timedelta, schedule: WorkSchedule) -> dt.datetime:
    return add_business_time(start, duration, schedule)


def local_moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute`` in the organisation's zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
