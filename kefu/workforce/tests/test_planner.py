"""Shift-plan proposal with CP-SAT (issue 10, R-WFM-1 roster and rest, R-WFM-4 leave honoured).

Pure function, explicit dates: nothing here reads the clock or the database.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.workforce.planner import (
    Person,
    PlanDay,
    PlanRules,
    PreviousShift,
    ShiftType,
    Unavailability,
    propose_plan,
)

MON = date(2026, 3, 2)
DAYS3 = [PlanDay(MON + timedelta(days=i)) for i in range(3)]
DAY = ShiftType("day", time(9), time(17), "chat")
NIGHT = ShiftType("night", time(18), time(2), "phone", is_night=True)  # ends 02:00 the next day


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def need(shift: ShiftType, day: date, agents: int = 1) -> dict[datetime, int]:
    """``agents`` needed in every hour of ``shift`` on ``day``."""
    start, end = shift.interval(day)
    hours = {}
    hour = start
    while hour < end:
        hours[hour] = agents
        hour += timedelta(hours=1)
    return hours


def merge(*parts: dict[datetime, int]) -> dict[datetime, int]:
    out: dict[datetime, int] = {}
    for part in parts:
        for k, v in part.items():
            out[k] = out.get(k, 0) + v
    return out


def solve(**kwargs):
    kwargs.setdefault("time_limit_seconds", 10)
    kwargs.setdefault("num_workers", 2)
    return propose_plan(**kwargs)


def shifts_of(result, person_id):
    return [a for a in result.assignments if a.person_id == person_id]


def assert_rest(result, min_rest: timedelta):
    for pid in {a.person_id for a in result.assignments}:
        mine = sorted(shifts_of(result, pid), key=lambda a: a.start)
        for first, second in zip(mine, mine[1:], strict=False):
            assert second.start - first.end >= min_rest, (pid, first, second)


SMALL_PEOPLE = [
    Person("A", frozenset({"chat", "phone"})),
    Person("B", frozenset({"chat", "phone"})),
    Person("C", frozenset({"chat", "phone"})),
    Person("D", frozenset({"chat"})),  # no phone skill: never on the night shift
]
SMALL_REQUIREMENT = merge(*(need(DAY, d.date) for d in DAYS3), *(need(NIGHT, d.date) for d in DAYS3))
LEAVE_A = Unavailability("A", at(MON + timedelta(days=1), 0), at(MON + timedelta(days=2), 0))


def test_r_wfm_1_r_wfm_4_small_case_honours_leave_rest_skills_and_meets_the_requirement_exactly():
    result = solve(
        people=SMALL_PEOPLE,
        shift_types=[DAY, NIGHT],
        days=DAYS3,
        requirement=SMALL_REQUIREMENT,
        unavailable=[LEAVE_A],
    )
    assert result.status == "OPTIMAL" and result.optimal and not result.time_limited
    # Requirement met hour by hour, nothing over, with the fewest agent-hours (6 shifts × 8 h).
    assert result.shortfall_agent_hours == 0
    assert result.surplus_agent_hours == 0
    assert all(c.planned == c.required for c in result.coverage)
    assert result.total_agent_hours == 48
    assert len(result.assignments) == 6
    # R-WFM-4: A on leave all of Tuesday — no shift touches it (also not Monday's night ending 02:00).
    for a in shifts_of(result, "A"):
        assert not (a.start < LEAVE_A.end and LEAVE_A.start < a.end), a
    # Skills: D (chat only) never gets the phone night shift.
    assert all(a.shift_type_id == "day" for a in shifts_of(result, "D"))
    # R-WFM-1 rest: a night ending 02:00 followed by the 09:00 day shift (7 h rest) never appears.
    assert_rest(result, timedelta(hours=8))
    # At most one shift per person per day.
    per_day = [(a.person_id, a.date) for a in result.assignments]
    assert len(per_day) == len(set(per_day))


def _one_person_night_then_day(min_rest_hours: float):
    tue = MON + timedelta(days=1)
    return solve(
        people=[Person("E", frozenset({"chat", "phone"}))],
        shift_types=[DAY, NIGHT],
        days=[PlanDay(MON), PlanDay(tue)],
        requirement=merge(need(NIGHT, MON), need(DAY, tue)),
        rules=PlanRules(min_rest_hours=min_rest_hours),
    )


def test_r_wfm_1_rest_7h_across_midnight_is_refused_at_8h_minimum():
    """Night 18:00–02:00 then day 09:00: 7 h of rest, below the 8 h minimum — only one of them."""
    result = _one_person_night_then_day(8)
    assert len(result.assignments) == 1
    assert result.shortfall_agent_hours == 8
    assert result.optimal


def test_r_wfm_1_rest_7h_is_allowed_when_the_minimum_is_7h():
    result = _one_person_night_then_day(7)
    assert [a.shift_type_id for a in result.assignments] == ["night", "day"]
    assert result.shortfall_agent_hours == 0


def test_r_wfm_1_rest_against_the_previous_weeks_last_shift():
    """Sunday's night shift ended Monday 02:00: E may not start Monday 09:00 (7 h); F covers it."""
    previous = [PreviousShift("E", at(MON - timedelta(days=1), 18), at(MON, 2))]
    people = [Person("E", frozenset({"chat"})), Person("F", frozenset({"chat"}))]
    result = solve(
        people=people,
        shift_types=[DAY],
        days=[PlanDay(MON)],
        requirement=need(DAY, MON),
        previous_shifts=previous,
    )
    assert [a.person_id for a in result.assignments] == ["F"]
    alone = solve(
        people=people[:1],
        shift_types=[DAY],
        days=[PlanDay(MON)],
        requirement=need(DAY, MON),
        previous_shifts=previous,
    )
    assert alone.assignments == ()
    assert alone.shortfall_agent_hours == 8
    # Exactly 8 h of rest (previous shift ending 01:00) is enough.
    ok = solve(
        people=people[:1],
        shift_types=[DAY],
        days=[PlanDay(MON)],
        requirement=need(DAY, MON),
        previous_shifts=[PreviousShift("E", at(MON - timedelta(days=1), 17), at(MON, 1))],
    )
    assert [a.person_id for a in ok.assignments] == ["E"]


