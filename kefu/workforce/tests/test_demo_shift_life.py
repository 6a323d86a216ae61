"""The demo shows a working floor on any date: the roll call of the shifts that have started, duty log entries,
an acknowledged handover and (where next week's calendar allows one) a pending swap — and seeding twice adds
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from kefu.workforce.demo import seed_demo_workforce
from kefu.workforce.models import Attendance, DutyLogEntry, Handover, RollCallMark, ShiftSwap

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("moment", ["2026-12-06T03:00:00+08:00", "2026-12-09T15:00:00+08:00",
                                    "2026-12-31T23:50:00+08:00"])
def test_demo_floor_has_roll_calls_a_handover_and_a_swap(demo, moment):
    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=False):
        seed_demo_workforce()
        counts = (RollCallMark.objects.count(), DutyLogEntry.objects.count(), Handover.objects.count(),
                  ShiftSwap.objects.count())
        again = seed_demo_workforce()
    assert counts[0] >= 10 and counts[1] == 2
    assert list(Handover.objects.values_list("status", flat=True)) == ["acknowledged"]
    assert list(ShiftSwap.objects.values_list("status", flat=True)) == ["pending"]
    # every mark fed the attendance (the check-ins the handover's sign-off needed)
    assert Attendance.objects.filter(check_in_at__isnull=False).count() >= counts[0]
    assert {k: v for k, v in again.items() if v} == {}
    assert counts == (RollCallMark.objects.count(), DutyLogEntry.objects.count(), Handover.objects.count(),
                      ShiftSwap.objects.count())
