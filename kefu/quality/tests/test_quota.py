"""R-QA-2 quota: each agent needs ``quality.reviews_per_month.min`` reviews a month (default 1, at most
``quality.reviews_per_month.max``, default 5); reviews are
counted in the month of the organisation's time zone — one at 23:59 on the last day counts for that month,
one at 00:00 on the first day for the next; the desk shows who is below quota."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.quality import selectors
from kefu.quality.tests.conftest import SHANGHAI


def _done(user, month):
    return {r.agent: r.done for r in selectors.quota(user, month)}


def test_r_qa_2_quota_counts_at_the_month_boundary(demo, clock, make_ticket, review):
    ticket_a, ticket_b = make_ticket(), make_ticket()
    clock(dt.datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI))
    review(ticket=ticket_a)
    clock(dt.datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI))
    review(ticket=ticket_b)
    qa = demo.users["qa1"]
    assert _done(qa, dt.date(2026, 11, 1))["agent1"] == 1
    assert _done(qa, dt.date(2026, 12, 1))["agent1"] == 1
    assert _done(qa, dt.date(2027, 1, 1))["agent1"] == 0


def test_r_qa_2_below_quota_follows_the_setting(demo, clock, review):
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    review()
    month = dt.date(2026, 12, 1)
    qa = demo.users["qa1"]
    below = {r.agent for r in selectors.below_quota(qa, month)}
    assert "agent1" not in below and "agent2" in below
    set_rule(actor=demo.users["admin"], key="quality.reviews_per_month.min", value=2,
             version=rule_row("quality.reviews_per_month.min").version)
    clear_cache()
    rows = {r.agent: r for r in selectors.quota(qa, month)}
    assert (rows["agent1"].required, rows["agent1"].done, rows["agent1"].below) == (2, 1, True)


@pytest.mark.parametrize(("value", "ok"), [(0, True), (1, True), (5, True), (6, False)])
def test_r_qa_2_quota_setting_is_at_most_the_maximum(demo, value, ok):
    """The quota is one setting, ``quality.reviews_per_month.min`` (default 1), and may not exceed
    ``quality.reviews_per_month.max`` (default 5); a refused value changes nothing."""
    from kefu.core.errors import InvalidInput
    from kefu.rules.registry import get_def
    from kefu.rules.selectors import clear_cache, get_rule, rule_row
    from kefu.rules.services import set_rule

    assert get_def("quality.reviews_per_month.min").default == 1
    assert get_def("quality.reviews_per_month.max").default == 5
    row = rule_row("quality.reviews_per_month.min")
    if ok:
        set_rule(actor=demo.users["admin"], key="quality.reviews_per_month.min", value=value,
                 version=row.version if row else None)
        clear_cache()
        assert get_rule("quality.reviews_per_month.min") == value
    else:
        with pytest.raises(InvalidInput):
            set_rule(actor=demo.users["admin"], key="quality.reviews_per_month.min", value=value,
                     version=row.version if row else None)
        clear_cache()
        assert get_rule("quality.reviews_per_month.min") == 1


def test_the_duplicate_quota_setting_is_gone():
    from kefu.rules.registry import get_def

    with pytest.raises(KeyError):
        get_def("quality.monthly_quota")


def test_quota_list_runs_in_a_constant_number_of_queries(demo, clock, review, django_assert_max_num_queries):
    for _i in range(3):
        review()
    qa = demo.users["qa1"]
    selectors.quota(qa, dt.date(2026, 12, 1))  # warm the scope and rules caches
    with django_assert_max_num_queries(3):
        rows = selectors.quota(qa, dt.date(2026, 12, 1))
    assert len(rows) == 6
