"""Reading the business calendar (R-CAL) and counting business time on it (R-TIC-4).

Which days are working days, in this order:

1. an administrator's override (:class:`~kefu.bizcalendar.models.CalendarDay`) for the date wins;
2. else the ``chinese_calendar`` package, for the years it has data for (public holidays and the
   adjusted working days, 调休);
3. else Saturdays and Sundays are rest days and all other days are working days — and
   :func:`missing_schedule_warning` tells administrators that the year's official schedule is missing.

Efficiency: SLA computations walk many days, so a year's overrides are loaded with one query and kept
in a small per-process cache. Every write of an override (the services, the admin, any ORM save or
delete of a row) calls :func:`invalidate_cache`; until the writing transaction commits the cache is
bypassed (so a rolled-back write can never leave stale entries behind), and other processes see the
change after at most ``CACHE_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.bizcalendar.models import CalendarDay

DayKind = Literal["holiday", "workday", "weekend", "normal"]
DaySource = Literal["official", "custom", "default"]

HOLIDAY = CalendarDay.Kind.HOLIDAY.value
WORKDAY = CalendarDay.Kind.WORKDAY.value

UTC = dt.UTC

# ---------------------------------------------------------------------------------------------------
# Days
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    kind: DayKind
    name: str
    source: DaySource


_OFFICIAL_YEARS = (min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year)
_CHINESE_NAMES = {h.value: h.chinese for h in Holiday}


def has_official_schedule(year: int) -> bool:
    """Whether the packaged official schedule (``chinese_calendar``) covers ``year``."""
    return _OFFICIAL_YEARS[0] <= year <= _OFFICIAL_YEARS[1]


def official_years() -> tuple[int, int]:
    """The first and last year the packaged official schedule knows."""
    return _OFFICIAL_YEARS


@functools.lru_cache(maxsize=64)
def _official_year(year: int) -> dict[dt.date, tuple[str, str]]:
    """The packaged holidays and adjusted working days of ``year``: date → (kind, English name)."""
    if not has_official_schedule(year):
        return {}
    days: dict[dt.date, tuple[str, str]] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            days[day] = (HOLIDAY, name)
    for day, name in chinese_calendar.workdays.items():  # an adjusted working day wins, as in the package
        if day.year == year:
            days[day] = (WORKDAY, name)
    return days


def _official_name(name: str) -> str:
    """The package's holiday name in the user's language (it ships English and Chinese names)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language.lower().startswith("zh"):
        return _CHINESE_NAMES.get(name, name)
    return name


# --- overrides cache ---------------------------------------------------------------------------------

CACHE_SECONDS = 60.0

_lock = threading.Lock()
_year_cache: dict[int, tuple[float, dict[dt.date, tuple[str, str]]]] = {}
_pending_writes: dict[int, float] = {}  # write token → monotonic expiry; while any, the cache is bypassed
_tokens = itertools.count()


def invalidate_cache() -> None:
    """Forget cached overrides. Call on every write of a :class:`CalendarDay` (inside its transaction).

    Until the transaction commits, reads bypass the cache (a rolled-back write expires after
    ``CACHE_SECONDS``), so neither the writer nor anyone else caches data that may not last.
    """
    token = next(_tokens)
    with _lock:
        _year_cache.clear()
        _pending_writes[token] = time.monotonic() + CACHE_SECONDS

    def committed() -> None:
        with _lock:
            _year_cache.clear()
            _pending_writes.pop(token, None)

    transaction.on_commit(committed)


def clear_cache() -> None:
    """Forget every cached override at once (no transaction involved)."""
    with _lock:
        _year_cache.clear()


def _load_overrides(year: int) -> dict[dt.date, tuple[str, str]]:
    rows = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    return {day: (kind, name) for day, kind, name in rows.values_list("date", "kind", "name")}


def _overrides(year: int) -> dict[dt.date, tuple[str, str]]:
    """The administrators' overrides of ``year``: date → (kind, name). One query per year, cached."""
    now = time.monotonic()
    with _lock:
        for token, expiry in list(_pending_writes.items()):
            if expiry <= now:
                del _pending_writes[token]
        cacheable = not _pending_writes
        hit = _year_cache.get(year)
        if cacheable and hit is not None and hit[0] > now:
            return hit[1]
    data = _load_overrides(year)
    if cacheable:
        with _lock:
            if not _pending_writes:
                _year_cache[year] = (now + CACHE_SECONDS, data)
    return data


