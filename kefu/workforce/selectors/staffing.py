"""Staffing advice of the roster (issue 10): agents needed per hour by Erlang C (``kefu.workforce.staffing``)
from the contacts of the last weeks, next to the agents the roster has on shift.

Volume: tickets created per local hour on the same weekday of the last ``workforce.staffing_weeks`` weeks,
public holidays of the business calendar left out, read through ``kefu.tickets.selectors.hourly_volume``
(one GROUP BY). A team's volume is its shops' volume, a shop served by several teams shared equally
between them; the centre's is every shop's. Handling time: the mean recorded ``handling_seconds`` of those
tickets, ``workforce.default_handle_seconds`` when none is recorded. Targets are settings:
``workforce.service_level_pct`` within ``workforce.answer_seconds``, ``workforce.max_occupancy_pct``,
``workforce.shrinkage_pct``. The required agents per hour are the agents to roster (shrinkage included).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from kefu.bizcalendar.selectors import HOLIDAY
from kefu.rules.selectors import get_rule
from kefu.workforce import staffing
from kefu.workforce.models import Shift


@dataclass
class HourAdvice:
    hour: int
    contacts: float
    agents: int  # on the queue (Erlang C)
    required: int  # to roster: grossed up by shrinkage
    scheduled: float = 0.0  # on shift, minute-weighted

    @property
    def state(self) -> str:
        """``under`` (fewer on shift than required), ``over`` (a whole agent or more too many) or ``ok``."""
        if self.scheduled < self.required:
            return "under"
        if self.scheduled >= self.required + 1:
            return "over"
        return "ok"


@dataclass
class DayAdvice:
    date: dt.date
    hours: list[HourAdvice]
    dates_used: tuple[dt.date, ...]
    holidays_left_out: tuple[dt.date, ...]
    aht_seconds: float
    aht_recorded: bool
    targets: dict = field(default_factory=dict)

    def chart(self) -> dict:
        """The data of the roster's ECharts chart (json_script)."""
        return {
            "date": self.date.isoformat(),
            "hours": [f"{h.hour:02d}:00" for h in self.hours],
            "required": [h.required for h in self.hours],
            "scheduled": [round(h.scheduled, 2) for h in self.hours],
            "contacts": [round(h.contacts, 1) for h in self.hours],
            "state": [h.state for h in self.hours],
        }

    @property
    def under_hours(self) -> int:
        return sum(1 for h in self.hours if h.state == "under")


def _shop_weights(*, team, centre_id: int) -> dict[int, float]:
    """The share of each shop's contacts that falls to ``team`` (None: the whole centre). One query."""
    from kefu.org.models import Shop, Team

    if team is None:
        return dict.fromkeys(Shop.objects.filter(centre_id=centre_id).values_list("pk", flat=True), 1.0)
    through = Team.shops.through
    rows = (through.objects.filter(shop_id__in=through.objects.filter(team_id=team.pk).values("shop_id"))
            .values("shop_id").annotate(n=Count("team_id")).order_by())
    return {row["shop_id"]: 1.0 / row["n"] for row in rows}


def _midnight(day: dt.date, tz) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), tz)


