"""Erlang C staffing advice and the hourly forecast (issue 10, staffing advice; pure maths, no database)."""

import math
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.workforce.staffing import (
    agents_needed,
    average_speed_of_answer,
    erlang_c,
    forecast_hourly,
    service_level,
    staffing_per_interval,
    traffic_erlangs,
)


def test_erlang_c_callcentrehelper_worked_example():
    """Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
    (callcentrehelper.com): 100 calls in 30 minutes, average handle time 180 s, target 80 % of calls
    answered within 20 s, 30 % shrinkage. Traffic = 100 × 180 / 1800 = 10 Erlangs; the article walks
    the agent count up from 11 and concludes 14 agents (13 fall just short of 80 %), occupancy
    10 / 14 = 71 %, and 14 / (1 − 0.30) = 20 agents to schedule. The intermediate figures below
    (Pw(11) = 0.6821, SL(13) = 79.6 %, SL(14) = 88.8 %, ASA(14) = 7.8 s) are this formula's, to the
    precision such worked examples print.
    """
    result = agents_needed(100, interval_seconds=1800, aht_seconds=180)
    assert result.traffic_erlangs == pytest.approx(10.0)
    assert result.agents == 14
    assert result.agents_scheduled == 20
    assert result.service_level == pytest.approx(0.8884, abs=5e-4)
    assert result.occupancy == pytest.approx(10 / 14)
    assert result.average_speed_of_answer == pytest.approx(7.84, abs=0.01)
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=1e-4)
    assert service_level(11, 10.0, aht_seconds=180, answer_within_seconds=20) == pytest.approx(
        0.390, abs=2e-3
    )
    # 13 agents fall just short of the 80 % target: the boundary of the search.
    assert service_level(13, 10.0, aht_seconds=180, answer_within_seconds=20) == pytest.approx(
        0.7956, abs=5e-4
    )


def test_erlang_c_westbay_worked_example():
    """Westbay Engineers, "The Erlang-C formula" (erlang.com, the step-by-step calculation): 360 calls
    per half hour, average call duration 4 minutes, 55 agents, target answer time 15 s. Traffic intensity
    = 360 × 240 / 1800 = 48 Erlangs, agent occupancy 48 / 55 = 0.873, Erlang C (probability of waiting)
    0.2387, average speed of answer ≈ 8.2 s, service level ≈ 84.6 % answered within 15 s.
    """
    traffic = traffic_erlangs(360, interval_seconds=1800, aht_seconds=240)
    assert traffic == pytest.approx(48.0)
    assert erlang_c(55, traffic) == pytest.approx(0.2387, abs=1e-4)
    assert average_speed_of_answer(55, traffic, aht_seconds=240) == pytest.approx(8.18, abs=0.01)
    assert service_level(55, traffic, aht_seconds=240, answer_within_seconds=15) == pytest.approx(
        0.846, abs=1e-3
    )
    # With an 80 % target and no occupancy cap the example's 55 agents are the fewest …
    free = agents_needed(
        360, interval_seconds=1800, aht_seconds=240, answer_within_seconds=15, max_occupancy=1.0
    )
    assert free.agents == 55
    assert service_level(free.agents - 1, traffic, aht_seconds=240, answer_within_seconds=15) < 0.80
    # … while the default 85 % maximum occupancy asks for 57 (48 / 56 = 0.857 > 0.85, 48 / 57 = 0.842).
    capped = agents_needed(360, interval_seconds=1800, aht_seconds=240, answer_within_seconds=15)
    assert capped.agents == 57
    assert capped.occupancy <= 0.85


def test_no_contacts_need_no_agents():
    result = agents_needed(0, aht_seconds=300)
    assert (result.agents, result.agents_scheduled, result.service_level, result.occupancy) == (
        0,
        0,
        1.0,
        0.0,
    )


def test_unstable_queue_is_reported_not_divided_by_zero():
    assert erlang_c(10, 10.0) == 1.0
    assert service_level(9, 10.0, aht_seconds=180, answer_within_seconds=20) == 0.0
    assert average_speed_of_answer(10, 10.0, aht_seconds=180) == math.inf


def test_hundreds_of_agents_without_overflow():
    # 6 000 contacts an hour at 5 minutes each = 500 Erlangs; factorials of 500+ would overflow floats.
    result = agents_needed(6000, aht_seconds=300)
    assert 500 < result.agents < 600
    assert result.service_level >= 0.80
    assert result.occupancy <= 0.85
    assert result.agents_scheduled == math.ceil(result.agents / 0.7 - 1e-9)
    assert 0.0 <= erlang_c(2000, 1900.0) <= 1.0


def test_shrinkage_rounds_up_exactly():
    # 14 / 0.7 is 20.000000000000004 in floating point: still 20 agents, not 21.
    assert agents_needed(100, interval_seconds=1800, aht_seconds=180, shrinkage=0.30).agents_scheduled == 20
    assert agents_needed(100, interval_seconds=1800, aht_seconds=180, shrinkage=0.0).agents_scheduled == 14


