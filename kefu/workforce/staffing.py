"""Staffing maths for the roster's advice (issue 10): Erlang C and the hourly contact forecast.

Pure functions, no database: the caller (services/selectors) reads the rule settings (target service
level, answer time, maximum occupancy, shrinkage, weeks of history) and the ticket counts, and passes
them in.

Erlang C models one queue with Poisson arrivals, exponential handling times and ``N`` agents. With the
traffic ``A = contacts × AHT / interval`` (in Erlangs):

* probability a contact waits ``Pw = C(N, A)``, computed from the Erlang B recurrence
  ``B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1))`` and ``C = N·B / (N − A·(1 − B))`` — no factorials or
  powers, so it stays exact for hundreds or thousands of agents;
* service level ``SL(t) = 1 − Pw · exp(−(N − A) · t / AHT)`` (share answered within ``t`` seconds);
* average speed of answer ``ASA = Pw · AHT / (N − A)``;
* occupancy ``A / N``.

The agents needed are the fewest ``N > A`` that reach the target service level with an occupancy no
higher than the maximum; the agents to schedule add shrinkage (breaks, training, leave):
``ceil(N / (1 − shrinkage))``.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

__all__ = [
    "IntervalStaffing",
    "HourlyForecast",
    "agents_needed",
    "average_speed_of_answer",
    "erlang_b",
    "erlang_c",
    "forecast_hourly",
    "service_level",
    "staffing_per_interval",
    "traffic_erlangs",
]

K = TypeVar("K", bound=Hashable)

# A safety net for the search: far beyond any real queue (traffic of 10 000 Erlangs).
_MAX_AGENTS = 100_000


@dataclass(frozen=True)
class IntervalStaffing:
    """The advice for one interval (usually an hour)."""

    contacts: float
    traffic_erlangs: float
    agents: int  # needed on the phones/chats (raw Erlang C result)
    agents_scheduled: int  # to put on the roster: ``agents`` grossed up by shrinkage
    service_level: float  # achieved with ``agents`` (0..1)
    occupancy: float  # achieved with ``agents`` (0..1)
    average_speed_of_answer: float  # seconds, with ``agents``
    probability_of_waiting: float  # Erlang C with ``agents`` (0..1)


@dataclass(frozen=True)
class HourlyForecast:
    """Expected contacts per hour (0..23) of one day and the reference days it was averaged over."""

    per_hour: dict[int, float]
    dates_used: tuple[date, ...]


def _check_fraction(name: str, value: float, *, low_open: bool, high_open: bool) -> None:
    if not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{name} must be a number")
    too_low = value <= 0 if low_open else value < 0
    too_high = value >= 1 if high_open else value > 1
    if too_low or too_high:
        lo = "(0" if low_open else "[0"
        hi = "1)" if high_open else "1]"
        raise ValueError(f"{name} must be in {lo}, {hi}, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _check_non_negative(name: str, value: float) -> None:
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueError(f"{name} must be a number of at least 0, got {value!r}")


def traffic_erlangs(contacts: float, *, interval_seconds: float, aht_seconds: float) -> float:
    """Offered traffic: contacts per interval × average handle time / interval length."""
    _check_non_negative("contacts", contacts)
    _check_positive("interval_seconds", interval_seconds)
    _check_positive("aht_seconds", aht_seconds)
    return contacts * aht_seconds / interval_seconds


def erlang_b(agents: int, traffic: float) -> float:
    """Erlang B blocking probability by the stable recurrence (no factorials)."""
    if agents < 0:
        raise ValueError("agents must be at least 0")
    _check_non_negative("traffic", traffic)
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def _c_from_b(agents: int, traffic: float, b: float) -> float:
    if agents <= traffic:
        return 1.0  # unstable queue: everybody waits
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a contact has to wait (1.0 when ``agents <= traffic``: the queue never empties)."""
    if traffic == 0:
        _check_non_negative("traffic", traffic)
        return 0.0
    return _c_from_b(agents, traffic, erlang_b(agents, traffic))


def _sl(agents: int, traffic: float, pw: float, aht_seconds: float, answer_within_seconds: float) -> float:
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return max(0.0, 1.0 - pw * math.exp(-(agents - traffic) * answer_within_seconds / aht_seconds))


def _asa(agents: int, traffic: float, pw: float, aht_seconds: float) -> float:
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return pw * aht_seconds / (agents - traffic)


