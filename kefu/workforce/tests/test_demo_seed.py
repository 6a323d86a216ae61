import datetime as dt

import pytest
import time_machine

from kefu.workforce.demo import months_before, seed_demo_workforce
from kefu.workforce.models import (
    AnnualLeaveEntitlement,
    AssessmentScore,
    LeaveRequest,
    Level,
    Shift,
    ShiftType,
    WorkerProfile,
)

MOMENTS = ["2026-12-06T03:00:00+08:00", "2026-12-09T15:00:00+08:00", "2026-12-31T23:50:00+08:00"]


def _agents(demo):
    return [demo.users[f"agent{i}"] for i in range(1, 7)]


def _people_data():
    """Everything the seed writes about people, to compare two runs."""
    return (
        sorted(WorkerProfile.objects.values_list("person_id", "hired_on", "skills", "level_id", "version")),
        sorted(AssessmentScore.objects.values_list("person_id", "month", "score", "entered_by_id")),
        sorted(AnnualLeaveEntitlement.objects.values_list("person_id", "year", "days", "version")),
    )


@pytest.mark.parametrize("moment", MOMENTS)
def test_seed_demo_workforce_builds_two_weeks_and_runs_again_safely(demo, moment):
    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=False):
        first = seed_demo_workforce()
        people = _people_data()
        again = seed_demo_workforce()
        assert _people_data() == people  # run twice = the same data
    assert set(ShiftType.objects.values_list("code", flat=True)) == {"early", "late", "night"}
    assert first["shifts"] > 40 and first["leave"] == 2
    assert first["profiles"] == 6 and first["scores"] == 6
    assert set(again.values()) == {0}  # nothing added the second time
    assert Shift.objects.values("team").distinct().count() == 2
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {"pending", "approved"}
    assert Shift.objects.filter(leave__status="approved").exists()  # the gap on the roster
    assert ShiftType.objects.get(code="night").crosses_midnight


@pytest.mark.parametrize("moment", MOMENTS)
def test_demo_agents_have_profiles_scores_and_annual_leave(demo, moment):
    now = dt.datetime.fromisoformat(moment)
    today = now.date()
    with time_machine.travel(now, tick=False):
        seed_demo_workforce()
    agents = _agents(demo)
    profiles = {p.person_id: p for p in WorkerProfile.objects.filter(person__in=agents)}
    assert set(profiles) == {a.pk for a in agents}
    hired = sorted(p.hired_on for p in profiles.values())
    assert hired[0] == months_before(today, 30) and hired[-1] == months_before(today, 1)  # 1 to 30 months
    assert all(months_before(today, 30) <= d <= months_before(today, 1) < today for d in hired)
    assert all({"phone", "online"} <= set(p.skills) for p in profiles.values())
    assert 1 <= sum("vip" in p.skills for p in profiles.values()) <= 2
    assert all(set(p.skills) <= {"phone", "online", "vip"} for p in profiles.values())
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    scores = AssessmentScore.objects.filter(person__in=agents)
    assert scores.count() == 6 and set(scores.values_list("month", flat=True)) == {last_month}
    assert all(0 < s <= 100 for s in scores.values_list("score", flat=True))
    assert set(scores.values_list("entered_by__username", flat=True)) == {"head1"}
    assert all(s.entered_at <= now for s in scores)
    entitled = AnnualLeaveEntitlement.objects.filter(person__in=agents, year=today.year)
    assert entitled.count() == 6 and all(e.days > 0 for e in entitled)


def test_demo_levels_follow_the_ladder_when_it_exists(demo):
    """Levels are looked up by code among the Level rows: the longest-serving agent is on the highest step, and
    the VIP skill goes only to silver and above (whose level opens it)."""
    with time_machine.travel(dt.datetime.fromisoformat(MOMENTS[1]), tick=False):
        seed_demo_workforce()
    profiles = list(WorkerProfile.objects.select_related("level").filter(person__in=_agents(demo)))
    codes = set(Level.objects.values_list("code", flat=True))
    if not {"trial", "iron", "bronze", "silver", "gold"} <= codes:
        pytest.skip("the ladder's levels are not in this database")
    assert all(p.level is not None for p in profiles)
    longest = min(profiles, key=lambda p: p.hired_on)
    newest = max(profiles, key=lambda p: p.hired_on)
    assert longest.level.code == "gold" and newest.level.code == "trial"
    assert all(p.level.rank >= Level.objects.get(code="silver").rank for p in profiles if "vip" in p.skills)


def test_demo_people_without_levels_get_none(demo):
    """No Level rows (a database before the ladder's data migration): profiles are made, levels left empty."""
    Level.objects.all().delete()
    with time_machine.travel(dt.datetime.fromisoformat(MOMENTS[1]), tick=False):
        made = seed_demo_workforce()
    assert made["profiles"] == 6
    assert not WorkerProfile.objects.filter(level__isnull=False).exists()


def test_months_before_keeps_a_day_every_month_has():
    assert months_before(dt.date(2026, 12, 31), 1) == dt.date(2026, 11, 28)
    assert months_before(dt.date(2026, 3, 15), 30) == dt.date(2023, 9, 15)
    assert months_before(dt.date(2026, 1, 5), 1) == dt.date(2025, 12, 5)