def test_r_wfm_4_leave_part_of_a_day_frees_the_overlapping_shift_only():
    leave = [Unavailability("A", at(MON, 20), at(MON, 23))]  # evening appointment
    result = solve(
        people=[Person("A", frozenset({"chat", "phone"}))],
        shift_types=[DAY, NIGHT],
        days=[PlanDay(MON)],
        requirement=merge(need(NIGHT, MON)),
        unavailable=leave,
    )
    assert result.assignments == ()
    assert result.shortfall_agent_hours == 8
    day_only = solve(
        people=[Person("A", frozenset({"chat", "phone"}))],
        shift_types=[DAY, NIGHT],
        days=[PlanDay(MON)],
        requirement=need(DAY, MON),
        unavailable=leave,
    )
    assert [a.shift_type_id for a in day_only.assignments] == ["day"]


def test_shortfall_is_reported_per_hour_when_demand_cannot_be_met():
    result = solve(
        people=SMALL_PEOPLE[3:],  # D alone, chat only
        shift_types=[DAY, NIGHT],
        days=DAYS3,
        requirement=merge(*(need(DAY, d.date, agents=2) for d in DAYS3), need(NIGHT, MON)),
    )
    assert result.has_plan and result.optimal
    assert [a.shift_type_id for a in result.assignments] == ["day", "day", "day"]
    # 3 days × 8 h × 1 missing agent + the night nobody may work (8 h).
    assert result.shortfall_agent_hours == 32
    short = {c.hour: c.shortfall for c in result.coverage if c.shortfall}
    assert short[at(MON, 9)] == 1 and short[at(MON, 20)] == 1 and short[at(MON + timedelta(days=1), 1)] == 1


def test_max_shifts_per_week_is_a_hard_cap():
    week = [PlanDay(MON + timedelta(days=i), is_weekend=i >= 5) for i in range(7)]
    result = solve(
        people=[Person("D", frozenset({"chat"}))],
        shift_types=[DAY],
        days=week,
        requirement=merge(*(need(DAY, d.date) for d in week)),
        rules=PlanRules(max_shifts_per_week=5),
    )
    assert len(result.assignments) == 5
    assert result.shortfall_agent_hours == 16


def test_fewest_agent_hours_picks_the_shorter_shift_and_reports_surplus():
    long_day = ShiftType("long", time(8), time(20), "chat")
    result = solve(
        people=SMALL_PEOPLE,
        shift_types=[long_day, DAY],
        days=[PlanDay(MON)],
        requirement={at(MON, h): 1 for h in range(9, 13)},  # only the morning needs someone
    )
    assert [a.shift_type_id for a in result.assignments] == ["day"]
    assert result.total_agent_hours == 8
    assert result.surplus_agent_hours == 4
    assert result.shortfall_agent_hours == 0


def test_partial_hours_count_by_minutes():
    half = ShiftType("half", time(8, 30), time(12, 30), "chat")
    result = solve(
        people=[Person("D", frozenset({"chat"}))],
        shift_types=[half],
        days=[PlanDay(MON)],
        requirement={at(MON, h): 1 for h in range(8, 13)},
    )
    planned = {c.hour.hour: c.planned for c in result.coverage}
    assert planned == {8: 0.5, 9: 1, 10: 1, 11: 1, 12: 0.5}
    assert result.shortfall_agent_hours == 1


