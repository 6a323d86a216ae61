import datetime as dt

import pytest
import time_machine

from kefu.workforce.demo import seed_demo_workforce
from kefu.workforce.models import LeaveRequest, Shift, ShiftType


@pytest.mark.parametrize("moment", ["2026-12-06T03:00:00+08:00", "2026-12-09T15:00:00+08:00",
                                    "2026-12-31T23:50:00+08:00"])
def test_seed_demo_workforce_builds_two_weeks_and_runs_again_safely(demo, moment):
    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=False):
        first = seed_demo_workforce()
        again = seed_demo_workforce()
    assert set(ShiftType.objects.values_list("code", flat=True)) == {"early", "late", "night"}
    assert first["shifts"] > 40 and first["leave"] == 2
    assert again == {"shifts": 0, "leave": 0}
    assert Shift.objects.values("team").distinct().count() == 2
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"pending", "approved"}
    assert Shift.objects.filter(leave__status="approved").exists()  # the gap on the roster
    assert ShiftType.objects.get(code="night").crosses_midnight
