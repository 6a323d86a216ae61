"""Shift-plan proposal (issue 10, "propose next week") with OR-Tools CP-SAT.

A pure function: the caller (the background job of the workforce app) reads the team's people, shift
types, approved leave, last week's shifts, the hourly requirement (Erlang C advice) and the rule
settings, and passes them in; the result is a draft the lead reviews, edits and publishes.

Model
-----
* one boolean per (person, day, shift type) that the person may work at all: the shift type's work type
  (and shop, when the shift type names one) among the person's skills, no overlap with their
  unavailability (approved leave), and enough rest after their shifts of the previous week;
* hard: at most one shift per person per day; at most ``max_shifts_per_week`` shifts per person (or the
  person's own ``max_shifts``);
  between the end of one shift and the start of the next shift of the same person at least
  ``min_rest_hours`` (R-WFM-1/R-WFM-3 连班; also across midnight for night shifts and against the
  previous week's last shifts);
* objective, in strict priority order (weights chosen so that a lower level can never buy a higher one):
  1. the hourly requirement — each missing agent-minute costs more than any plan's whole working time,
     so infeasible demand still gives the best plan and reports its shortfall;
  2. the fewest agent-hours;
  3. fairness: the spread (max − min) of night shifts and of weekend/holiday shifts among the people
     who may work them.

Times are wall-clock datetimes of the centre: ``datetime.combine(day, shift.start, tzinfo=tz)``. Pass
``tz`` (e.g. ``zoneinfo.ZoneInfo("Asia/Shanghai")``) when the unavailability and previous shifts are
aware datetimes, leave it ``None`` when they are naive. Requirement keys are the starts of the hours.
An agent counts towards an hour by the minutes of the hour their shift covers (a shift 08:30–17:00
gives half an agent to 08:00–09:00).
"""

from __future__ import annotations

import math
import os
import time as _time
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from ortools.sat.python import cp_model

__all__ = [
    "Assignment",
    "HourCoverage",
    "Person",
    "PlanDay",
    "PlanResult",
    "PlanRules",
    "PreviousShift",
    "ShiftType",
    "Unavailability",
    "propose_plan",
]

ProgressCallback = Callable[[float, str], None]

_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Person:
    id: Hashable
    work_types: frozenset[str]
    shops: frozenset[str] = frozenset()
    level: str | int | None = None
    team: Hashable | None = None
    max_shifts: int | None = None  # this person's shifts per week at most (None: the rules')


@dataclass(frozen=True)
class ShiftType:
    id: Hashable
    start: time
    end: time  # at or before ``start``: the shift ends the next day (equal to ``start``: a 24 h shift)
    work_type: str
    is_night: bool = False
    shop: str | None = None  # when set, only people serving this shop

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def interval(self, day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
        start = datetime.combine(day, self.start, tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1) if self.crosses_midnight else day, self.end, tzinfo=tz)
        return start, end


@dataclass(frozen=True)
class PlanDay:
    date: date
    is_weekend: bool = False
    is_holiday: bool = False

    @property
    def counts_as_weekend(self) -> bool:
        """Weekend or public holiday (a 调休 working Saturday is passed with ``is_weekend=False``)."""
        return self.is_weekend or self.is_holiday


@dataclass(frozen=True)
class Unavailability:
    person_id: Hashable
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PreviousShift:
    person_id: Hashable
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PlanRules:
    min_rest_hours: float = 8
    max_shifts_per_week: int = 5
    fair_nights: bool = True
    fair_weekends: bool = True


@dataclass(frozen=True)
class Assignment:
    person_id: Hashable
    date: date
    shift_type_id: Hashable
    start: datetime
    end: datetime


@dataclass(frozen=True)
class HourCoverage:
    hour: datetime
    required: int
    planned: float  # agents on shift during the hour (minute-weighted)

    @property
    def shortfall(self) -> float:
        return max(0.0, self.required - self.planned)

    @property
    def surplus(self) -> float:
        return max(0.0, self.planned - self.required)