def test_night_and_weekend_shifts_are_shared_fairly():
    phone = frozenset({"phone", "chat"})
    people = [Person(p, phone) for p in "PQRS"]
    sat = date(2026, 3, 7)
    days = [PlanDay(MON), PlanDay(MON + timedelta(days=1)), PlanDay(MON + timedelta(days=2))]
    days += [PlanDay(sat, is_weekend=True), PlanDay(sat + timedelta(days=1), is_weekend=True)]
    days += [PlanDay(date(2026, 4, 6), is_holiday=True)]  # 清明 Monday: counts with the weekends
    nights = merge(*(need(NIGHT, d.date) for d in days[:4]))
    weekend_days = merge(*(need(DAY, d.date) for d in days[3:]))
    result = solve(
        people=people, shift_types=[DAY, NIGHT], days=days, requirement=merge(nights, weekend_days)
    )
    assert result.optimal
    assert result.shortfall_agent_hours == 0
    assert sorted(result.night_shifts.values()) == [1, 1, 1, 1]
    # 4 weekend/holiday shifts (Saturday night, Saturday, Sunday, the holiday) among 4 people.
    assert sorted(result.weekend_shifts.values()) == [1, 1, 1, 1]


def test_progress_is_reported_from_the_solver():
    calls = []
    result = solve(
        people=SMALL_PEOPLE,
        shift_types=[DAY, NIGHT],
        days=DAYS3,
        requirement=SMALL_REQUIREMENT,
        progress=lambda fraction, message: calls.append((fraction, message)),
    )
    assert result.solutions_found >= 1
    fractions = [f for f, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)
    assert fractions == sorted(fractions)
    assert any(m.startswith("plan ") for _, m in calls)  # from the CP-SAT solution callback


def test_nothing_to_plan_is_an_empty_optimal_plan():
    result = solve(people=[], shift_types=[DAY], days=DAYS3, requirement={})
    assert result.has_plan and result.assignments == () and result.total_agent_hours == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requirement": {at(MON, 9): -1}},
        {"requirement": {at(MON, 9) + timedelta(minutes=30): 1}},
        {"rules": PlanRules(min_rest_hours=-1)},
        {"time_limit_seconds": 0},
        {"num_workers": 0},
        {"people": SMALL_PEOPLE + SMALL_PEOPLE[:1]},
        {"shift_types": [ShiftType("odd", time(9, 0, 30), time(17), "chat")]},
        {"requirement": {at(MON, 9): 1}, "tz": ZoneInfo("Asia/Shanghai")},  # naive keys with a tz
        {
            "unavailable": [
                Unavailability("A", at(MON, 0).replace(tzinfo=ZoneInfo("Asia/Shanghai")), at(MON, 23))
            ]
        },
    ],
)
def test_bad_input_is_refused(kwargs):
    base = {"people": SMALL_PEOPLE, "shift_types": [DAY], "days": DAYS3, "requirement": {}}
    with pytest.raises(ValueError):
        solve(**(base | kwargs))


def team_of_30_week():
    """30 people, 3 shift types (early, late and a night crossing midnight), 7 days, some leave."""
    early = ShiftType("early", time(8), time(16), "chat")
    late = ShiftType("late", time(14), time(22), "chat")
    night = ShiftType("night", time(22), time(6), "hotline", is_night=True)
    people = [
        Person(f"p{i:02d}", frozenset({"chat", "hotline"} if i < 20 else {"chat"}), level=i % 4, team="一班")
        for i in range(30)
    ]
    start = date(2026, 3, 9)  # a Monday
    days = [PlanDay(start + timedelta(days=i), is_weekend=i >= 5) for i in range(7)]
    requirement: dict[datetime, int] = {}
    for d in days:
        weekend = d.is_weekend
        requirement = merge(
            requirement,
            need(early, d.date, 5 if weekend else 8),
            need(late, d.date, 4 if weekend else 7),
            need(night, d.date, 2 if weekend else 3),
        )
    leave = [
        Unavailability("p03", at(start, 0), at(start + timedelta(days=3), 0)),
        Unavailability("p11", at(start + timedelta(days=4), 0), at(start + timedelta(days=7), 0)),
        Unavailability("p25", at(start + timedelta(days=2), 12), at(start + timedelta(days=2), 18)),
    ]
    previous = [PreviousShift(f"p{i:02d}", at(start - timedelta(days=1), 22), at(start, 6)) for i in range(3)]
    return {
        "people": people,
        "shift_types": [early, late, night],
        "days": days,
        "requirement": requirement,
        "unavailable": leave,
        "previous_shifts": previous,
    }