@pytest.mark.parametrize(
    "kwargs",
    [
        {"aht_seconds": 0},
        {"aht_seconds": -5},
        {"aht_seconds": 180, "interval_seconds": 0},
        {"aht_seconds": 180, "target_service_level": 1.0},
        {"aht_seconds": 180, "target_service_level": 0},
        {"aht_seconds": 180, "max_occupancy": 0},
        {"aht_seconds": 180, "max_occupancy": 1.2},
        {"aht_seconds": 180, "shrinkage": 1.0},
        {"aht_seconds": 180, "shrinkage": -0.1},
        {"aht_seconds": float("nan")},
    ],
)
def test_bad_parameters_are_refused(kwargs):
    with pytest.raises(ValueError):
        agents_needed(100, **kwargs)


def test_negative_contacts_are_refused():
    with pytest.raises(ValueError, match="contacts"):
        agents_needed(-1, aht_seconds=180)


def test_per_interval_keeps_the_callers_keys():
    result = staffing_per_interval({9: 100, 10: 0, 11: 250}, aht_seconds=180, interval_seconds=1800)
    assert set(result) == {9, 10, 11}
    assert result[9].agents == 14
    assert result[10].agents == 0
    assert result[11].agents > result[9].agents


contacts = st.floats(min_value=0, max_value=3000, allow_nan=False)
ahts = st.floats(min_value=10, max_value=1800, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(a=contacts, b=contacts, aht=ahts, target=st.floats(0.5, 0.95), occupancy=st.floats(0.6, 1.0))
def test_more_contacts_never_need_fewer_agents(a, b, aht, target, occupancy):
    low, high = sorted((a, b))
    kwargs = {"aht_seconds": aht, "target_service_level": target, "max_occupancy": occupancy}
    assert agents_needed(low, **kwargs).agents <= agents_needed(high, **kwargs).agents
    assert agents_needed(low, **kwargs).agents_scheduled <= agents_needed(high, **kwargs).agents_scheduled


@settings(max_examples=150, deadline=None)
@given(
    traffic=st.floats(min_value=0.1, max_value=300),
    aht=ahts,
    within=st.floats(0, 120),
    extra=st.integers(1, 40),
)
def test_service_level_rises_with_agents(traffic, aht, within, extra):
    n = math.floor(traffic) + extra
    before = service_level(n, traffic, aht_seconds=aht, answer_within_seconds=within)
    after = service_level(n + 1, traffic, aht_seconds=aht, answer_within_seconds=within)
    assert 0.0 <= before <= after <= 1.0
    assert erlang_c(n + 1, traffic) <= erlang_c(n, traffic)


@settings(max_examples=150, deadline=None)
@given(
    calls=st.floats(min_value=0.01, max_value=3000),
    aht=ahts,
    target=st.floats(0.5, 0.95),
    occupancy=st.floats(0.5, 1.0),
    shrinkage=st.floats(0, 0.6),
)
def test_advice_meets_its_targets_and_is_minimal(calls, aht, target, occupancy, shrinkage):
    result = agents_needed(
        calls, aht_seconds=aht, target_service_level=target, max_occupancy=occupancy, shrinkage=shrinkage
    )
    assert result.agents > result.traffic_erlangs
    assert result.occupancy <= occupancy + 1e-9
    assert result.service_level >= target
    assert result.agents_scheduled >= result.agents
    # One agent fewer would break the service level, the occupancy cap or the queue's stability.
    fewer = result.agents - 1
    if fewer > result.traffic_erlangs and result.traffic_erlangs / fewer <= occupancy:
        assert (
            service_level(fewer, result.traffic_erlangs, aht_seconds=aht, answer_within_seconds=20) < target
        )


def test_forecast_averages_the_same_weekday_and_skips_holidays():
    day = date(2026, 10, 12)  # a Monday; the four Mondays before it are 10-05, 09-28, 09-21, 09-14
    holiday = date(2026, 10, 5)  # 国庆 week: its volume is no normal Monday's
    counts = {
        (date(2026, 10, 5), 9): 500,
        (date(2026, 9, 28), 9): 30,
        (date(2026, 9, 21), 9): 20,
        (date(2026, 9, 14), 9): 10,
        (date(2026, 9, 28), 14): 9,
        (date(2026, 9, 29), 9): 1000,  # a Tuesday: not the same weekday
        (date(2026, 9, 7), 9): 1000,  # five weeks back: outside the window
        (date(2026, 10, 12), 9): 1000,  # the day itself: not history
    }
    result = forecast_hourly(counts, day=day, weeks=4, holidays={holiday})
    assert result.dates_used == (date(2026, 9, 28), date(2026, 9, 21), date(2026, 9, 14))
    assert result.per_hour[9] == pytest.approx(20.0)
    assert result.per_hour[14] == pytest.approx(3.0)  # missing hours of a reference day count as 0
    assert result.per_hour[3] == 0.0
    assert set(result.per_hour) == set(range(24))


def test_forecast_with_only_holidays_is_zero():
    day = date(2026, 10, 8)
    result = forecast_hourly(
        {(day - timedelta(weeks=1), 10): 40}, day=day, weeks=1, holidays={day - timedelta(weeks=1)}
    )
    assert result.dates_used == ()
    assert all(v == 0.0 for v in result.per_hour.values())


def test_forecast_refuses_bad_input():
    with pytest.raises(ValueError):
        forecast_hourly({}, day=date(2026, 10, 8), weeks=0)
    with pytest.raises(ValueError, match="hour"):
        forecast_hourly({(date(2026, 10, 1), 24): 3}, day=date(2026, 10, 8), weeks=1)
