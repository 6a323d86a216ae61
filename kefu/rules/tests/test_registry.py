"""Every number of SPEC.md is a setting whose shipped default is the SPEC value; values are typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from kefu.rules import registry
from kefu.rules.registry import RuleDef, RuleType, RuleValueError, all_defs, get_def, register
from kefu.rules.selectors import get_rule

T = dt.time

# key, SPEC default (typed, as get_rule returns it), SPEC rule
SPEC_DEFAULTS = [
    ("customers.cadence_days.A", 1, "R-CUS-4"),
    ("customers.cadence_days.B", 7, "R-CUS-4"),
    ("customers.cadence_days.C", 15, "R-CUS-4"),
    ("customers.cadence_days.D", 30, "R-CUS-4"),
    ("customers.cadence_days.E", 365, "R-CUS-4"),
    ("customers.importance_threshold", Decimal("100000.00"), "R-CUS-2"),
    ("customers.urgency_days.urgent", 7, "R-CUS-2"),
    ("customers.urgency_days.soon", 30, "R-CUS-2"),
    ("customers.urgency_days.not_urgent", 90, "R-CUS-2"),
    ("customers.grade_months.A", 1, "R-CUS-3"),
    ("customers.grade_months.B", 3, "R-CUS-3"),
    ("customers.grade_months.C", 6, "R-CUS-3"),
    ("customers.vip_share_pct", 20, "R-CUS-7"),
    ("customers.churn_frequency_share_pct", 50, "R-CUS-8"),
    ("customers.churn_overdue_cadences", 1, "R-CUS-8"),
    ("customers.pool_reclaim_cadences", 3, "R-CUS-10"),
    ("security.phone_full_view_roles", ["head", "director", "admin"], "R-CUS-1"),
    ("security.phone_mask.keep_start", 3, "R-CUS-1"),
    ("security.phone_mask.keep_end", 4, "R-CUS-1"),
    ("tickets.sla_warning_pct", 80, "R-TIC-4"),
    ("tickets.sla_breach_pct", 100, "R-TIC-4"),
    ("tickets.stuck_hours", 24, "R-TIC-5"),
    ("tickets.compensation_limit.agent", Decimal("50.00"), "R-TIC-7"),
    ("tickets.compensation_limit.lead", Decimal("200.00"), "R-TIC-7"),
    ("tickets.compensation_limit.head", Decimal("1000.00"), "R-TIC-7"),
    ("workforce.roll_call_minutes", 10, "R-WFM-1"),
    ("workforce.swap_max_per_month", 2, "R-WFM-3"),
    ("workforce.swap_min_rest_hours", 8, "R-WFM-3"),
    ("workforce.swap_max_level_gap", 1, "R-WFM-3"),
    ("workforce.leave_notice_hours", 24, "R-WFM-4"),
    ("workforce.special_leave_notice_hours", 1, "R-WFM-4"),
    ("workforce.night_leave_cutoff", T(12, 0), "R-WFM-4"),
    ("workforce.holiday_leave_notice_days", 2, "R-WFM-4"),
    ("workforce.head_leave_max_days", 1, "R-WFM-4"),
    ("workforce.sick_certificate_days", 1, "R-WFM-4"),
    ("workforce.late_minutes", 20, "R-WFM-5"),
    ("workforce.away_minutes", 20, "R-WFM-5"),
    ("quality.reviews_per_month.min", 1, "R-QA-2"),
    ("quality.reviews_per_month.max", 5, "R-QA-2"),
    ("quality.appeals_per_review", 1, "R-QA-2"),
    ("performance.monthly_report_due_day", 22, "R-KPI-2"),
    ("performance.monthly_report_remind_day", 20, "R-KPI-2"),
    ("calendar.mode", "business", "R-TIC-4"),
    ("calendar.work_start", T(9, 0), "R-CAL"),
    ("calendar.work_end", T(18, 0), "R-CAL"),
    ("calendar.breaks", [(T(12, 0), T(13, 30))], "R-CAL"),
]


@pytest.mark.parametrize(("key", "default", "rule_id"), SPEC_DEFAULTS)
def test_spec_default_is_shipped(key, default, rule_id, centre):
    """SPEC: "Every rule … is configurable … with the value given here as the shipped default"."""
    d = get_def(key)
    assert d.rule_id == rule_id
    assert get_rule(key) == default
    assert type(get_rule(key)) is type(default)
    assert get_rule(key, centre_id=centre.pk) == default


def test_defaults_apply_without_any_centre(db):
    assert get_rule("customers.cadence_days.E") == 365


def test_the_table_covers_every_declared_setting():
    assert {k for k, _d, _r in SPEC_DEFAULTS} == {d.key for d in registry.SPEC_DEFS}


def test_every_setting_is_documented():
    for d in all_defs():
        assert d.group in registry.GROUPS
        assert d.rule_id.startswith("R-")
        assert str(d.label) and str(d.help)
        assert d.key.split(".")[0] == d.group
        with translation.override("en"):
            d.display(d.default_json)


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("customers.cadence_days.A", 1, None),  # a cadence is at least one day
        ("customers.vip_share_pct", 1, 100),
        ("customers.churn_frequency_share_pct", 1, 100),
        ("tickets.sla_warning_pct", 1, 100),
        ("tickets.sla_breach_pct", 1, 100),
        ("performance.monthly_report_due_day", 1, 28),
    ],
)
def test_number_ranges_are_sensible(key, low, high):
    d = get_def(key)
    assert d.min == low
    if high is not None:
        assert d.max == high


def test_money_is_non_negative_with_two_decimals():
    for key in ("tickets.compensation_limit.agent", "customers.importance_threshold"):
        d = get_def(key)
        assert d.min == Decimal("0.00")
        assert d.clean("12.5") == "12.50"
        assert d.clean(0) == "0.00"
        with translation.override("en"), pytest.raises(RuleValueError, match="2 decimal places"):
            d.clean("1.005")
        with translation.override("en"), pytest.raises(RuleValueError, match="at least 0.00"):
            d.clean("-0.01")


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("customers.cadence_days.B", "14", 14),
        ("customers.cadence_days.B", 14.0, 14),
        ("calendar.work_start", "8:30", "08:30"),
        ("calendar.work_start", "08:30:00", "08:30"),
        ("calendar.mode", "24x7", "24x7"),
        ("calendar.breaks", "13:30-14:00, 12:00-12:30", [["12:00", "12:30"], ["13:30", "14:00"]]),
        ("calendar.breaks", [], []),
        ("calendar.breaks", "", []),
        ("security.phone_full_view_roles", ["admin", "head", "admin"], ["head", "admin"]),
        ("security.phone_full_view_roles", "director, admin", ["director", "admin"]),
    ],
)
def test_clean_coerces_to_the_stored_shape(key, raw, stored):
    assert get_def(key).clean(raw) == stored


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("customers.cadence_days.B", -1, "Must be at least 1."),
        ("customers.cadence_days.B", 0, "Must be at least 1."),
        ("customers.cadence_days.B", 3651, "Must be at most 3650."),
        ("customers.cadence_days.B", "seven", "Enter a whole number."),
        ("customers.cadence_days.B", 1.5, "Enter a whole number."),
        ("customers.cadence_days.B", True, "Enter a whole number."),
        ("customers.cadence_days.B", None, "A value is required."),
        ("customers.cadence_days.B", [7], "Enter a whole number."),
        ("customers.vip_share_pct", 101, "Must be at most 100."),
        ("tickets.compensation_limit.agent", "abc", "Enter a number."),
        ("tickets.compensation_limit.agent", "NaN", "Enter a number."),
        ("calendar.work_start", "25:00", "Enter a time as HH:MM."),
        ("calendar.work_start", 9, "Enter a time as HH:MM."),
        ("calendar.mode", "weekdays", "Choose one of: business, 24x7."),
        ("calendar.breaks", [["13:30", "12:00"]], "A period must end after it starts"),
        ("calendar.breaks", [["12:00", "13:00"], ["12:30", "14:00"]], "Periods must not overlap."),
        ("calendar.breaks", "noon", "Write each period as HH:MM-HH:MM"),
        ("calendar.breaks", 5, "Enter a list of periods"),
        ("security.phone_full_view_roles", ["boss"], "Unknown role"),
    ],
)
def test_clean_refuses_bad_values_with_a_clear_reason(key, raw, message):
    with translation.override("en"), pytest.raises(RuleValueError) as exc:
        get_def(key).clean(raw)
    assert message in exc.value.message


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_cadence_accepts_exactly_its_range(n):
    d = get_def("customers.cadence_days.C")
    if d.min <= n <= d.max:
        assert d.to_python(d.clean(n)) == n
    else:
        with pytest.raises(RuleValueError):
            d.clean(n)


@given(st.decimals(min_value=0, max_value=99_999_999, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips(amount):
    d = get_def("tickets.compensation_limit.head")
    assert d.to_python(d.clean(str(amount))) == amount


def test_register_adds_a_setting_and_refuses_conflicts(monkeypatch, db):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    extra = RuleDef(key="tickets.auto_escalate_vip_complaints", type=RuleType.BOOL, default=True,
                    rule_id="R-TIC-6", group="tickets", label="Auto-escalate", help="…")
    register(extra)
    register(extra)  # the same definition again is harmless
    assert get_def(extra.key) is extra
    assert get_rule(extra.key) is True
    with pytest.raises(ValueError, match="already registered"):
        register(RuleDef(key=extra.key, type=RuleType.BOOL, default=False, rule_id="R-TIC-6",
                         group="tickets", label="x"))
    with pytest.raises(ValueError, match="unknown group"):
        register(RuleDef(key="nowhere.x", type=RuleType.INT, default=1, rule_id="R-X", group="nowhere", label="x"))
    with pytest.raises(ValueError, match="default"):
        register(RuleDef(key="tickets.bad", type=RuleType.INT, default=0, min=1, rule_id="R-X",
                         group="tickets", label="x"))
    with pytest.raises(ValueError, match="dotted"):
        register(RuleDef(key="flat", type=RuleType.INT, default=1, rule_id="R-X", group="tickets", label="x"))


def test_unknown_key_is_a_key_error(db):
    with pytest.raises(KeyError):
        get_rule("customers.no_such_setting")


def test_bool_type_cleans_true_and_false():
    d = RuleDef(key="tickets.flag", type=RuleType.BOOL, default=False, rule_id="R-X", group="tickets", label="x")
    assert d.clean("true") is True
    assert d.clean("off") is False
    with translation.override("en"), pytest.raises(RuleValueError, match="true or false"):
        d.clean("maybe")


def test_a_roles_setting_with_a_minimum_refuses_an_empty_choice():
    roles = RuleDef(key="test.approvers", type=RuleType.ROLES, default=["lead"], min=1, rule_id="R-ORG-3",
                    group="performance", label="approvers")
    with translation.override("en"), pytest.raises(RuleValueError) as exc:
        roles.clean([])
    assert "Choose at least 1." in exc.value.message
    assert roles.clean(["lead"]) == ["lead"]


def test_the_iron_level_criteria_are_the_ladders_data_not_settings():
    """R-ORG-3's iron defaults (2 months, 2 clean months, 80, the lead) ship as the ladder's iron row
    (kefu/workforce/tests/test_ladder.py checks them); settings for them would change nothing."""
    assert not [d.key for d in all_defs() if d.key.startswith("performance.level_iron.")]