def service_level(agents: int, traffic: float, *, aht_seconds: float, answer_within_seconds: float) -> float:
    """Share of contacts answered within ``answer_within_seconds`` with ``agents`` on the queue."""
    _check_positive("aht_seconds", aht_seconds)
    _check_non_negative("answer_within_seconds", answer_within_seconds)
    return _sl(agents, traffic, erlang_c(agents, traffic), aht_seconds, answer_within_seconds)


def average_speed_of_answer(agents: int, traffic: float, *, aht_seconds: float) -> float:
    """Mean wait in seconds (``inf`` when the queue is unstable)."""
    _check_positive("aht_seconds", aht_seconds)
    return _asa(agents, traffic, erlang_c(agents, traffic), aht_seconds)


def agents_needed(
    contacts: float,
    *,
    aht_seconds: float,
    interval_seconds: float = 3600,
    target_service_level: float = 0.80,
    answer_within_seconds: float = 20,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.30,
) -> IntervalStaffing:
    """The fewest agents reaching the service-level target without exceeding the maximum occupancy."""
    traffic = traffic_erlangs(contacts, interval_seconds=interval_seconds, aht_seconds=aht_seconds)
    _check_fraction("target_service_level", target_service_level, low_open=True, high_open=True)
    _check_non_negative("answer_within_seconds", answer_within_seconds)
    _check_fraction("max_occupancy", max_occupancy, low_open=True, high_open=False)
    _check_fraction("shrinkage", shrinkage, low_open=False, high_open=True)
    if traffic == 0:
        return IntervalStaffing(contacts, 0.0, 0, 0, 1.0, 0.0, 0.0, 0.0)

    # Lower bound: a stable queue (N > A) within the occupancy cap (A / N <= max). round() absorbs
    # float noise such as 8.5 / 0.85 = 10.000000000000002.
    start = max(math.floor(traffic) + 1, math.ceil(round(traffic / max_occupancy, 9)))
    b = erlang_b(start, traffic)
    agents = start
    while True:
        pw = _c_from_b(agents, traffic, b)
        sl = _sl(agents, traffic, pw, aht_seconds, answer_within_seconds)
        if sl >= target_service_level or agents >= _MAX_AGENTS:
            break
        agents += 1
        b = traffic * b / (agents + traffic * b)
    scheduled = math.ceil(round(agents / (1.0 - shrinkage), 9))
    return IntervalStaffing(
        contacts=contacts,
        traffic_erlangs=traffic,
        agents=agents,
        agents_scheduled=scheduled,
        service_level=sl,
        occupancy=traffic / agents,
        average_speed_of_answer=_asa(agents, traffic, pw, aht_seconds),
        probability_of_waiting=pw,
    )


def staffing_per_interval(
    contacts: Mapping[K, float],
    *,
    aht_seconds: float,
    interval_seconds: float = 3600,
    target_service_level: float = 0.80,
    answer_within_seconds: float = 20,
    max_occupancy: float = 0.85,
    shrinkage: float = 0.30,
) -> dict[K, IntervalStaffing]:
    """``agents_needed`` for every interval (keys are whatever the caller uses: hour, datetime…)."""
    return {
        key: agents_needed(
            value,
            aht_seconds=aht_seconds,
            interval_seconds=interval_seconds,
            target_service_level=target_service_level,
            answer_within_seconds=answer_within_seconds,
            max_occupancy=max_occupancy,
            shrinkage=shrinkage,
        )
        for key, value in contacts.items()
    }


def forecast_hourly(
    counts: Mapping[tuple[date, int], float],
    *,
    day: date,
    weeks: int = 4,
    holidays: Iterable[date] = (),
) -> HourlyForecast:
    """Expected contacts per hour of ``day``: the mean over the same weekday of the last ``weeks`` weeks.

    ``counts`` maps (date, hour 0..23) to the number of contacts created in that hour; hours missing for
    a reference day count as 0. Reference days that are holidays are left out (their volume is not a
    normal weekday's); when none is left, every hour is forecast as 0 and ``dates_used`` is empty.
    """
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    skip = set(holidays)
    used = tuple(ref for ref in (day - timedelta(weeks=k) for k in range(1, weeks + 1)) if ref not in skip)
    totals = dict.fromkeys(range(24), 0.0)
    wanted = set(used)
    for (ref, hour), value in counts.items():
        if ref in wanted:
            if not 0 <= hour <= 23:
                raise ValueError(f"hour must be in 0..23, got {hour!r}")
            _check_non_negative("count", value)
            totals[hour] += value
    n = len(used)
    return HourlyForecast(
        per_hour={hour: (total / n if n else 0.0) for hour, total in totals.items()}, dates_used=used
    )
