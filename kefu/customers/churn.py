"""Churn risk 流失风险 of VIPs (R-CUS-8): flags with a reason each, and the list of at-risk VIPs.

Only customers whose ``value_tier`` is VIP are checked (run :func:`kefu.customers.value.recompute_values`
first); a customer that stops being a VIP loses its flags at the next :func:`refresh_churn`.
A VIP is at risk when any of these holds; ``churn_reasons`` lists their codes in this order:

``frequency_drop``
    Its purchase frequency over the recent window — the last ``customers.churn_recent_months`` months
    of 30 days, i.e. orders dated in (today − window, today] — is *below* (strictly)
    ``customers.churn_frequency_share_pct`` percent of its own average monthly frequency over its whole
    tenure (orders ÷ months of tenure; tenure as in :mod:`kefu.customers.value`: from the earlier of
    creation and the first order). A customer without orders, or whose tenure is not longer than the
    window (there is no "before" to compare with), is not flagged. Compared exactly in integers:
    ``recent × 100 × tenure_days < share × orders × window_days``.
``followup_overdue``
    Its follow-up is overdue by *more than* ``customers.churn_overdue_cadences`` × the cadence of its
    grade: ``today − next_due > cadences × cadence`` (exactly one cadence overdue is not a flag).
    Customers in the pool count too — a VIP nobody follows up is at risk.
``open_complaint``
    It has an open complaint (``complaints_open > 0``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.customers.access import customers_in_scope
from kefu.customers.choices import ValueTier
from kefu.customers.grading import DAYS_PER_MONTH, load_rules
from kefu.customers.models import Customer, Order
from kefu.rules.selectors import get_rule

FREQUENCY_DROP = "frequency_drop"
FOLLOWUP_OVERDUE = "followup_overdue"
OPEN_COMPLAINT = "open_complaint"
REASON_CODES = (FREQUENCY_DROP, FOLLOWUP_OVERDUE, OPEN_COMPLAINT)
CHUNK = 2000


@dataclass(frozen=True)
class ChurnSettings:
    recent_months: int
    share_pct: int
    overdue_cadences: int
    cadence_days: dict[str, int]

    @property
    def window_days(self) -> int:
        return self.recent_months * DAYS_PER_MONTH


def load_settings(centre_id: int | None = None) -> ChurnSettings:
    return ChurnSettings(
        recent_months=get_rule("customers.churn_recent_months", centre_id=centre_id),
        share_pct=get_rule("customers.churn_frequency_share_pct", centre_id=centre_id),
        overdue_cadences=get_rule("customers.churn_overdue_cadences", centre_id=centre_id),
        cadence_days=load_rules(centre_id).cadence_days,
    )


def frequency_dropped(s: ChurnSettings, *, orders: int, recent_orders: int, tenure_days: int) -> bool:
    """Rule (a), exact: recent frequency strictly below the share of the customer's own average."""
    if orders == 0 or tenure_days <= s.window_days:
        return False
    return recent_orders * 100 * tenure_days < s.share_pct * orders * s.window_days


def followup_overdue(s: ChurnSettings, *, next_due: dt.date, grade: str, today: dt.date) -> bool:
    """Rule (b): overdue by strictly more than ``overdue_cadences`` cadences of the grade."""
    return (today - next_due).days > s.overdue_cadences * s.cadence_days[grade]


def churn_reasons(s: ChurnSettings, *, orders: int, recent_orders: int, tenure_days: int, next_due: dt.date,
                  grade: str, complaints_open: int, today: dt.date) -> list[str]:
    """The reason codes of one VIP, in :data:`REASON_CODES` order."""
    reasons = []
    if frequency_dropped(s, orders=orders, recent_orders=recent_orders, tenure_days=tenure_days):
        reasons.append(FREQUENCY_DROP)
    if followup_overdue(s, next_due=next_due, grade=grade, today=today):
        reasons.append(FOLLOWUP_OVERDUE)
    if complaints_open > 0:
        reasons.append(OPEN_COMPLAINT)
    return reasons


