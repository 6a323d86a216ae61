"""Fixtures of the workforce tests: a frozen clock, the demo shift types, shifts and API helpers."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)  # a normal working week of the 2026 official calendar


def at(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    """``clock(moment)`` stands the clock still at ``moment`` for the rest of the test (and moves it)."""
    travels = []

    def move(moment: dt.datetime):
        if travels:
            travels.pop().stop()
        travel = time_machine.travel(moment, tick=False)
        travel.start()
        travels.append(travel)
        return moment

    move(at(MONDAY, 9))
    yield move
    while travels:
        travels.pop().stop()


@pytest.fixture
def shift_types(demo):
    from kefu.workforce import services

    centre = demo.centre
    return {
        "early": services.ensure_shift_type(actor=None, centre=centre, code="early", name="早班", kind="day",
                                            start=dt.time(9), end=dt.time(18), breaks=[["12:00", "13:00"]]),
        "late": services.ensure_shift_type(actor=None, centre=centre, code="late", name="晚班", kind="custom",
                                           start=dt.time(18), end=dt.time(2)),
        "night": services.ensure_shift_type(actor=None, centre=centre, code="night", name="夜班", kind="night",
                                            start=dt.time(22), end=dt.time(6)),
    }


@pytest.fixture
def make_shift(demo, shift_types):
    """``make_shift("agent1", date, "early")`` through the service, as the person's lead (head for others)."""
    from kefu.workforce import services

    def make(username: str, day: dt.date, code: str = "early", **kwargs):
        person = demo.users[username]
        lead = {0: "lead1", 1: "lead2"}.get(demo.teams.index(person.team) if person.team else -1, "head1")
        return services.create_shift(actor=demo.users[lead], person=person, date=day,
                                     shift_type=shift_types[code], **kwargs)

    return make


def call(client, method: str, path: str, data=None):
    fn = getattr(client, method)
    if data is None:
        return fn(f"/api/v1{path}")
    return fn(f"/api/v1{path}", data=json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def holiday(demo):
    """A company holiday on Thursday 2026-12-10 entered by the administrator (R-CAL)."""
    from kefu.bizcalendar import services as calendar

    calendar.set_day(actor=demo.users["admin"], date=dt.date(2026, 12, 10), kind="holiday", name="公司假日")
    return dt.date(2026, 12, 10)