class _Days:
    """Day lookups for one computation: each year's overrides are fetched at most once."""

    def __init__(self) -> None:
        self._years: dict[int, dict[dt.date, tuple[str, str]]] = {}

    def overrides(self, year: int) -> dict[dt.date, tuple[str, str]]:
        data = self._years.get(year)
        if data is None:
            data = self._years[year] = _overrides(year)
        return data

    def info(self, day: dt.date) -> DayInfo:
        custom = self.overrides(day.year).get(day)
        if custom is not None:
            kind, name = custom
            return DayInfo(day, kind == WORKDAY, kind, name, "custom")  # type: ignore[arg-type]
        weekend = day.weekday() >= 5
        if has_official_schedule(day.year):
            official = _official_year(day.year).get(day)
            if official is not None:
                kind, name = official
                return DayInfo(day, kind == WORKDAY, kind, _official_name(name), "official")  # type: ignore[arg-type]
            return DayInfo(day, not weekend, "weekend" if weekend else "normal", "", "official")
        return DayInfo(day, not weekend, "weekend" if weekend else "normal", "", "default")

    def is_working_day(self, day: dt.date) -> bool:
        custom = self.overrides(day.year).get(day)
        if custom is not None:
            return custom[0] == WORKDAY
        official = _official_year(day.year).get(day)
        if official is not None:
            return official[0] == WORKDAY
        return day.weekday() < 5


def _as_date(d: dt.date | dt.datetime) -> dt.date:
    if isinstance(d, dt.datetime):
        if d.tzinfo is not None:
            d = d.astimezone(_default_tz())
        return d.date()
    return d


def day_kind(d: dt.date | dt.datetime) -> DayInfo:
    """What the calendar says about one date (an aware datetime counts in the organisation's zone)."""
    return _Days().info(_as_date(d))


def is_working_day(d: dt.date | dt.datetime) -> bool:
    return _Days().is_working_day(_as_date(d))


def missing_schedule_warning(year: int) -> str | None:
    """The warning administrators must see (R-CAL) for a year with neither official data nor overrides."""
    if has_official_schedule(year) or _overrides(year):
        return None
    return _(
        "The official holiday schedule for %(year)s is missing: only Saturdays and Sundays are rest days. "
        "An administrator should enter the year's holidays and adjusted working days."
    ) % {"year": year}


def days_in_year(year: int) -> list[DayInfo]:
    """The holidays and adjusted working days in force for ``year`` (overrides applied), by date.

    Plain weekends and plain weekdays are not listed.
    """
    days = _Days()
    dates = set(_official_year(year)) | set(days.overrides(year))
    return [days.info(day) for day in sorted(dates)]


def custom_days(year: int) -> list[DayInfo]:
    """Only the administrators' overrides of ``year``, by date."""
    days = _Days()
    return [days.info(day) for day in sorted(days.overrides(year))]


# ---------------------------------------------------------------------------------------------------
# Business hours
# ---------------------------------------------------------------------------------------------------

Mode = Literal["business", "24x7"]
MODES = ("business", "24x7")

DEFAULT_START = dt.time(9, 0)
DEFAULT_END = dt.time(18, 0)
DEFAULT_BREAKS: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(12, 0), dt.time(13, 30)),)

# How far ahead add_business_time looks for working time before it gives up (a calendar whose
# overrides make years of holidays is a configuration error, not a reason to loop forever).
MAX_DAYS_AHEAD = 366 * 5


def _default_tz() -> dt.tzinfo:
    return ZoneInfo(settings.TIME_ZONE or "Asia/Shanghai")


