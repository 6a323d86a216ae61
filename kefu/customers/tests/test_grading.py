"""R-CUS-2, R-CUS-3, R-CUS-4 at their boundaries (pure rules, defaults from settings)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kefu.customers.grading import importance, load_rules, next_due, propose_grade, urgency

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def rules(db):
    return load_rules()


@pytest.mark.parametrize(("days", "grade"), [
    (0, "A"), (30, "A"), (31, "B"), (90, "B"), (91, "C"), (180, "C"), (181, "D"), (-5, "A"),
])
def test_r_cus_3_clear_need_is_graded_by_expected_close(rules, days, grade):
    close = TODAY + dt.timedelta(days=days)
    assert propose_grade(rules, need_status="target", expected_close_date=close, today=TODAY) == grade


def test_r_cus_3_latent_need_is_d_and_no_need_is_e(rules):
    soon = TODAY + dt.timedelta(days=3)
    assert propose_grade(rules, need_status="latent", expected_close_date=soon, today=TODAY) == "D"
    assert propose_grade(rules, need_status="dead", expected_close_date=soon, today=TODAY) == "E"
    assert propose_grade(rules, need_status="target", expected_close_date=None, today=TODAY) == "D"


@pytest.mark.parametrize(("grade", "cadence"), [("A", 1), ("B", 7), ("C", 15), ("D", 30), ("E", 365)])
def test_r_cus_4_next_due_is_last_followup_plus_cadence(rules, grade, cadence):
    assert next_due(rules, last_contact=TODAY, grade=grade) == TODAY + dt.timedelta(days=cadence)


@pytest.mark.parametrize(("days", "level"), [
    (-3, "urgent"), (0, "urgent"), (7, "urgent"), (8, "soon"), (30, "soon"), (31, "not_urgent"),
    (90, "not_urgent"), (91, "later"),
])
def test_r_cus_2_urgency_by_days_to_next_action(rules, days, level):
    assert urgency(rules, next_due_date=TODAY + dt.timedelta(days=days), today=TODAY) == level


@pytest.mark.parametrize(("amount", "level"), [
    (None, "ordinary"), (Decimal("99999.99"), "ordinary"), (Decimal("100000.00"), "important"),
])
def test_r_cus_2_importance_threshold(rules, amount, level):
    assert importance(rules, amount) == level


@given(st.integers(min_value=-400, max_value=400))
def test_r_cus_3_a_later_close_never_gives_a_better_grade(days):
    from kefu.customers.grading import CustomerRules

    rules = CustomerRules(cadence_days={"A": 1, "B": 7, "C": 15, "D": 30, "E": 365},
                          grade_months={"A": 1, "B": 3, "C": 6}, urgency_days=(7, 30, 90),
                          importance_threshold=Decimal("100000"), pool_cadences=3, pool_days={},
                          pool_exempt_won=True, pool_warning_days=3)
    a = propose_grade(rules, need_status="target", expected_close_date=TODAY + dt.timedelta(days=days), today=TODAY)
    b = propose_grade(rules, need_status="target", expected_close_date=TODAY + dt.timedelta(days=days + 1),
                      today=TODAY)
    assert a <= b


def test_r_cus_4_a_changed_cadence_setting_applies(demo, rules):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="customers.cadence_days.B", value=10, version=0)
    assert next_due(load_rules(), last_contact=TODAY, grade="B") == TODAY + dt.timedelta(days=10)