@dataclass(frozen=True)
class PlanResult:
    status: str  # CP-SAT's: OPTIMAL, FEASIBLE, INFEASIBLE, MODEL_INVALID, UNKNOWN
    optimal: bool  # proven best
    time_limited: bool  # stopped by the time limit before proving optimality
    assignments: tuple[Assignment, ...]
    coverage: tuple[HourCoverage, ...]  # every required hour and every hour a planned shift touches
    total_agent_hours: float
    shortfall_agent_hours: float
    surplus_agent_hours: float
    night_shifts: dict[Hashable, int] = field(default_factory=dict)
    weekend_shifts: dict[Hashable, int] = field(default_factory=dict)
    wall_seconds: float = 0.0
    solutions_found: int = 0

    @property
    def has_plan(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _too_close(a: tuple[datetime, datetime], b: tuple[datetime, datetime], rest: timedelta) -> bool:
    """True when the two shifts overlap or the rest between them is shorter than ``rest``."""
    first, second = sorted((a, b))
    return second[0] - first[1] < rest


def _hours_touched(start: datetime, end: datetime) -> Iterable[datetime]:
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        yield hour
        hour += _HOUR


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        report: ProgressCallback | None,
        started: float,
        time_limit: float,
        short_vars,
        hours_terms,
        unit,
    ):
        super().__init__()
        self._report = report
        self._started = started
        self._time_limit = time_limit
        self._short_vars = short_vars
        self._hour_terms = hours_terms
        self._unit = unit
        self.count = 0
        self._last = 0.05

    def on_solution_callback(self) -> None:
        self.count += 1
        if self._report is None:
            return
        short = sum(self.Value(v) for v in self._short_vars) * self._unit / 60
        hours = sum(self.Value(v) * d for v, d in self._hour_terms) * self._unit / 60
        # Between the 0.05 of "solving" and the 1.0 of the result, by the share of the time limit used.
        fraction = 0.05 + 0.9 * min(1.0, (_time.monotonic() - self._started) / self._time_limit)
        self._last = fraction = max(self._last, fraction)
        self._report(
            fraction,
            f"plan {self.count}: {hours:g} agent-hours, {short:g} agent-hours of requirement uncovered",
        )