@dataclass(frozen=True)
class WorkSchedule:
    """When business time runs: ``start``–``end`` on working days minus ``breaks``, in zone ``tz``.

    In ``"24x7"`` mode every moment counts (the hours, breaks and the calendar are ignored).
    """

    mode: Mode = "business"
    start: dt.time = DEFAULT_START
    end: dt.time = DEFAULT_END
    breaks: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_BREAKS
    tz: dt.tzinfo = field(default_factory=_default_tz)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown calendar mode {self.mode!r}")
        object.__setattr__(self, "breaks", tuple(tuple(b) for b in self.breaks))
        if self.mode == "business":
            if not self.start < self.end:
                raise ValueError("the working day must start before it ends")
            for b_start, b_end in self.breaks:
                if not b_start < b_end:
                    raise ValueError("a break must start before it ends")
            if not self.segments:
                raise ValueError("the breaks leave no working time")

    @functools.cached_property
    def segments(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working periods of a working day: [start, end) minus the breaks, in order."""
        parts = [(self.start, self.end)]
        for b_start, b_end in sorted(self.breaks):
            rest = []
            for s, e in parts:
                if b_end <= s or b_start >= e:
                    rest.append((s, e))
                    continue
                if s < b_start:
                    rest.append((s, b_start))
                if b_end < e:
                    rest.append((b_end, e))
            parts = rest
        return tuple(parts)

    @property
    def is_24x7(self) -> bool:
        return self.mode == "24x7"

    def periods_on(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """The working periods of ``day`` (assumed a working day) as UTC datetimes."""
        for s, e in self.segments:
            yield (
                dt.datetime.combine(day, s, tzinfo=self.tz).astimezone(UTC),
                dt.datetime.combine(day, e, tzinfo=self.tz).astimezone(UTC),
            )


def _parse_time(value, default: dt.time) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            return default
    return default


def _parse_breaks(value) -> tuple[tuple[dt.time, dt.time], ...]:
    if value is None:
        return DEFAULT_BREAKS
    breaks = []
    for item in value:
        try:
            b_start, b_end = item
        except (TypeError, ValueError):
            continue
        s = _parse_time(b_start, None)  # type: ignore[arg-type]
        e = _parse_time(b_end, None)  # type: ignore[arg-type]
        if s is not None and e is not None and s < e:
            breaks.append((s, e))
    return tuple(breaks)


def default_schedule(centre_id: int | None = None) -> WorkSchedule:
    """The organisation's business hours from the rule settings ``calendar.*`` (R-TIC-4, R-CAL)."""
    from kefu.rules.selectors import get_rule

    def rule(key: str):
        try:
            return get_rule(key, centre_id=centre_id)
        except KeyError:  # a setting not declared: its SPEC default applies
            return None

    mode = rule("calendar.mode") or "business"
    if mode not in MODES:
        mode = "business"
    start = _parse_time(rule("calendar.work_start"), DEFAULT_START)
    end = _parse_time(rule("calendar.work_end"), DEFAULT_END)
    breaks = _parse_breaks(rule("calendar.breaks"))
    try:
        return WorkSchedule(mode=mode, start=start, end=end, breaks=breaks, tz=_default_tz())
    except ValueError:
        # A nonsensical combination must not stop tickets from getting deadlines: the defaults apply.
        return WorkSchedule(mode=mode, tz=_default_tz())


def _aware(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Naive datetimes are taken as wall-clock time in the schedule's zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=tz)
    return value


def add_business_time(
    start: dt.datetime, duration: dt.timedelta, schedule: WorkSchedule | None = None
) -> dt.datetime:
    """The moment ``duration`` of business time after ``start``, in the schedule's zone.

    Non-working days, time outside working hours and breaks do not count. A start outside working
    time begins counting at the next working moment. A zero duration returns ``start`` unchanged
    (it does not snap forward to the next working moment). A duration that ends exactly at the end of a
    working period returns that end (e.g. 18:00), not the start of the next period. In 24×7 mode this is
    plain addition. Loops over days, not minutes.
    """
    if schedule is None:
        schedule = default_schedule()
    if duration < dt.timedelta(0):
        raise ValueError("duration must not be negative")
    start = _aware(start, schedule.tz)
    if not duration:
        return start
    start_utc = start.astimezone(UTC)
    if schedule.is_24x7:
        return (start_utc + duration).astimezone(schedule.tz)
    remaining = duration
    days = _Days()
    day = start.astimezone(schedule.tz).date()
    for _i in range(MAX_DAYS_AHEAD):
        if days.is_working_day(day):
            for p_start, p_end in schedule.periods_on(day):
                if p_end <= start_utc:
                    continue
                begin = max(p_start, start_utc)
                available = p_end - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(schedule.tz)
                remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError(f"no working time within {MAX_DAYS_AHEAD} days of {start.isoformat()}")


def next_working_moment(moment: dt.datetime, schedule: WorkSchedule | None = None) -> dt.datetime:
    """``moment`` itself when business time runs then, else the start of the next working period."""
    if schedule is None:
        schedule = default_schedule()
    moment = _aware(moment, schedule.tz)
    if schedule.is_24x7:
        return moment
    moment_utc = moment.astimezone(UTC)
    days = _Days()
    day = moment.astimezone(schedule.tz).date()
    for _i in range(MAX_DAYS_AHEAD):
        if days.is_working_day(day):
            for p_start, p_end in schedule.periods_on(day):
                if p_end > moment_utc:
                    return max(p_start, moment_utc).astimezone(schedule.tz)
        day += dt.timedelta(days=1)
    raise ValueError(f"no working time within {MAX_DAYS_AHEAD} days of {moment.isoformat()}")


def is_working_moment(moment: dt.datetime, schedule: WorkSchedule | None = None) -> bool:
    if schedule is None:
        schedule = default_schedule()
    moment = _aware(moment, schedule.tz)
    if schedule.is_24x7:
        return True
    day = moment.astimezone(schedule.tz).date()
    if not is_working_day(day):
        return False
    moment_utc = moment.astimezone(UTC)
    return any(p_start <= moment_utc < p_end for p_start, p_end in schedule.periods_on(day))


def business_time_between(a: dt.datetime, b: dt.datetime, schedule: WorkSchedule | None = None) -> dt.timedelta:
    """The business time from ``a`` to ``b`` (the inverse of :func:`add_business_time`).

    Negative when ``b`` is before ``a``. In 24×7 mode it is plain subtraction.
    """
    if schedule is None:
        schedule = default_schedule()
    a_utc = _aware(a, schedule.tz).astimezone(UTC)
    b_utc = _aware(b, schedule.tz).astimezone(UTC)
    if b_utc < a_utc:
        return -business_time_between(b_utc, a_utc, schedule)
    if schedule.is_24x7:
        return b_utc - a_utc
    total = dt.timedelta(0)
    days = _Days()
    day = a_utc.astimezone(schedule.tz).date()
    last = b_utc.astimezone(schedule.tz).date()
    while day <= last:
        if days.is_working_day(day):
            for p_start, p_end in schedule.periods_on(day):
                overlap = min(p_end, b_utc) - max(p_start, a_utc)
                if overlap > dt.timedelta(0):
                    total += overlap
        day += dt.timedelta(days=1)
    return total
