"""R-CAL: which days are working days — official schedule, administrators' overrides, weekend default."""

import datetime as dt

import pytest
from django.utils import translation

from kefu.bizcalendar import selectors, services
from kefu.bizcalendar.models import CalendarDay

pytestmark = pytest.mark.django_db

D = dt.date


def test_r_cal_national_day_2026_is_an_official_holiday():
    info = selectors.day_kind(D(2026, 10, 1))
    assert info.is_working_day is False
    assert info.kind == "holiday"
    assert info.source == "official"
    with translation.override("en"):
        assert selectors.day_kind(D(2026, 10, 1)).name == "National Day"
    with translation.override("zh-hans"):
        assert selectors.day_kind(D(2026, 10, 1)).name == "国庆节"
    assert not selectors.is_working_day(D(2026, 10, 1))


def test_r_cal_adjusted_saturday_2026_10_10_is_a_working_day():
    info = selectors.day_kind(D(2026, 10, 10))
    assert info.is_working_day is True
    assert info.kind == "workday"
    assert info.source == "official"
    assert info.name
    assert selectors.is_working_day(D(2026, 10, 10))


def test_r_cal_ordinary_2026_saturday_is_rest_and_weekday_works():
    sat = selectors.day_kind(D(2026, 10, 17))
    assert (sat.is_working_day, sat.kind, sat.source) == (False, "weekend", "official")
    mon = selectors.day_kind(D(2026, 11, 23))
    assert (mon.is_working_day, mon.kind, mon.source) == (True, "normal", "official")


def test_r_cal_year_without_data_uses_weekend_rule_and_warns():
    assert not selectors.has_official_schedule(2027)
    sat = selectors.day_kind(D(2027, 1, 2))
    mon = selectors.day_kind(D(2027, 1, 4))
    assert (sat.is_working_day, sat.kind, sat.source) == (False, "weekend", "default")
    assert (mon.is_working_day, mon.kind, mon.source) == (True, "normal", "default")
    assert selectors.missing_schedule_warning(2027)
    assert "2027" in selectors.missing_schedule_warning(2027)
    assert selectors.days_in_year(2027) == []


def test_r_cal_no_warning_for_a_year_with_official_data():
    assert selectors.has_official_schedule(2026)
    assert selectors.missing_schedule_warning(2026) is None


def test_r_cal_admin_override_for_2027_counts(calendar_admin):
    services.set_day(actor=calendar_admin, date=D(2027, 10, 1), kind="holiday", name="国庆节")
    info = selectors.day_kind(D(2027, 10, 1))
    assert (info.is_working_day, info.kind, info.source, info.name) == (False, "holiday", "custom", "国庆节")
    assert selectors.missing_schedule_warning(2027) is None
    assert [d.date for d in selectors.days_in_year(2027)] == [D(2027, 10, 1)]


def test_r_cal_override_of_an_official_day_wins(calendar_admin):
    services.set_day(actor=calendar_admin, date=D(2026, 10, 10), kind="holiday", name="Company day")
    assert not selectors.is_working_day(D(2026, 10, 10))
    listed = {d.date: d for d in selectors.days_in_year(2026)}
    assert listed[D(2026, 10, 10)].source == "custom"
    assert listed[D(2026, 10, 10)].kind == "holiday"
    assert listed[D(2026, 10, 1)].source == "official"
    # a custom working day on an official holiday
    services.set_day(actor=calendar_admin, date=D(2026, 10, 2), kind="workday", name="On duty")
    assert selectors.is_working_day(D(2026, 10, 2))
    # removing the override restores the official schedule
    services.remove_day(actor=calendar_admin, date=D(2026, 10, 10))
    assert selectors.is_working_day(D(2026, 10, 10))
    assert selectors.day_kind(D(2026, 10, 10)).source == "official"


def test_r_cal_days_in_year_lists_holidays_and_adjusted_days_sorted_without_weekends():
    days = selectors.days_in_year(2026)
    dates = [d.date for d in days]
    assert dates == sorted(dates)
    assert D(2026, 10, 1) in dates and D(2026, 10, 10) in dates
    assert D(2026, 10, 17) not in dates
    assert {d.kind for d in days} == {"holiday", "workday"}
    assert all(d.source == "official" for d in days)


def test_r_cal_cache_sees_direct_writes_immediately():
    assert selectors.is_working_day(D(2027, 3, 1))
    row = CalendarDay.objects.create(date=D(2027, 3, 1), kind="holiday", name="Company")
    assert not selectors.is_working_day(D(2027, 3, 1))
    row.delete()
    assert selectors.is_working_day(D(2027, 3, 1))


def test_r_tic_4_sla_loops_do_not_query_per_day(django_assert_max_num_queries):
    schedule = selectors.WorkSchedule()
    start = dt.datetime(2027, 1, 4, 9, 0, tzinfo=schedule.tz)
    with django_assert_max_num_queries(2):  # at most one query per calendar year touched
        end = selectors.add_business_time(start, dt.timedelta(hours=7.5 * 200), schedule)
    assert end.year == 2027
    with django_assert_max_num_queries(2):
        assert selectors.business_time_between(start, end, schedule) == dt.timedelta(hours=7.5 * 200)