def test_r_wfm_1_team_of_30_week_plan_within_its_time_limit():
    case = team_of_30_week()
    result = propose_plan(**case, time_limit_seconds=10, num_workers=2)
    assert result.has_plan
    assert result.wall_seconds < 10 + 5  # the limit plus model building and reporting
    assert result.shortfall_agent_hours == 0  # capacity (30 × 5 shifts) exceeds demand (≈ 120 shifts)
    assert_rest(result, timedelta(hours=8))
    counts: dict[str, int] = {}
    for a in result.assignments:
        counts[a.person_id] = counts.get(a.person_id, 0) + 1
        if a.shift_type_id == "night":
            assert int(a.person_id[1:]) < 20  # hotline skill
    assert max(counts.values()) <= 5
    for off in case["unavailable"]:
        assert not any(
            a.person_id == off.person_id and a.start < off.end and off.start < a.end
            for a in result.assignments
        )
    for a in result.assignments:
        if a.person_id in {"p00", "p01", "p02"} and a.date == date(2026, 3, 9):
            assert a.start >= datetime(2026, 3, 9, 14)  # 8 h after last week's night ending 06:00


PEAKY_PROFILE = [2, 2, 2, 2, 2, 2, 3, 4, 6, 8, 10, 10, 8, 9, 11, 12, 10, 8, 7, 7, 8, 6, 4, 3]


def peaky_week():
    """An Erlang-C-like hourly profile no shift pattern matches exactly (06:00–08:00 no shift covers)."""
    case = team_of_30_week()
    profile = PEAKY_PROFILE
    case["requirement"] = {
        at(d.date, h): (max(1, n * 2 // 3) if d.is_weekend else n)
        for d in case["days"]
        for h, n in enumerate(profile)
    }
    return case


def test_r_wfm_1_team_of_30_week_with_a_peaky_hourly_profile_gives_a_feasible_plan_in_time():
    """Every hard rule still holds and the shortfall is reported, not hidden."""
    case = peaky_week()
    result = propose_plan(**case, time_limit_seconds=10, num_workers=2)
    assert result.has_plan
    assert result.optimal or result.time_limited
    assert result.wall_seconds < 10 + 5
    assert_rest(result, timedelta(hours=8))
    per_person: dict[str, int] = {}
    for a in result.assignments:
        per_person[a.person_id] = per_person.get(a.person_id, 0) + 1
    assert max(per_person.values()) <= 5
    shortfall = sum(max(0.0, c.required - c.planned) for c in result.coverage)
    assert result.shortfall_agent_hours == pytest.approx(shortfall)


def test_a_time_limit_too_short_to_prove_anything_is_reported_as_time_limited():
    result = propose_plan(**peaky_week(), time_limit_seconds=0.01, num_workers=1)
    assert not result.optimal
    assert result.time_limited
    assert result.status in ("FEASIBLE", "UNKNOWN")
    assert result.wall_seconds < 5


def test_r_wfm_4_aware_datetimes_with_the_centres_time_zone():
    """The app passes aware datetimes (USE_TZ): leave given in UTC still frees the Shanghai shift."""
    shanghai = ZoneInfo("Asia/Shanghai")
    utc = ZoneInfo("UTC")
    requirement = {hour.replace(tzinfo=shanghai): n for hour, n in need(DAY, MON).items()}
    # 02:00–04:00 UTC is 10:00–12:00 in Shanghai: inside A's day shift.
    leave = [Unavailability("A", datetime(2026, 3, 2, 2, tzinfo=utc), datetime(2026, 3, 2, 4, tzinfo=utc))]
    result = solve(
        people=SMALL_PEOPLE[:2],
        shift_types=[DAY],
        days=[PlanDay(MON)],
        requirement=requirement,
        unavailable=leave,
        tz=shanghai,
    )
    assert [(a.person_id, a.start) for a in result.assignments] == [
        ("B", datetime(2026, 3, 2, 9, tzinfo=shanghai))
    ]
    assert result.shortfall_agent_hours == 0


@pytest.mark.parametrize(("night_end", "both"), [(time(1, 1), False), (time(1, 0), True)])
def test_r_wfm_1_rest_boundary_7h59_refused_8h_allowed_across_midnight(night_end, both):
    """Night ending 01:01 then day 09:00 = 7 h 59 min of rest (refused); ending 01:00 = 8 h (allowed)."""
    night = ShiftType("night", time(17), night_end, "phone", is_night=True)
    tue = MON + timedelta(days=1)
    result = solve(
        people=[Person("E", frozenset({"chat", "phone"}))],
        shift_types=[DAY, night],
        days=[PlanDay(MON), PlanDay(tue)],
        requirement=merge(need(night, MON), need(DAY, tue)),
        rules=PlanRules(min_rest_hours=8),
    )
    assert len(result.assignments) == (2 if both else 1)
    assert result.optimal
