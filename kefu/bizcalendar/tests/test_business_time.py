"""R-TIC-4: time limits count business hours on the R-CAL calendar; a 7×24 calendar is available."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.bizcalendar import selectors, services
from kefu.bizcalendar.selectors import WorkSchedule, add_business_time, business_time_between

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
T = dt.time
H = dt.timedelta(hours=1)

BUSINESS = WorkSchedule(mode="business", start=T(9), end=T(18), breaks=((T(12), T(13, 30)),), tz=SH)
NO_BREAK = WorkSchedule(mode="business", start=T(9), end=T(18), breaks=(), tz=SH)
ALWAYS = WorkSchedule(mode="24x7", tz=SH)


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_r_tic_4_friday_evening_plus_2h_lands_monday_morning():
    assert add_business_time(at(2026, 11, 20, 17), 2 * H, NO_BREAK) == at(2026, 11, 23, 10)
    assert add_business_time(at(2026, 11, 20, 17), 2 * H, BUSINESS) == at(2026, 11, 23, 10)
    assert business_time_between(at(2026, 11, 20, 17), at(2026, 11, 23, 10), BUSINESS) == 2 * H


def test_r_tic_4_lunch_break_does_not_count():
    assert add_business_time(at(2026, 11, 23, 11, 30), H, BUSINESS) == at(2026, 11, 23, 14)
    assert business_time_between(at(2026, 11, 23, 11, 30), at(2026, 11, 23, 14), BUSINESS) == H
    # ending exactly at a period's end gives that end, not the next period's start
    assert add_business_time(at(2026, 11, 23, 11, 30), H / 2, BUSINESS) == at(2026, 11, 23, 12)


def test_r_tic_4_national_day_week_is_skipped():
    # 2026-09-30 (Wed) 17:00 + 2h: 10-01..10-07 are holidays, 10-08 (Thu) is the next working day
    assert add_business_time(at(2026, 9, 30, 17), 2 * H, BUSINESS) == at(2026, 10, 8, 10)
    assert business_time_between(at(2026, 9, 30, 17), at(2026, 10, 8, 10), BUSINESS) == 2 * H


def test_r_tic_4_adjusted_saturday_counts():
    # 2026-10-10 is a Saturday that is an official working day (调休)
    assert add_business_time(at(2026, 10, 9, 17), 2 * H, BUSINESS) == at(2026, 10, 10, 10)


def test_r_tic_4_custom_holiday_is_skipped(calendar_admin):
    services.set_day(actor=calendar_admin, date=dt.date(2027, 3, 1), kind="holiday", name="Company day")
    # 2027-02-26 is a Friday; Monday 2027-03-01 is now a holiday
    assert add_business_time(at(2027, 2, 26, 17), 2 * H, BUSINESS) == at(2027, 3, 2, 10)


def test_r_tic_4_start_outside_hours_counts_from_next_working_moment():
    assert add_business_time(at(2026, 11, 23, 7), H, BUSINESS) == at(2026, 11, 23, 10)
    assert add_business_time(at(2026, 11, 23, 20), H, BUSINESS) == at(2026, 11, 24, 10)
    assert add_business_time(at(2026, 11, 21, 8), H, BUSINESS) == at(2026, 11, 23, 10)  # Saturday
    assert add_business_time(at(2026, 11, 23, 12, 15), H, BUSINESS) == at(2026, 11, 23, 14, 30)  # lunch
    assert selectors.next_working_moment(at(2026, 11, 21, 8), BUSINESS) == at(2026, 11, 23, 9)
    assert selectors.is_working_moment(at(2026, 11, 23, 9), BUSINESS)
    assert not selectors.is_working_moment(at(2026, 11, 23, 12), BUSINESS)


def test_r_tic_4_zero_duration_returns_start_unchanged():
    start = at(2026, 11, 21, 3)
    assert add_business_time(start, dt.timedelta(0), BUSINESS) == start


def test_r_tic_4_negative_duration_is_refused():
    with pytest.raises(ValueError):
        add_business_time(at(2026, 11, 23, 10), -H, BUSINESS)


def test_r_tic_4_24x7_is_plain_addition():
    assert add_business_time(at(2026, 10, 1, 23), 2 * H, ALWAYS) == at(2026, 10, 2, 1)
    assert business_time_between(at(2026, 10, 1, 23), at(2026, 10, 2, 1), ALWAYS) == 2 * H


def test_r_tic_4_other_time_zones_and_result_zone():
    start_utc = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)  # 17:00 in Shanghai
    end = add_business_time(start_utc, 2 * H, BUSINESS)
    assert end == at(2026, 11, 23, 10)
    assert end.tzinfo == SH


def test_r_tic_4_between_is_negative_when_reversed_and_spans_years():
    a, b = at(2026, 12, 31, 17), at(2027, 1, 4, 10)  # 2027-01-01 is a Friday without official data
    assert business_time_between(a, b, BUSINESS) == dt.timedelta(hours=1 + 7.5 + 1)
    assert business_time_between(b, a, BUSINESS) == -dt.timedelta(hours=9.5)


def test_r_tic_4_schedule_validation():
    with pytest.raises(ValueError):
        WorkSchedule(mode="sometimes")
    with pytest.raises(ValueError):
        WorkSchedule(start=T(18), end=T(9))
    with pytest.raises(ValueError):
        WorkSchedule(start=T(9), end=T(12), breaks=((T(8), T(13)),))
    assert WorkSchedule(breaks=((T(12), T(13)), (T(12, 30), T(14)))).segments == ((T(9), T(12)), (T(14), T(18)))


starts = st.datetimes(min_value=dt.datetime(2025, 12, 1), max_value=dt.datetime(2027, 2, 1)).map(
    lambda d: d.replace(tzinfo=SH)
)
durations = st.integers(min_value=0, max_value=60 * 24 * 60).map(lambda m: dt.timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(start=starts, duration=durations)
def test_r_tic_4_between_inverts_add_for_working_moment_starts(start, duration):
    start = selectors.next_working_moment(start, BUSINESS)
    end = add_business_time(start, duration, BUSINESS)
    assert end >= start
    assert business_time_between(start, end, BUSINESS) == duration


@settings(max_examples=100, deadline=None)
@given(start=starts, duration=durations)
def test_r_tic_4_between_inverts_add_for_any_start(start, duration):
    end = add_business_time(start, duration, BUSINESS)
    assert business_time_between(start, end, BUSINESS) == duration
    assert add_business_time(start, duration, ALWAYS) - start == duration


def _rules_ready() -> bool:
    try:
        from kefu.rules.registry import get_def
        from kefu.rules.selectors import get_rule  # noqa: F401

        for key in ("calendar.mode", "calendar.work_start", "calendar.work_end", "calendar.breaks"):
            get_def(key)
    except (ImportError, LookupError):
        return False
    return True


@pytest.mark.skipif(not _rules_ready(), reason="the rules app (kefu.rules.selectors.get_rule) is not ready")
def test_r_tic_4_default_schedule_comes_from_rule_settings():
    schedule = selectors.default_schedule()
    assert schedule.mode == "business"
    assert (schedule.start, schedule.end) == (T(9), T(18))
    assert schedule.breaks == ((T(12), T(13, 30)),)
    assert schedule.tz == SH
    assert add_business_time(at(2026, 11, 23, 11, 30), H, schedule) == at(2026, 11, 23, 14)