def advice(*, centre_id: int, days: Iterable[dt.date], team=None) -> dict[dt.date, DayAdvice]:
    """The staffing advice of ``team`` (None: the centre) for each of ``days``. Queries: the shop shares,
    the ticket volume (one GROUP BY for every day), the calendar (cached per year); rules are cached."""
    from kefu.tickets.selectors import hourly_volume
    from kefu.workforce.selectors import calendar_days

    days = sorted(set(days))
    if not days:
        return {}
    tz = timezone.get_default_timezone()
    rule = {key: get_rule(f"workforce.{key}", centre_id=centre_id) for key in (
        "staffing_weeks", "default_handle_seconds", "service_level_pct", "answer_seconds", "max_occupancy_pct",
        "shrinkage_pct")}
    weeks = rule["staffing_weeks"]
    refs = sorted({d - dt.timedelta(weeks=k) for d in days for k in range(1, weeks + 1)})
    holidays = {info.date for info in calendar_days(refs) if info.kind == HOLIDAY}
    used = [d for d in refs if d not in holidays]
    weights = _shop_weights(team=team, centre_id=centre_id)
    volume = hourly_volume(shop_ids=weights, ranges=[(_midnight(d, tz), _midnight(d + dt.timedelta(days=1), tz))
                                                     for d in used], tz=tz)
    counts: dict[tuple[dt.date, int], float] = defaultdict(float)
    seconds = handled = 0.0
    for (shop_id, day, hour), (n, secs, with_time) in volume.items():
        share = weights.get(shop_id, 0.0)
        counts[(day, hour)] += n * share
        seconds += secs * share
        handled += with_time * share
    aht = seconds / handled if handled else float(rule["default_handle_seconds"])
    targets = {
        "target_service_level": rule["service_level_pct"] / 100,
        "answer_within_seconds": rule["answer_seconds"],
        "max_occupancy": rule["max_occupancy_pct"] / 100,
        "shrinkage": rule["shrinkage_pct"] / 100,
    }
    out = {}
    for day in days:
        forecast = staffing.forecast_hourly(counts, day=day, weeks=weeks, holidays=holidays)
        per_hour = staffing.staffing_per_interval(forecast.per_hour, aht_seconds=max(aht, 1.0), **targets)
        out[day] = DayAdvice(
            date=day,
            hours=[HourAdvice(hour=h, contacts=forecast.per_hour[h], agents=per_hour[h].agents,
                              required=per_hour[h].agents_scheduled) for h in range(24)],
            dates_used=forecast.dates_used,
            holidays_left_out=tuple(sorted(holidays & {day - dt.timedelta(weeks=k) for k in range(1, weeks + 1)})),
            aht_seconds=aht, aht_recorded=bool(handled), targets={**targets, "weeks": weeks},
        )
    return out


def requirement(*, centre_id: int, days: Iterable[dt.date], team=None) -> dict[dt.datetime, int]:
    """The hourly requirement of the shift planner: the start of each local hour → agents to roster."""
    tz = timezone.get_default_timezone()
    out = {}
    for day, day_advice in advice(centre_id=centre_id, days=days, team=team).items():
        for h in day_advice.hours:
            if h.required:
                out[timezone.make_aware(dt.datetime.combine(day, dt.time(h.hour)), tz)] = h.required
    return out


def scheduled_per_hour(shifts: Iterable[Shift], day: dt.date) -> list[float]:
    """Agents on shift in each local hour of ``day`` (minute-weighted; shifts freed by leave left out)."""
    tz = timezone.get_default_timezone()
    start = _midnight(day, tz)
    hours = [0.0] * 24
    for shift in shifts:
        if shift.leave_id is not None:
            continue
        for h in range(24):
            a = start + dt.timedelta(hours=h)
            b = a + dt.timedelta(hours=1)
            overlap = (min(b, shift.end_at) - max(a, shift.start_at)).total_seconds()
            if overlap > 0:
                hours[h] += overlap / 3600
    return hours


def team_shifts_touching(team, day: dt.date) -> list[Shift]:
    """The team's shifts on shift during ``day`` (also the night shift begun the day before). One query."""
    tz = timezone.get_default_timezone()
    return list(Shift.objects.filter(team=team, start_at__lt=_midnight(day + dt.timedelta(days=1), tz),
                                     end_at__gt=_midnight(day, tz)))


def day_advice(*, team, day: dt.date, centre_id: int) -> DayAdvice:
    """The roster's chart for ``team`` on ``day``: required agents per hour over those on shift."""
    result = advice(centre_id=centre_id, days=[day], team=team)[day]
    for h, n in zip(result.hours, scheduled_per_hour(team_shifts_touching(team, day), day), strict=True):
        h.scheduled = n
    return result
