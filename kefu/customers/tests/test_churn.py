"""R-CUS-8: churn-risk flags of VIPs at their boundaries, with reasons; the at-risk list within scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kefu.customers import churn
from kefu.customers.churn import ChurnSettings, at_risk_vips, churn_reasons, refresh_churn
from kefu.customers.models import Customer, Order

TODAY = dt.date(2026, 11, 23)
DEFAULTS = ChurnSettings(recent_months=3, share_pct=50, overdue_cadences=1,
                         cadence_days={"A": 1, "B": 7, "C": 15, "D": 30, "E": 365})


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


def vip(make_customer, *, tenure_days=400, next_due=TODAY + dt.timedelta(days=3), **fields):
    """A VIP created ``tenure_days`` before TODAY, not overdue by default."""
    c = make_customer(**fields)
    Customer.objects.filter(pk=c.pk).update(
        value_tier="vip", value_score=90, next_due=next_due,
        created_at=dt.datetime.combine(TODAY - dt.timedelta(days=tenure_days), dt.time(12), tzinfo=dt.UTC))
    return Customer.objects.get(pk=c.pk)


def orders(customer, *dates):
    Order.objects.bulk_create([Order(customer=customer, shop=customer.shop, date=d, amount=Decimal("100"))
                               for d in dates])


def flags(c):
    c.refresh_from_db()
    return c.churn_risk, c.churn_reasons


# -- (a) purchase frequency -----------------------------------------------------------------------


@pytest.mark.parametrize(("orders_total", "recent", "flagged"), [
    (12, 3, False),  # tenure 6 months, 2/month on average; 3 in 3 months = 1/month = exactly 50 %: not below
    (13, 3, True),  # average 13/6 a month; 1/month is below half of it
    (12, 2, True),
    (12, 12, False),
    (0, 0, False),  # never bought: nothing dropped
])
def test_frequency_drop_boundary(orders_total, recent, flagged):
    assert churn.frequency_dropped(DEFAULTS, orders=orders_total, recent_orders=recent, tenure_days=180) is flagged


def test_a_customer_younger_than_the_window_is_not_compared():
    assert not churn.frequency_dropped(DEFAULTS, orders=10, recent_orders=0, tenure_days=90)
    assert churn.frequency_dropped(DEFAULTS, orders=10, recent_orders=0, tenure_days=91)


@given(st.integers(0, 200), st.integers(0, 200), st.integers(91, 4000), st.integers(1, 100))
def test_frequency_rule_matches_the_ratio_definition(total, recent, tenure, pct):
    recent = min(recent, total)
    s = ChurnSettings(recent_months=3, share_pct=pct, overdue_cadences=1, cadence_days=DEFAULTS.cadence_days)
    from fractions import Fraction

    recent_freq = Fraction(recent, 3)
    average = Fraction(total * 30, tenure)
    expected = total > 0 and recent_freq < Fraction(pct, 100) * average
    assert churn.frequency_dropped(s, orders=total, recent_orders=recent, tenure_days=tenure) is expected


def test_frequency_drop_in_the_database(make_customer):
    dropping = vip(make_customer, name="dropping", tenure_days=180)
    steady = vip(make_customer, name="steady", tenure_days=180)
    old = [TODAY - dt.timedelta(days=100 + i) for i in range(9)]
    recent3 = [TODAY - dt.timedelta(days=d) for d in (0, 30, 89)]  # all inside (today − 90, today]
    orders(steady, *old, *recent3)  # 12 in all, 3 recent: exactly half → not flagged
    orders(dropping, *old, TODAY - dt.timedelta(days=90), *recent3[:2])  # day 90 is outside the window
    orders(dropping, TODAY + dt.timedelta(days=1))  # future orders do not count
    assert refresh_churn(today=TODAY) == 1
    assert flags(dropping) == (True, ["frequency_drop"])
    assert flags(steady) == (False, [])


def test_recent_window_is_a_setting(make_customer, set_rules):
    set_rules(customers__churn_recent_months=1, customers__churn_frequency_share_pct=100)
    c = vip(make_customer, tenure_days=60)
    orders(c, TODAY - dt.timedelta(days=45), TODAY - dt.timedelta(days=5))  # 1 per month either way
    refresh_churn(today=TODAY)
    assert flags(c) == (False, [])
    Order.objects.filter(customer=c, date=TODAY - dt.timedelta(days=5)).update(date=TODAY - dt.timedelta(days=31))
    refresh_churn(today=TODAY)
    assert flags(c) == (True, ["frequency_drop"])


# -- (b) overdue follow-up -------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "overdue", "flagged"), [
    ("B", 7, False), ("B", 8, True), ("A", 1, False), ("A", 2, True), ("D", 30, False), ("D", 31, True),
    ("B", 0, False),
])
def test_followup_overdue_by_more_than_one_cadence(grade, overdue, flagged):
    assert churn.followup_overdue(DEFAULTS, next_due=TODAY - dt.timedelta(days=overdue), grade=grade,
                                  today=TODAY) is flagged


def test_overdue_in_the_database_and_the_multiplier_setting(make_customer, set_rules):
    b = vip(make_customer, name="b", need_status="target", expected_close_date=timezone.localdate() + dt.timedelta(days=60))
    assert b.grade == "B"
    Customer.objects.filter(pk=b.pk).update(next_due=TODAY - dt.timedelta(days=8))
    refresh_churn(today=TODAY)
    assert flags(b) == (True, ["followup_overdue"])
    set_rules(customers__churn_overdue_cadences=2)
    refresh_churn(today=TODAY)
    assert flags(b) == (False, [])
    Customer.objects.filter(pk=b.pk).update(next_due=TODAY - dt.timedelta(days=15))
    refresh_churn(today=TODAY)
    assert flags(b) == (True, ["followup_overdue"])


# -- (c) open complaint, several reasons, non-VIPs -------------------------------------------------


def test_open_complaint(make_customer):
    c = vip(make_customer)
    Customer.objects.filter(pk=c.pk).update(complaints_open=1, complaints_total=3)
    refresh_churn(today=TODAY)
    assert flags(c) == (True, ["open_complaint"])
    Customer.objects.filter(pk=c.pk).update(complaints_open=0)
    refresh_churn(today=TODAY)
    assert flags(c) == (False, [])


def test_all_reasons_are_listed_in_order(make_customer):
    c = vip(make_customer, tenure_days=365, next_due=TODAY - dt.timedelta(days=100))
    orders(c, *[TODAY - dt.timedelta(days=200 + i) for i in range(10)])
    Customer.objects.filter(pk=c.pk).update(complaints_open=2)
    refresh_churn(today=TODAY)
    assert flags(c) == (True, ["frequency_drop", "followup_overdue", "open_complaint"])


def test_non_vips_are_never_flagged_and_stale_flags_are_cleared(make_customer):
    c = vip(make_customer, next_due=TODAY - dt.timedelta(days=400))
    Customer.objects.filter(pk=c.pk).update(complaints_open=1)
    for tier in ("major", "potential_vip", "general"):
        other = make_customer(name=f"x-{tier}")
        Customer.objects.filter(pk=other.pk).update(value_tier=tier, complaints_open=1,
                                                    next_due=TODAY - dt.timedelta(days=400))
    refresh_churn(today=TODAY)
    assert list(Customer.objects.filter(churn_risk=True).values_list("pk", flat=True)) == [c.pk]
    Customer.objects.filter(pk=c.pk).update(value_tier="major")  # no longer a VIP
    assert refresh_churn(today=TODAY) == 0
    assert flags(c) == (False, [])


def test_pure_reasons_helper():
    assert churn_reasons(DEFAULTS, orders=0, recent_orders=0, tenure_days=10, next_due=TODAY, grade="B",
                         complaints_open=0, today=TODAY) == []


def test_reason_texts_are_readable_and_carry_the_settings(demo, make_customer):
    from django.utils import translation

    c = vip(make_customer)
    Customer.objects.filter(pk=c.pk).update(churn_risk=True, churn_reasons=["frequency_drop", "open_complaint"])
    c.refresh_from_db()
    with translation.override("en"):
        reasons = churn.reasons_for(c)
    assert [code for code, _t in reasons] == ["frequency_drop", "open_complaint"]
    assert "3 months" in reasons[0][1] and "50%" in reasons[0][1]
    assert reasons[1][1] == "Has an open complaint."


# -- the list and scale --------------------------------------------------------------------------


def test_at_risk_vips_within_scope(demo, make_customer):
    from kefu.org.services import ensure_shop

    other = ensure_shop(actor=None, centre=demo.centre, code="offline", name="线下店")  # served by no team
    demo.shops["offline"] = other
    mine = vip(make_customer, name="mine")
    hidden = vip(make_customer, name="hidden", owner="director1", shop="offline")
    calm = vip(make_customer, name="calm")
    Customer.objects.filter(pk__in=[mine.pk, hidden.pk]).update(complaints_open=1)
    refresh_churn(today=TODAY)
    assert [c.name for c in at_risk_vips(demo.users["agent1"])] == ["mine"]
    assert {c.name for c in at_risk_vips(demo.users["director1"])} == {"mine", "hidden"}
    assert calm.name not in {c.name for c in at_risk_vips(demo.users["director1"])}


def test_refresh_queries_do_not_grow_with_customers(demo):
    from kefu.rules.selectors import get_rule

    get_rule("customers.churn_recent_months")
    shop, owner = demo.shops["tmall"], demo.users["agent1"]

    def population(n, start):
        Customer.objects.all().delete()
        cs = Customer.objects.bulk_create([
            Customer(shop=shop, owner=owner, name=f"v{start + i}", grade="B", grade_proposed="B", value_tier="vip",
                     next_due=TODAY - dt.timedelta(days=i % 12), complaints_open=i % 2)
            for i in range(n)])
        Order.objects.bulk_create([Order(customer=c, shop=shop, date=TODAY - dt.timedelta(days=i), amount=1)
                                   for i, c in enumerate(cs)])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            refresh_churn(today=TODAY)
        return len(ctx.captured_queries)

    population(10, 0)
    small = count()
    population(100, 10)
    large = count()
    assert large == small, (small, large)
    assert Customer.objects.filter(churn_risk=True).count() > 50


@pytest.mark.parametrize("role", ["agent", "lead", "head", "director"])
def test_r_cus_8_churn_page_lists_the_at_risk_vips_with_their_reasons(demo, clients, make_customer, role,
                                                                        django_assert_max_num_queries):
    from django.urls import reverse

    for i in range(4):
        c = vip(make_customer, name=f"风险客户{i}")
        Customer.objects.filter(pk=c.pk).update(churn_risk=True, churn_reasons=["open_complaint"])
    safe = vip(make_customer, name="安全客户")
    client = clients(role)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("customers:churn"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "风险客户3" in html and "安全客户" not in html
    assert str(churn.reason_text("open_complaint")) in html
    assert safe.pk


def test_r_cus_8_churn_page_needs_login(client):
    from django.urls import reverse

    assert client.get(reverse("customers:churn")).status_code == 302
