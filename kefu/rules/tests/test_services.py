"""Changing settings: validation (R-ERR), versions, administrators only, audit (R-AUD), cache."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction
from django.utils import translation

from kefu.core.errors import InvalidInput, NotAllowed, NotFound, StaleVersion
from kefu.rules import cache as rules_cache
from kefu.rules.models import RuleValue
from kefu.rules.selectors import clear_cache, count_overrides, get_rule, rule_row
from kefu.rules.services import reset_rule, set_rule

CADENCE_B = "customers.cadence_days.B"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _refused(exc_info) -> dict[str, str]:
    return {e.field: str(e.message) for e in exc_info.value.errors}


@pytest.mark.parametrize(("value", "message"), [(-1, "Must be at least 1."), (0, "Must be at least 1.")])
def test_r_cus_4_cadence_below_one_day_is_refused_and_nothing_changes(admin_user, audit_events, value, message):
    with pytest.raises(InvalidInput) as exc:
        set_rule(actor=admin_user, key=CADENCE_B, value=value, version=0)
    assert _refused(exc) == {"value": message}
    assert "not changed" in str(exc.value.detail)
    assert not RuleValue.objects.exists()
    assert audit_events(CADENCE_B) == []
    assert get_rule(CADENCE_B) == 7


def test_r_cus_4_cadence_of_one_day_is_accepted(admin_user):
    row = set_rule(actor=admin_user, key=CADENCE_B, value=1, version=0)
    assert (row.value, row.version) == (1, 1)
    assert get_rule(CADENCE_B) == 1


@pytest.mark.parametrize("value", ["weekly", True, 1.5, [7], {"days": 7}, None, ""])
def test_r_err_wrong_type_is_refused(admin_user, value):
    with pytest.raises(InvalidInput) as exc:
        set_rule(actor=admin_user, key=CADENCE_B, value=value, version=0)
    assert set(_refused(exc)) == {"value"}
    assert not RuleValue.objects.exists()


def test_r_err_stale_version_is_refused_and_nothing_changes(admin_user, audit_events):
    set_rule(actor=admin_user, key=CADENCE_B, value=10, version=0)
    with pytest.raises(StaleVersion):
        set_rule(actor=admin_user, key=CADENCE_B, value=12, version=0)  # read before the first change
    with pytest.raises(StaleVersion):
        set_rule(actor=admin_user, key=CADENCE_B, value=12, version=None)
    assert RuleValue.objects.get(key=CADENCE_B).value == 10
    assert get_rule(CADENCE_B) == 10
    assert len(audit_events(CADENCE_B)) == 1


@pytest.mark.parametrize("role", ["agent", "lead", "qa", "head", "director"])
def test_only_administrators_change_settings(users, role, audit_events):
    with pytest.raises(NotAllowed):
        set_rule(actor=users[role], key=CADENCE_B, value=3, version=0)
    assert not RuleValue.objects.exists()
    assert audit_events(CADENCE_B) == []


def test_a_superuser_may_change_settings(make_user):
    root = make_user("root", is_superuser=True)
    set_rule(actor=root, key=CADENCE_B, value=3, version=0)
    assert get_rule(CADENCE_B) == 3


def test_unknown_key_is_not_found(admin_user):
    with pytest.raises(NotFound):
        set_rule(actor=admin_user, key="customers.nope", value=1, version=0)
    with pytest.raises(NotFound):
        reset_rule(actor=admin_user, key="customers.nope", version=0)


def test_r_aud_change_is_recorded_with_before_and_after(admin_user, audit_events):
    set_rule(actor=admin_user, key="tickets.compensation_limit.agent", value="80", version=0)
    set_rule(actor=admin_user, key="tickets.compensation_limit.agent", value=Decimal("60"), version=1)
    first, second = audit_events("tickets.compensation_limit.agent")
    assert first.action == "update"
    assert first.actor_id == admin_user.pk
    assert (first.before, first.after) == ({"value": "50.00"}, {"value": "80.00"})
    assert (second.before, second.after) == ({"value": "80.00"}, {"value": "60.00"})
    assert first.object_repr == "tickets.compensation_limit.agent"


def test_get_rule_sees_changes_at_once_and_returns_typed_values(admin_user, centre):
    assert get_rule("workforce.night_leave_cutoff") == dt.time(12, 0)  # warm the cache
    set_rule(actor=admin_user, key="workforce.night_leave_cutoff", value="11:30", version=0)
    set_rule(actor=admin_user, key="tickets.compensation_limit.lead", value="250.5", version=0)
    set_rule(actor=admin_user, key="calendar.breaks", value=[["12:00", "13:00"], ["17:00", "17:30"]], version=0)
    set_rule(actor=admin_user, key="security.phone_full_view_roles", value=["director"], version=0)
    set_rule(actor=admin_user, key="calendar.mode", value="24x7", version=0)
    assert get_rule("workforce.night_leave_cutoff") == dt.time(11, 30)
    assert get_rule("tickets.compensation_limit.lead", centre_id=centre.pk) == Decimal("250.50")
    assert get_rule("calendar.breaks") == [(dt.time(12), dt.time(13)), (dt.time(17), dt.time(17, 30))]
    assert get_rule("security.phone_full_view_roles") == ["director"]
    assert get_rule("calendar.mode") == "24x7"
    # callers get their own copies
    get_rule("security.phone_full_view_roles").append("agent")
    assert get_rule("security.phone_full_view_roles") == ["director"]
    assert count_overrides(centre_id=centre.pk) == 5


def test_reset_returns_to_the_default_and_versions_keep_counting(admin_user, audit_events):
    set_rule(actor=admin_user, key=CADENCE_B, value=5, version=0)
    row = reset_rule(actor=admin_user, key=CADENCE_B, version=1)
    assert (row.value, row.version) == (None, 2)
    assert get_rule(CADENCE_B) == 7
    assert rule_row(CADENCE_B).is_default
    assert rule_row(CADENCE_B).version == 2
    assert audit_events(CADENCE_B)[-1].after == {"value": 7}
    with pytest.raises(StaleVersion):  # a client still holding version 1 cannot overwrite
        set_rule(actor=admin_user, key=CADENCE_B, value=9, version=1)
    set_rule(actor=admin_user, key=CADENCE_B, value=9, version=2)
    assert get_rule(CADENCE_B) == 9


def test_reset_checks_the_version_and_is_a_no_op_at_the_default(admin_user, audit_events):
    assert reset_rule(actor=admin_user, key=CADENCE_B, version=0) is None
    set_rule(actor=admin_user, key=CADENCE_B, value=5, version=0)
    with pytest.raises(StaleVersion):
        reset_rule(actor=admin_user, key=CADENCE_B, version=0)
    assert get_rule(CADENCE_B) == 5


def test_reset_by_a_head_is_refused(users):
    set_rule(actor=users["admin"], key=CADENCE_B, value=5, version=0)
    with pytest.raises(NotAllowed):
        reset_rule(actor=users["head"], key=CADENCE_B, version=1)
    assert get_rule(CADENCE_B) == 5


def test_r_cus_2_urgency_bands_must_ascend(admin_user):
    with pytest.raises(InvalidInput) as exc:
        set_rule(actor=admin_user, key="customers.urgency_days.urgent", value=30, version=0)
    assert "Must be less than" in _refused(exc)["value"]
    set_rule(actor=admin_user, key="customers.urgency_days.urgent", value=29, version=0)


def test_r_cal_breaks_must_lie_within_working_hours(admin_user):
    with pytest.raises(InvalidInput) as exc:
        set_rule(actor=admin_user, key="calendar.breaks", value="08:00-09:30", version=0)
    assert "within the working hours" in _refused(exc)["value"]
    with pytest.raises(InvalidInput):
        set_rule(actor=admin_user, key="calendar.work_end", value="09:00", version=0)


def test_r_tic_7_authority_limits_may_not_decrease_up_the_ladder(admin_user):
    with pytest.raises(InvalidInput) as exc:
        set_rule(actor=admin_user, key="tickets.compensation_limit.lead", value="40.00", version=0)
    assert "at least" in _refused(exc)["value"]


def test_unchanged_value_writes_nothing(admin_user, audit_events):
    set_rule(actor=admin_user, key=CADENCE_B, value=5, version=0)
    row = set_rule(actor=admin_user, key=CADENCE_B, value="5", version=1)
    assert row.version == 1
    assert len(audit_events(CADENCE_B)) == 1


def test_settings_belong_to_a_centre(admin_user, make_user, centre):
    from django.apps import apps

    other = apps.get_model("org", "Centre").objects.create(name="另一中心")
    set_rule(actor=admin_user, key=CADENCE_B, value=5, version=0)
    assert get_rule(CADENCE_B, centre_id=centre.pk) == 5
    assert get_rule(CADENCE_B, centre_id=other.pk) == 7
    with pytest.raises(NotAllowed):
        set_rule(actor=admin_user, key=CADENCE_B, value=6, version=0, centre=other)


def test_a_rolled_back_change_does_not_linger_in_the_cache(admin_user):
    assert get_rule(CADENCE_B) == 7
    with pytest.raises(RuntimeError), transaction.atomic():
        set_rule(actor=admin_user, key=CADENCE_B, value=2, version=0)
        assert get_rule(CADENCE_B) == 2
        raise RuntimeError
    assert get_rule(CADENCE_B) == 7


def test_get_rule_is_cached(admin_user, centre, django_assert_num_queries):
    set_rule(actor=admin_user, key=CADENCE_B, value=5, version=0)
    clear_cache()  # as after the commit
    assert get_rule(CADENCE_B, centre_id=centre.pk) == 5
    with django_assert_num_queries(0):
        for _ in range(100):
            get_rule(CADENCE_B, centre_id=centre.pk)
            get_rule("calendar.breaks", centre_id=centre.pk)


def test_other_processes_changes_are_seen_through_the_shared_generation(
    admin_user, centre, monkeypatch
):
    monkeypatch.setattr(rules_cache, "CHECK_SECONDS", 0)
    set_rule(actor=admin_user, key=CADENCE_B, value=5, version=0)
    clear_cache()
    assert get_rule(CADENCE_B, centre_id=centre.pk) == 5
    # another process writes (no signal here) …
    RuleValue.objects.filter(key=CADENCE_B).update(value=6)
    assert get_rule(CADENCE_B, centre_id=centre.pk) == 5  # still the cached value
    # … and replaces the shared generation
    django_cache.set(rules_cache._gen_key((rules_cache.RULES, centre.pk)), "another-generation", timeout=None)
    assert get_rule(CADENCE_B, centre_id=centre.pk) == 6


def test_an_invalid_stored_value_falls_back_to_the_default(centre):
    RuleValue.objects.create(centre=centre, key=CADENCE_B, value=-3)
    RuleValue.objects.create(centre=centre, key="customers.retired_setting", value=1)
    assert get_rule(CADENCE_B) == 7
    assert rule_row(CADENCE_B).is_default