def propose_plan(
    *,
    people: Sequence[Person],
    shift_types: Sequence[ShiftType],
    days: Sequence[PlanDay],
    requirement: Mapping[datetime, int],
    unavailable: Iterable[Unavailability] = (),
    previous_shifts: Iterable[PreviousShift] = (),
    rules: PlanRules | None = None,
    tz: tzinfo | None = None,
    time_limit_seconds: float = 30.0,
    num_workers: int | None = None,
    random_seed: int = 0,
    progress: ProgressCallback | None = None,
) -> PlanResult:
    """Propose who works which shift on each of ``days``; see the module docstring for the model.

    ``num_workers`` defaults to the machine's cores (at most 8); ``progress(fraction, message)`` is
    called before solving, from CP-SAT's solution callback at every better plan, and with 1.0 at the end.
    """
    started = _time.monotonic()
    if num_workers is None:
        num_workers = min(8, os.cpu_count() or 1)
    rules = rules or PlanRules()
    if rules.min_rest_hours < 0:
        raise ValueError("min_rest_hours must be at least 0")
    if rules.max_shifts_per_week < 0:
        raise ValueError("max_shifts_per_week must be at least 0")
    if time_limit_seconds <= 0:
        raise ValueError("time_limit_seconds must be positive")
    if num_workers < 1:
        raise ValueError("num_workers must be at least 1")
    for hour, need in requirement.items():
        if need < 0 or int(need) != need:
            raise ValueError(f"requirement at {hour:%Y-%m-%d %H:%M} must be a whole number of at least 0")
        if (hour.minute, hour.second, hour.microsecond) != (0, 0, 0):
            raise ValueError(f"requirement key {hour!r} is not the start of an hour")
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError("people ids must be unique")
    if len({s.id for s in shift_types}) != len(shift_types):
        raise ValueError("shift type ids must be unique")
    if len({d.date for d in days}) != len(days):
        raise ValueError("each day may appear only once")

    for s in shift_types:
        if s.start.second or s.start.microsecond or s.end.second or s.end.microsecond:
            raise ValueError(f"shift type {s.id!r} must start and end on a whole minute")
    unavailable = list(unavailable)
    previous_shifts = list(previous_shifts)
    # Naive and aware datetimes never compare: all of them must match ``tz``.
    stamps = [*requirement, *(t for u in unavailable for t in (u.start, u.end))]
    stamps += [t for p in previous_shifts for t in (p.start, p.end)]
    for stamp in stamps:
        if (stamp.tzinfo is None) != (tz is None):
            raise ValueError(
                f"{stamp!r} is {'naive' if stamp.tzinfo is None else 'aware'} but tz is {tz!r}: "
                "pass aware datetimes with a tz, naive ones without"
            )

    if progress:
        progress(0.0, "building the model")
    rest = timedelta(hours=rules.min_rest_hours)
    leave: dict[Hashable, list[tuple[datetime, datetime]]] = defaultdict(list)
    for u in unavailable:
        leave[u.person_id].append((u.start, u.end))
    before: dict[Hashable, list[tuple[datetime, datetime]]] = defaultdict(list)
    for prev in previous_shifts:
        before[prev.person_id].append((prev.start, prev.end))

    # The time unit: the largest number of minutes dividing every boundary a shift makes inside an hour.
    unit = 60
    intervals = {(d.date, s.id): s.interval(d.date, tz) for d in days for s in shift_types}
    for start, end in intervals.values():
        unit = math.gcd(unit, start.minute, end.minute)
    per_hour = 60 // unit

    # Candidate assignments.
    model = cp_model.CpModel()
    x: dict[tuple[Hashable, date, Hashable], cp_model.IntVar] = {}
    for p in people:
        for d in days:
            for s in shift_types:
                if s.work_type not in p.work_types or (s.shop is not None and s.shop not in p.shops):
                    continue
                span = intervals[(d.date, s.id)]
                if any(_overlaps(*span, *off) for off in leave.get(p.id, ())):
                    continue
                if any(_too_close(span, prev, rest) for prev in before.get(p.id, ())):
                    continue
                x[(p.id, d.date, s.id)] = model.new_bool_var(f"x_{p.id}_{d.date}_{s.id}")

    by_person: dict[Hashable, list[tuple[Hashable, date, Hashable]]] = defaultdict(list)
    for key in x:
        by_person[key[0]].append(key)
    own_limit = {p.id: p.max_shifts for p in people if p.max_shifts is not None}
    for person_id, keys in by_person.items():
        for d in days:
            same_day = [x[k] for k in keys if k[1] == d.date]
            if len(same_day) > 1:
                model.add_at_most_one(same_day)
        limit = own_limit.get(person_id, rules.max_shifts_per_week)
        if len({k[1] for k in keys}) > limit:
            model.add(sum(x[k] for k in keys) <= limit)
        ordered = sorted(keys, key=lambda k: intervals[(k[1], k[2])])
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if a[1] == b[1]:
                    continue  # same day: already at most one
                if _too_close(intervals[(a[1], a[2])], intervals[(b[1], b[2])], rest):
                    model.add_bool_or([x[a].Not(), x[b].Not()])

    # Coverage per hour, in units of ``unit`` minutes.
    duration = {k: _minutes(intervals[(k[1], k[2])][1] - intervals[(k[1], k[2])][0]) // unit for k in x}
    cover: dict[datetime, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    for k, var in x.items():
        start, end = intervals[(k[1], k[2])]
        for hour in _hours_touched(start, end):
            overlap = _minutes(min(end, hour + _HOUR) - max(start, hour)) // unit
            if overlap > 0:
                cover[hour].append((var, overlap))
    short_vars = []
    for hour, need in requirement.items():
        if need == 0:
            continue
        target = int(need) * per_hour
        short = model.new_int_var(0, target, f"short_{hour:%Y%m%d%H}")
        model.add(sum(v * w for v, w in cover.get(hour, ())) + short >= target)
        short_vars.append(short)

    # Fairness: spread of night and weekend/holiday shifts among those who may work them.
    weekend_days = {d.date for d in days if d.counts_as_weekend}
    night_types = {s.id for s in shift_types if s.is_night}
    spreads = []
    fairness_cap = 0
    for enabled, selector, name in (
        (rules.fair_nights, lambda k: k[2] in night_types, "night"),
        (rules.fair_weekends, lambda k: k[1] in weekend_days, "weekend"),
    ):
        if not enabled:
            continue
        counts = []
        for keys in by_person.values():
            chosen = [x[k] for k in keys if selector(k)]
            if chosen:
                counts.append(sum(chosen))
        if len(counts) < 2:
            continue
        top = model.new_int_var(0, len(days), f"max_{name}")
        bottom = model.new_int_var(0, len(days), f"min_{name}")
        for c in counts:
            model.add(top >= c)
            model.add(bottom <= c)
        # Redundant but it lets the solver prove a spread of 1 optimal (the max is at least, the min at
        # most, the mean) instead of searching every way to share out the shifts.
        total = model.new_int_var(0, len(days) * len(counts), f"total_{name}")
        model.add(total == sum(counts))
        model.add(len(counts) * top >= total)
        model.add(len(counts) * bottom <= total)
        spreads.append(top - bottom)
        fairness_cap += len(days)

    # Lexicographic solve. Phase 1: the requirement alone (the fewest missing agent-minutes). Phase 2:
    # keeping that shortfall, the fewest agent-hours, then fairness — one unit of working time outweighs
    # any fairness difference. (One weighted objective gets stuck: its huge weights weaken the bounds.)
    hours_terms = [(x[k], duration[k]) for k in x]
    w_hours = fairness_cap + 1
    phases = [
        ("requirement", sum(short_vars)),
        ("agent-hours", w_hours * sum(v * d for v, d in hours_terms) + sum(spreads)),
    ]
    deadline = started + time_limit_seconds
    callback = _Progress(progress, started, time_limit_seconds, short_vars, hours_terms, unit)
    if progress:
        progress(0.05, f"solving: {len(x)} possible assignments, {len(short_vars)} hours with a requirement")
    values: dict[tuple[Hashable, date, Hashable], int] | None = None
    codes: list[int] = []
    time_limited = False
    for index, (_phase, objective) in enumerate(phases):
        remaining = deadline - _time.monotonic()
        if remaining <= 0.05:
            time_limited = True
            break
        last = index == len(phases) - 1
        model.minimize(objective)
        solver = cp_model.CpSolver()
        # Phase 1 leaves at least 30 % of the time to phase 2 (it usually needs far less).
        solver.parameters.max_time_in_seconds = float(remaining if last else remaining * 0.7)
        solver.parameters.num_workers = int(num_workers)
        solver.parameters.random_seed = int(random_seed)
        code = solver.solve(model, callback)
        codes.append(code)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            time_limited = time_limited or code == cp_model.UNKNOWN
            break  # keep the previous phase's plan, if any
        time_limited = time_limited or code == cp_model.FEASIBLE
        values = {k: solver.value(v) for k, v in x.items()}
        if not last:
            if short_vars:
                model.add(sum(short_vars) <= sum(solver.value(v) for v in short_vars))
            model.clear_hints()
            for k, v in x.items():
                model.add_hint(v, values[k])
            for v in short_vars:
                model.add_hint(v, solver.value(v))
    optimal = values is not None and len(codes) == len(phases) and all(c == cp_model.OPTIMAL for c in codes)
    if values is not None:
        status = "OPTIMAL" if optimal else "FEASIBLE"
    else:
        status = cp_model.CpSolver().status_name(codes[-1]) if codes else "UNKNOWN"

    assignments: list[Assignment] = []
    if values is not None:
        for k in x:
            if values[k]:
                start, end = intervals[(k[1], k[2])]
                assignments.append(
                    Assignment(person_id=k[0], date=k[1], shift_type_id=k[2], start=start, end=end)
                )
    assignments.sort(key=lambda a: (a.start, str(a.shift_type_id), str(a.person_id)))

    planned: dict[datetime, float] = defaultdict(float)
    for a in assignments:
        for hour in _hours_touched(a.start, a.end):
            planned[hour] += _minutes(min(a.end, hour + _HOUR) - max(a.start, hour)) / 60
    hours = sorted(set(requirement) | set(planned))
    coverage = tuple(
        HourCoverage(hour=h, required=int(requirement.get(h, 0)), planned=planned.get(h, 0.0)) for h in hours
    )
    nights: dict[Hashable, int] = dict.fromkeys(ids, 0)
    weekends: dict[Hashable, int] = dict.fromkeys(ids, 0)
    for a in assignments:
        nights[a.person_id] += a.shift_type_id in night_types
        weekends[a.person_id] += a.date in weekend_days

    elapsed = _time.monotonic() - started
    result = PlanResult(
        status=status,
        optimal=optimal,
        time_limited=time_limited and not optimal,
        assignments=tuple(assignments),
        coverage=coverage,
        total_agent_hours=sum(_minutes(a.end - a.start) for a in assignments) / 60,
        shortfall_agent_hours=sum(c.shortfall for c in coverage),
        surplus_agent_hours=sum(c.surplus for c in coverage),
        night_shifts=nights,
        weekend_shifts=weekends,
        wall_seconds=elapsed,
        solutions_found=callback.count,
    )
    if progress:
        progress(
            1.0,
            f"{status.lower()}: {len(assignments)} shifts, {result.shortfall_agent_hours:g} agent-hours short",
        )
    return result
