"""Review (session 6) of the team targets on the head's home (R-KPI-1): a team just under its target is named with
a value that reads as under it ("89.9 < 90", never "90 < 90")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.performance.kpi import KpiRow

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 8, 20, tzinfo=SH), tick=False):
        yield


@pytest.mark.parametrize(("sla_rate", "shown"), [(0.8996, "89.9 < 90"), (0.85, "85 < 90"), (0.57, "57 < 90")])
def test_r_kpi_1_home_shows_a_value_under_its_target_as_under_it(demo, monkeypatch, sla_rate, shown):
    from kefu.home import selectors as home

    team1 = next(t for t in demo.teams if t.name == "一班")
    rows = [KpiRow(key="一班", name="一班", sla_rate=sla_rate, extra={"team_id": team1.pk})]
    monkeypatch.setattr(home.kpi, "compute", lambda *a, **k: rows)
    below = home.teams_below_target(demo.users["head1"], DAY)
    assert [t["kpis"] for t in below] == [["sla_rate"]]  # the centre's target 90
    text = home._below_text(below[0])
    assert shown in text and "90 < 90" not in text
