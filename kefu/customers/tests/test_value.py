"""R-CUS-7: value factors, scaling, weights, tiers (top 20 % with ties), potential VIPs, scale."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kefu.customers import value
from kefu.customers.models import CampaignEntry, Customer, Order
from kefu.customers.value import assign_tiers, recompute_value_for, recompute_values, tier_cutoffs

TODAY = dt.date(2026, 11, 23)
ALL_WEIGHTS = [f"customers.value_weight.{f}" for f in value.FACTORS]


@pytest.fixture(autouse=True)
def _fresh_stats():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def set_rules(demo):
    """``set_rules(customers__vip_share_pct=50)`` through the settings service; the per-process settings
    cache is cleared afterwards (a write inside the test's rolled-back transaction would otherwise leave
    the centre marked as written and make later tests read settings from the database)."""
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    def set_(**values):
        for key, v in values.items():
            key = key.replace("__", ".")
            set_rule(actor=demo.users["admin"], key=key, value=v, version=rule_row(key).version)

    yield set_
    clear_cache()


@pytest.fixture
def spend_only(set_rules):
    """Weights: only total spend counts (weight 100), so scores are easy to predict."""
    set_rules(**{k.replace(".", "__"): 0 for k in ALL_WEIGHTS})
    set_rules(customers__value_weight__spend=100)


def order(customer, amount, date=TODAY - dt.timedelta(days=10), items=None):
    return Order.objects.create(customer=customer, shop=customer.shop, date=date, amount=Decimal(amount),
                                items=items or [])


def tiers():
    return dict(Customer.objects.values_list("name", "value_tier"))


# -- pure rules ----------------------------------------------------------------------------------------


def test_distinct_scores_split_20_30_30_20():
    scores = [float(s) for s in range(10, 0, -1)]
    assert assign_tiers(scores, vip_pct=20, major_pct=30, normal_pct=30) == (
        ["vip"] * 2 + ["major"] * 3 + ["normal"] * 3 + ["general"] * 2)


def test_ties_at_the_vip_boundary_are_all_vip():
    """N=10, 20 % → cutoff = 2nd best score; the 2nd, 3rd and 4th share it: four VIPs (40 %)."""
    scores = [10.0, 9.0, 9.0, 9.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.5]
    out = assign_tiers(scores, vip_pct=20, major_pct=30, normal_pct=30)
    assert out[:4] == ["vip"] * 4
    assert out[4] == "major"  # 5th position is inside the cumulative 50 %


def test_a_tie_just_below_the_cutoff_is_not_vip():
    scores = [10.0, 9.0, 8.0, 8.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert assign_tiers(scores, vip_pct=20, major_pct=30, normal_pct=30)[:4] == ["vip", "vip", "major", "major"]


def test_share_rounds_up_ceil_n_times_share():
    # 11 customers × 20 % = 2.2 → 3 VIPs; 5 customers × 20 % = 1 VIP; 1 customer → that one.
    assert assign_tiers([float(i) for i in range(11, 0, -1)], vip_pct=20, major_pct=0, normal_pct=0).count("vip") == 3
    assert assign_tiers([5.0, 4.0, 3.0, 2.0, 1.0], vip_pct=20, major_pct=30, normal_pct=30).count("vip") == 1
    assert assign_tiers([3.0], vip_pct=20, major_pct=30, normal_pct=30) == ["vip"]


def test_zero_or_negative_scores_are_never_vip():
    assert assign_tiers([0.0] * 10, vip_pct=20, major_pct=30, normal_pct=30) == ["general"] * 10
    # Only one positive score while the share asks for two: one VIP, the zeros stay general.
    assert assign_tiers([3.0, 0.0, 0.0, -1.0, 0.0], vip_pct=40, major_pct=30, normal_pct=30) == [
        "vip", "general", "general", "general", "general"]


def test_cumulative_shares_over_100_percent_are_capped():
    assert assign_tiers([3.0, 2.0, 1.0], vip_pct=60, major_pct=60, normal_pct=60) == ["vip", "vip", "major"]


def test_empty_population_has_no_cutoffs():
    c = tier_cutoffs([], vip_pct=20, major_pct=30, normal_pct=30)
    assert (c.vip, c.major, c.normal) == (None, None, None)


scores_strategy = st.lists(st.integers(min_value=-3, max_value=30).map(float), min_size=1, max_size=60)
share = st.integers(min_value=1, max_value=100)
rest_share = st.integers(min_value=0, max_value=100)


@given(scores_strategy, share, rest_share, rest_share)
def test_tiers_partition_and_respect_shares(scores, vip_pct, major_pct, normal_pct):
    out = assign_tiers(scores, vip_pct=vip_pct, major_pct=major_pct, normal_pct=normal_pct)
    assert len(out) == len(scores)
    assert set(out) <= {"vip", "major", "normal", "general"}  # every customer exactly one tier
    n = len(scores)
    positive = sum(1 for s in scores if s > 0)
    want = math.ceil(n * vip_pct / 100)
    vips = out.count("vip")
    # VIP share ≥ requested share (ties may add more), but only positive scores count.
    assert vips >= min(want, positive)
    # The higher score never gets the lower tier.
    rank = {"vip": 0, "major": 1, "normal": 2, "general": 3}
    for a, ta in zip(scores, out, strict=True):
        for b, tb in zip(scores, out, strict=True):
            if a > b:
                assert rank[ta] <= rank[tb]
            if a == b:
                assert ta == tb  # ties are treated alike
    # Everyone strictly above the cutoff score is VIP; nobody below it.
    cut = sorted(scores, reverse=True)[want - 1]
    assert all((t == "vip") == (s >= cut and s > 0) for s, t in zip(scores, out, strict=True))


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=80, unique=True), share)
def test_without_ties_vips_are_exactly_ceil_n_share(values, vip_pct):
    out = assign_tiers([float(v) for v in values], vip_pct=vip_pct, major_pct=30, normal_pct=30)
    assert out.count("vip") == math.ceil(len(values) * vip_pct / 100)


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=80, unique=True),
       share, rest_share, rest_share)
def test_without_ties_cumulative_tier_sizes_are_exact(values, vip_pct, major_pct, normal_pct):
    out = assign_tiers([float(v) for v in values], vip_pct=vip_pct, major_pct=major_pct, normal_pct=normal_pct)
    n = len(values)

    def upto(pct):
        return min(n, math.ceil(n * min(100, pct) / 100))

    assert out.count("vip") == upto(vip_pct)
    assert out.count("vip") + out.count("major") == upto(vip_pct + major_pct)
    assert n - out.count("general") == upto(vip_pct + major_pct + normal_pct)


def test_scaling_divides_by_the_maximum_and_zero_max_is_zero():
    assert value.scale(5, 10) == 0.5
    assert value.scale(0, 0) == 0.0
    assert value.scale_hypothetical(20, 10) == 1.0
    assert value.scale_hypothetical(5, 0) == 1.0
    assert value.scale_hypothetical(0, 0) == 0.0


def test_frequency_counts_a_short_tenure_as_one_month():
    assert value.frequency(3, 0) == 3
    assert value.frequency(3, 30) == 3
    assert value.frequency(3, 90) == 1


def test_distinct_items_tolerate_shapes():
    assert value.distinct_item_names([["杯子", "茶叶"], ["茶叶", " "], "x", None, [{"name": "壶"}, 5]]) == {
        "杯子", "茶叶", "壶", "5"}


# -- the job on the database ------------------------------------------------------------------------


def test_factors_are_read_from_orders_referrals_campaigns_and_complaints(make_customer):
    a = make_customer(name="甲")
    make_customer(name="乙", referred_by=a)
    make_customer(name="丙", referred_by=a)
    Customer.objects.filter(pk=a.pk).update(complaints_total=4)
    created = dt.datetime(2026, 8, 25, 10, 0, tzinfo=dt.UTC)  # 90 days before TODAY
    Customer.objects.filter(pk=a.pk).update(created_at=created)
    order(a, "100.50", dt.date(2026, 9, 1), ["杯子", "茶叶"])
    order(a, "200", dt.date(2026, 10, 1), ["茶叶", "壶"])
    order(a, "999", TODAY + dt.timedelta(days=1), ["未来"])  # after today: not counted
    CampaignEntry.objects.create(customer=a, campaign="双11", date=dt.date(2026, 11, 11))
    row = value._raw_rows([tuple(Customer.objects.values_list(*value._ROW_FIELDS).get(pk=a.pk))], TODAY)[0]
    f = dict(zip(value.FACTORS, row.factors, strict=True))
    assert f == {"tenure": 90.0, "spend": 300.5, "purchases": 2.0, "frequency": 2 / 3, "items": 3.0,
                 "referrals": 2.0, "campaigns": 1.0, "complaints": 4.0}


def test_tenure_starts_at_the_first_order_when_it_is_older(make_customer):
    a = make_customer()
    Customer.objects.filter(pk=a.pk).update(created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    order(a, "10", dt.date(2026, 5, 27))
    row = value._raw_rows([tuple(Customer.objects.values_list(*value._ROW_FIELDS).get(pk=a.pk))], TODAY)[0]
    assert row.tenure_days == 180
    assert row.factors[value.FACTORS.index("frequency")] == pytest.approx(1 / 6)


def test_score_is_weighted_sum_of_scaled_factors(make_customer, set_rules):
    set_rules(**{k.replace(".", "__"): 0 for k in ALL_WEIGHTS})
    set_rules(customers__value_weight__spend=60, customers__value_weight__referrals=40,
              customers__value_weight__complaints=-10)
    top, half = make_customer(name="top"), make_customer(name="half")
    make_customer(name="r1", referred_by=top)
    order(top, "1000")
    order(half, "500")
    Customer.objects.filter(pk=half.pk).update(complaints_total=2)
    recompute_values(today=TODAY)
    scores = dict(Customer.objects.values_list("name", "value_score"))
    assert scores["top"] == 100.0  # max spend (60) + max referrals (40)
    assert scores["half"] == 20.0  # 60 × 0.5 − 10 × 1
    assert scores["r1"] == 0.0


def test_top_20_percent_are_vips_then_major_normal_general(make_customer, spend_only):
    for i in range(1, 11):
        order(make_customer(name=f"c{i}"), str(i * 100))
    result = recompute_values(today=TODAY)
    t = tiers()
    assert [t[f"c{i}"] for i in range(10, 0, -1)] == ["vip"] * 2 + ["major"] * 3 + ["normal"] * 3 + ["general"] * 2
    assert result["vip"] == 2 and result["customers"] == 10 and result["updated"] == 10
    assert result["cutoffs"][next(iter(result["cutoffs"]))]["vip"] == 90.0


def test_ties_at_the_boundary_all_become_vip_in_the_database(make_customer, spend_only):
    amounts = [1000, 900, 900, 900, 500, 400, 300, 200, 100, 50]
    for i, amount in enumerate(amounts):
        order(make_customer(name=f"c{i}"), str(amount))
    recompute_values(today=TODAY)
    assert Customer.objects.filter(value_tier="vip").count() == 4  # 40 % because of the tie


def test_customers_without_anything_are_never_vip(make_customer, spend_only):
    for i in range(5):
        make_customer(name=f"c{i}")
    recompute_values(today=TODAY)
    assert set(tiers().values()) == {"general"}


def test_vip_share_is_a_setting(make_customer, spend_only, set_rules):
    set_rules(customers__vip_share_pct=50)
    for i in range(1, 11):
        order(make_customer(name=f"c{i}"), str(i * 100))
    recompute_values(today=TODAY)
    assert Customer.objects.filter(value_tier="vip").count() == 5


def test_second_run_changes_nothing(make_customer, spend_only):
    for i in range(1, 6):
        order(make_customer(name=f"c{i}"), str(i))
    recompute_values(today=TODAY)
    assert recompute_values(today=TODAY)["updated"] == 0


def test_stale_tiers_are_corrected(make_customer, spend_only):
    a, b = make_customer(name="a"), make_customer(name="b")
    order(a, "100")
    recompute_values(today=TODAY)
    assert tiers() == {"a": "vip", "b": "general"}
    order(b, "1000")
    recompute_values(today=TODAY)
    assert tiers()["b"] == "vip"
    assert tiers()["a"] != "vip"


# -- potential VIPs -----------------------------------------------------------------------------------


def test_prospect_whose_expected_amount_reaches_the_vip_cutoff_is_potential_vip(make_customer, spend_only):
    for i in range(1, 11):
        order(make_customer(name=f"c{i}"), str(i * 100))
    # 15 customers in all: ceil(15 × 20 %) = 3 → the VIP cutoff is the 3rd best score (spend 800 → 80).
    make_customer(name="big", deal_status="prospect", expected_amount=Decimal("800"))
    make_customer(name="nego", deal_status="negotiating", expected_amount=Decimal("5000"))
    make_customer(name="small", deal_status="prospect", expected_amount=Decimal("799"))
    make_customer(name="won", deal_status="won", expected_amount=Decimal("5000"))
    make_customer(name="none", deal_status="prospect")
    recompute_values(today=TODAY)
    t = tiers()
    assert t["big"] == "potential_vip"  # 800 / 1000 × 100 = 80 = the cutoff: reaches it
    assert t["nego"] == "potential_vip"  # above the largest spend: counts as the largest
    assert t["small"] == "general"
    assert t["won"] == "general"
    assert t["none"] == "general"


def test_prospect_with_orders_is_not_potential(make_customer, spend_only):
    for i in range(1, 6):
        order(make_customer(name=f"c{i}"), str(i * 100))
    p = make_customer(name="p", deal_status="prospect", expected_amount=Decimal("10000"))
    order(p, "1")
    recompute_values(today=TODAY)
    assert tiers()["p"] == "general"


def test_potential_vip_when_nobody_has_bought_yet(make_customer, spend_only):
    make_customer(name="a")
    make_customer(name="p", deal_status="prospect", expected_amount=Decimal("1"))
    recompute_values(today=TODAY)
    assert tiers() == {"a": "general", "p": "potential_vip"}


# -- scale and on demand ---------------------------------------------------------------------------


def _bulk_population(demo, n, start=0):
    shop, owner = demo.shops["tmall"], demo.users["agent1"]
    customers = Customer.objects.bulk_create([
        Customer(shop=shop, owner=owner, name=f"bulk{start + i}", grade="D", grade_proposed="D", next_due=TODAY,
                 complaints_total=i % 3)
        for i in range(n)
    ])
    Order.objects.bulk_create([
        Order(customer=c, shop=shop, date=TODAY - dt.timedelta(days=i % 40), amount=Decimal(i + 1), items=[f"i{i % 7}"])
        for i, c in enumerate(customers)
    ])
    CampaignEntry.objects.bulk_create([CampaignEntry(customer=c, campaign="x", date=TODAY) for c in customers[::2]])
    return customers


def _count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_customers(demo):
    from kefu.rules.selectors import get_rule

    get_rule("customers.vip_share_pct")  # warm the settings cache
    _bulk_population(demo, 10)
    small = _count_queries(lambda: recompute_values(today=TODAY))
    Customer.objects.all().delete()
    _bulk_population(demo, 100, start=10)
    large = _count_queries(lambda: recompute_values(today=TODAY))
    assert large == small, (small, large)
    assert large < 20, large


def test_chunks_cover_the_whole_population(demo, monkeypatch, spend_only):
    monkeypatch.setattr(value, "CHUNK", 7)
    monkeypatch.setattr(value, "BATCH_SIZE", 5)
    _bulk_population(demo, 30)
    result = recompute_values(today=TODAY)
    assert result["customers"] == 30
    assert Customer.objects.filter(value_tier="vip").count() == 6
    assert Customer.objects.filter(value_score=0).count() == 0


def test_recompute_value_for_uses_the_last_cutoffs(make_customer, spend_only):
    customers = [make_customer(name=f"c{i}") for i in range(1, 11)]
    for i, c in enumerate(customers, start=1):
        order(c, str(i * 100))
    recompute_values(today=TODAY)
    low = customers[0]
    order(low, "950")  # 1050 in total: above the old maximum → scaled as 1
    updated = recompute_value_for(low.pk, today=TODAY)
    assert updated.value_tier == "vip"
    assert updated.value_score == 100.0
    low.refresh_from_db()
    assert low.value_tier == "vip"


def test_recompute_value_for_without_stats_recomputes_the_centre(make_customer, spend_only):
    a, b = make_customer(name="a"), make_customer(name="b")
    order(a, "10")
    cache.clear()
    assert recompute_value_for(b.pk, today=TODAY).value_tier == "general"
    assert Customer.objects.get(pk=a.pk).value_tier == "vip"


def test_periodic_and_on_demand_tasks_call_the_jobs(make_customer, spend_only):
    from kefu.customers import tasks

    a = make_customer(name="a")
    order(a, "10", date=timezone.localdate() - dt.timedelta(days=1))
    result = tasks.nightly_values_and_churn.call_local()
    assert result["vip"] == 1 and result["at_risk"] == 0
    assert tasks.recompute_values_now.call_local()["customers"] == 1
    assert tasks.recompute_value_of.call_local(a.pk) == 100.0


@pytest.mark.parametrize(("role", "allowed"), [("agent", False), ("lead", False), ("head", True),
                                               ("director", True), ("admin", True)])
def test_r_cus_7_values_are_recomputed_on_demand_by_managers_only(demo, clients, make_customer, role, allowed,
                                                                    django_capture_on_commit_callbacks):
    from django.urls import reverse

    from kefu.audit.models import AuditEvent

    customer = make_customer()
    Order.objects.create(customer=customer, shop=customer.shop, date=timezone.localdate(),
                         amount=Decimal("500.00"), items=["手机"])
    before = AuditEvent.objects.filter(object_type="customers.value").count()
    with django_capture_on_commit_callbacks(execute=True):
        response = clients(role).post(reverse("customers:recompute_values"))
    customer.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert AuditEvent.objects.filter(object_type="customers.value").count() == before + 1
        assert customer.value_score > 0
    else:
        assert response.status_code == 403
        assert AuditEvent.objects.filter(object_type="customers.value").count() == before
        assert customer.value_score == 0