def reason_text(code: str, s: ChurnSettings | None = None) -> str:
    """The readable text of a reason code, with the numbers of the settings in force."""
    s = s or load_settings()
    if code == FREQUENCY_DROP:
        return _("Buys less often: purchase frequency in the last %(months)s months is below %(pct)s%% of its "
                 "own average.") % {"months": s.recent_months, "pct": s.share_pct}
    if code == FOLLOWUP_OVERDUE:
        return _("Follow-up overdue by more than %(n)s cadence(s) of its grade.") % {"n": s.overdue_cadences}
    if code == OPEN_COMPLAINT:
        return _("Has an open complaint.")
    return code


def reasons_for(customer: Customer, s: ChurnSettings | None = None) -> list[tuple[str, str]]:
    """``[(code, text), …]`` of a customer's stored churn reasons."""
    s = s or load_settings(getattr(customer.shop, "centre_id", None) if customer.shop_id else None)
    return [(code, reason_text(code, s)) for code in customer.churn_reasons or []]


def _centre_ids() -> list[int]:
    shop_model = Customer._meta.get_field("shop").related_model
    return list(shop_model.objects.order_by().values_list("centre_id", flat=True).distinct())


_FIELDS = ("pk", "value_tier", "created_at", "grade", "next_due", "complaints_open", "churn_risk", "churn_reasons")


def _refresh_centre(centre_id: int, today: dt.date) -> int:
    s = load_settings(centre_id)
    recent_from = today - dt.timedelta(days=s.window_days)  # orders after this day are recent
    qs = Customer.objects.filter(Q(value_tier=ValueTier.VIP) | Q(churn_risk=True), shop__centre_id=centre_id)
    flagged = 0
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list(*_FIELDS)[:CHUNK])
        if not rows:
            return flagged
        last = rows[-1][0]
        vip_ids = [r[0] for r in rows if r[1] == ValueTier.VIP]
        orders = {
            cid: (n, recent, first)
            for cid, n, recent, first in Order.objects.filter(customer_id__in=vip_ids, date__lte=today)
            .order_by().values("customer_id")
            .annotate(n=Count("id"), recent=Count("id", filter=Q(date__gt=recent_from)), first=Min("date"))
            .values_list("customer_id", "n", "recent", "first")
        }
        changed = []
        for pk, tier, created_at, grade, next_due, complaints_open, old_risk, old_reasons in rows:
            reasons: list[str] = []
            if tier == ValueTier.VIP:
                n, recent, first = orders.get(pk, (0, 0, None))
                start = timezone.localdate(created_at) if created_at else today
                if first is not None and first < start:
                    start = first
                reasons = churn_reasons(s, orders=n, recent_orders=recent, tenure_days=max(0, (today - start).days),
                                        next_due=next_due, grade=grade, complaints_open=complaints_open, today=today)
            flagged += bool(reasons)
            if bool(reasons) != old_risk or reasons != (old_reasons or []):
                changed.append(Customer(pk=pk, churn_risk=bool(reasons), churn_reasons=reasons))
        Customer.objects.bulk_update(changed, ["churn_risk", "churn_reasons"], batch_size=2000)


def refresh_churn(*, today: dt.date | None = None, centre_id: int | None = None) -> int:
    """Re-flag every VIP and clear the flags of customers that are no longer VIPs (nightly, after the
    value recompute). Returns how many customers are at risk now."""
    today = today or timezone.localdate()
    centres = [centre_id] if centre_id is not None else _centre_ids()
    return sum(_refresh_centre(c, today) for c in centres)


def at_risk_vips(user) -> QuerySet[Customer]:
    """The at-risk VIPs within the caller's scope, most valuable first."""
    return (customers_in_scope(user).filter(value_tier=ValueTier.VIP, churn_risk=True)
            .select_related("owner", "shop").order_by("-value_score", "id"))
