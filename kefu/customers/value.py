"""Customer value 客户价值 and value tiers (R-CUS-7).

Factors (per customer, as of ``today``)
    ``tenure``      days since the relationship began: the earlier of the day the customer was created
                    and the date of its first order (imported customers bring older orders along);
    ``spend``       total amount of its orders;
    ``purchases``   number of its orders;
    ``frequency``   purchases per month of tenure (a month is 30 days; tenures under a month count as one);
    ``items``       number of distinct item names over all its orders (``Order.items``: a JSON list of names);
    ``referrals``   customers it referred (老带新: customers whose ``referred_by`` is this one);
    ``campaigns``   campaign participations (``CampaignEntry`` rows);
    ``complaints``  complaints and feedback (``Customer.complaints_total``).

Orders dated after ``today`` are not counted. Each factor is scaled to 0–1 by dividing by its maximum
over the population (0 when that maximum is 0), and the score is Σ weight × scaled factor with the
weights of the settings ``customers.value_weight.*`` (the complaints weight is negative by default).
Scores are rounded to 6 decimals so equal inputs give exactly equal scores.

Population
    All customers of one centre's shops (owned or in the pool); each centre is computed with its own
    settings. Without ``centre_id``, every centre is computed in turn.

Tiers — ranks, shares and ties
    Sort the population by score, highest first; N customers. For a cumulative share ``c`` percent the
    *cutoff* is the score of the customer at position ``ceil(N × c / 100)`` (1-based). A customer is

    * 大客户 ``vip`` when its score ≥ the cutoff of ``customers.vip_share_pct`` (default 20 %);
    * 主要 ``major`` when ≥ the cutoff of vip + ``customers.tier_share.major`` (default 20 + 30 = 50 %);
    * 普通 ``normal`` when ≥ the cutoff of vip + major + ``customers.tier_share.normal`` (default 80 %);
    * 一般 ``general`` otherwise.

    **Ties at a boundary are all included in the higher tier**, so a tier can hold more than its share:
    with 10 customers and a 20 % VIP share the cutoff is the 2nd best score; if the 2nd, 3rd and 4th
    share it, four customers (40 %) are VIPs. Without ties the VIP group is exactly ``ceil(N × share)``.
    Cumulative shares above 100 % are taken as 100 %. **A score ≤ 0 is always ``general``** (a customer
    with nothing to its name is never a VIP, even when most of the population has nothing either).

潜在大客户 ``potential_vip``
    A prospect (deal status prospect or negotiating) with no orders and an expected deal amount whose
    score — counting the expected amount as its spend, one purchase, and that purchase's frequency
    over its tenure — would be ≥ the VIP cutoff (and > 0). The hypothetical factors are scaled with the
    population's maxima, capped at 1 (an expected amount above the largest spend counts as the largest;
    with no spend in the population at all, any positive amount counts as 1). This tier replaces the
    score-based one; its ``value_score`` stays the actual score.

Efficiency
    :func:`recompute_values` reads customers in id-ordered chunks of :data:`CHUNK` with five grouped
    queries per chunk (customers, order totals, order items, referrals, campaigns), keeps the raw factors
    in compact arrays (≈ 80 bytes per customer), and writes only changed rows with ``bulk_update``
    (``batch_size=2000``) — the number of queries grows with chunks, never with customers.

On demand
    :func:`recompute_value_for` recomputes one customer against the maxima and cutoffs of the last full
    run of its centre (kept in the Django cache for :data:`STATS_SECONDS`). When they are not cached the
    whole centre is recomputed instead. The nightly job reconciles any drift.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.customers.choices import DealStatus, ValueTier
from kefu.customers.grading import DAYS_PER_MONTH
from kefu.customers.models import CampaignEntry, Customer, Order
from kefu.rules.selectors import get_rule

FACTORS = ("tenure", "spend", "purchases", "frequency", "items", "referrals", "campaigns", "complaints")
CHUNK = 2000
BATCH_SIZE = 2000
SCORE_DIGITS = 6
STATS_SECONDS = 3 * 24 * 3600
PROSPECT_STATUSES = (DealStatus.PROSPECT, DealStatus.NEGOTIATING)


# -- pure rules: ranks, cutoffs, tiers -------------------------------------------------------------------


@dataclass(frozen=True)
class Cutoffs:
    """The lowest score of each tier (ties included); ``None`` when the population is empty."""

    vip: float | None
    major: float | None
    normal: float | None


def _position(n: int, pct: int) -> int:
    """``ceil(n × pct / 100)`` in integers, ``pct`` clamped to 0–100."""
    pct = max(0, min(100, pct))
    return (n * pct + 99) // 100


def tier_cutoffs(scores_desc: Sequence[float], *, vip_pct: int, major_pct: int, normal_pct: int) -> Cutoffs:
    """The cutoffs for scores sorted highest first (see the module docstring)."""
    n = len(scores_desc)

    def at(cumulative: int) -> float | None:
        pos = _position(n, cumulative)
        return scores_desc[pos - 1] if pos else None

    return Cutoffs(vip=at(vip_pct), major=at(vip_pct + major_pct), normal=at(vip_pct + major_pct + normal_pct))


def tier_for(score: float, cutoffs: Cutoffs) -> str:
    """The tier of ``score`` (ties at a cutoff belong to the higher tier; ≤ 0 is always general)."""
    if score <= 0:
        return ValueTier.GENERAL
    if cutoffs.vip is not None and score >= cutoffs.vip:
        return ValueTier.VIP
    if cutoffs.major is not None and score >= cutoffs.major:
        return ValueTier.MAJOR
    if cutoffs.normal is not None and score >= cutoffs.normal:
        return ValueTier.NORMAL
    return ValueTier.GENERAL


def assign_tiers(scores: Sequence[float], *, vip_pct: int, major_pct: int, normal_pct: int) -> list[str]:
    """Tiers of ``scores`` in the same order (the pure form of what :func:`recompute_values` stores)."""
    cutoffs = tier_cutoffs(sorted(scores, reverse=True), vip_pct=vip_pct, major_pct=major_pct,
                           normal_pct=normal_pct)
    return [tier_for(s, cutoffs) for s in scores]


def scale(value: float, maximum: float) -> float:
    """A factor scaled to 0–1 by the population maximum (0 when the maximum is 0)."""
    return value / maximum if maximum > 0 else 0.0


def scale_hypothetical(value: float, maximum: float) -> float:
    """A potential-VIP factor: scaled like the others but capped at 1; any positive value is the maximum
    when the population has none."""
    if maximum > 0:
        return min(1.0, value / maximum)
    return 1.0 if value > 0 else 0.0


def score_of(scaled: Sequence[float], weights: Sequence[float]) -> float:
    return round(sum(w * s for w, s in zip(weights, scaled, strict=True)), SCORE_DIGITS)


def frequency(purchases: int, tenure_days: int) -> float:
    """Purchases per month of tenure; a tenure under one month counts as one month."""
    return purchases / max(1.0, tenure_days / DAYS_PER_MONTH)


def distinct_item_names(item_lists: Iterable[Any]) -> set[str]:
    """Item names of orders' ``items`` (lists of names; dicts with a ``name`` are tolerated)."""
    names: set[str] = set()
    for items in item_lists:
        if not isinstance(items, list):
            continue
        for item in items:
            name = item.get("name") if isinstance(item, dict) else item
            name = str(name).strip() if name is not None else ""
            if name:
                names.add(name)
    return names


def weights_for(centre_id: int | None) -> tuple[float, ...]:
    return tuple(float(get_rule(f"customers.value_weight.{f}", centre_id=centre_id)) for f in FACTORS)


def shares_for(centre_id: int | None) -> dict[str, int]:
    return {
        "vip_pct": get_rule("customers.vip_share_pct", centre_id=centre_id),
        "major_pct": get_rule("customers.tier_share.major", centre_id=centre_id),
        "normal_pct": get_rule("customers.tier_share.normal", centre_id=centre_id),
    }


# -- reading the factors ---------------------------------------------------------------------------------


@dataclass
class RawRow:
    pk: int
    factors: tuple[float, ...]  # in FACTORS order, unscaled
    tenure_days: int
    old_score: float
    old_tier: str
    prospect_amount: float  # > 0 only for a potential-VIP candidate (prospect, no orders, expected amount)


_ROW_FIELDS = ("pk", "created_at", "complaints_total", "deal_status", "expected_amount", "value_score", "value_tier")


def _raw_rows(rows: list[tuple], today: dt.date) -> list[RawRow]:
    """The raw factors of one chunk of customers (``_ROW_FIELDS`` tuples): four grouped queries."""
    ids = [r[0] for r in rows]
    orders = Order.objects.filter(customer_id__in=ids, date__lte=today)
    totals = {
        cid: (n, spend or Decimal(0), first)
        for cid, n, spend, first in orders.order_by().values("customer_id")
        .annotate(n=Count("id"), spend=Sum("amount"), first=Min("date"))
        .values_list("customer_id", "n", "spend", "first")
    }
    items: dict[int, list[Any]] = {}
    for cid, order_items in orders.values_list("customer_id", "items"):
        if order_items:
            items.setdefault(cid, []).append(order_items)
    referrals = dict(
        Customer.objects.filter(referred_by_id__in=ids).order_by().values("referred_by_id")
        .annotate(n=Count("id")).values_list("referred_by_id", "n")
    )
    campaigns = dict(
        CampaignEntry.objects.filter(customer_id__in=ids).order_by().values("customer_id")
        .annotate(n=Count("id")).values_list("customer_id", "n")
    )
    out = []
    for pk, created_at, complaints, deal_status, expected, old_score, old_tier in rows:
        n, spend, first = totals.get(pk, (0, Decimal(0), None))
        start = timezone.localdate(created_at) if created_at else today
        if first is not None and first < start:
            start = first
        tenure = max(0, (today - start).days)
        factors = (
            float(tenure), float(spend), float(n), frequency(n, tenure),
            float(len(distinct_item_names(items.get(pk, ())))), float(referrals.get(pk, 0)),
            float(campaigns.get(pk, 0)), float(complaints),
        )
        prospect = (float(expected) if deal_status in PROSPECT_STATUSES and n == 0 and expected and expected > 0
                    else 0.0)
        out.append(RawRow(pk, factors, tenure, old_score, old_tier, prospect))
    return out


def _chunks(qs) -> Iterable[list[tuple]]:
    """``_ROW_FIELDS`` tuples of ``qs`` in id order, CHUNK at a time (keyset pagination)."""
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list(*_ROW_FIELDS)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def hypothetical_score(row: RawRow, maxima: Sequence[float], weights: Sequence[float]) -> float:
    """The score a potential-VIP candidate would have with its expected amount as one purchase."""
    factors = list(row.factors)
    factors[FACTORS.index("spend")] = row.prospect_amount
    factors[FACTORS.index("purchases")] = 1.0
    factors[FACTORS.index("frequency")] = frequency(1, row.tenure_days)
    return score_of([scale_hypothetical(v, m) for v, m in zip(factors, maxima, strict=True)], weights)


def _final_tier(score: float, row: RawRow, cutoffs: Cutoffs, maxima, weights) -> str:
    tier = tier_for(score, cutoffs)
    if tier != ValueTier.VIP and row.prospect_amount > 0:
        hypothetical = hypothetical_score(row, maxima, weights)
        if hypothetical > 0 and (cutoffs.vip is None or hypothetical >= cutoffs.vip):
            return ValueTier.POTENTIAL_VIP
    return tier


def _stats_key(centre_id: int | None) -> str:
    return f"kefu:customers:value-stats:{centre_id}"


def _centre_ids() -> list[int]:
    shop_model = Customer._meta.get_field("shop").related_model
    return list(shop_model.objects.order_by().values_list("centre_id", flat=True).distinct())


# -- the jobs ------------------------------------------------------------------------------------------


def recompute_values(*, centre_id: int | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Recompute every customer's score and tier (nightly, and on demand for a whole centre).

    Returns counts: ``customers``, ``updated`` (rows whose score or tier changed), one per tier, and the
    ``cutoffs`` used (per centre when several centres were computed).
    """
    today = today or timezone.localdate()
    if centre_id is None:
        total: dict[str, Any] = {"customers": 0, "updated": 0, **{t.value: 0 for t in ValueTier}, "cutoffs": {}}
        for c in _centre_ids():
            for key, value in recompute_values(centre_id=c, today=today).items():
                if key == "cutoffs":
                    total["cutoffs"][c] = value
                else:
                    total[key] += value
        return total

    weights = weights_for(centre_id)
    shares = shares_for(centre_id)
    qs = Customer.objects.filter(shop__centre_id=centre_id)

    ids = array("q")
    factors = [array("d") for _f in FACTORS]
    old_scores = array("d")
    old_tiers: list[str] = []
    prospects: dict[int, RawRow] = {}  # index → row, only potential-VIP candidates
    for rows in _chunks(qs):
        for row in _raw_rows(rows, today):
            if row.prospect_amount > 0:
                prospects[len(ids)] = row
            ids.append(row.pk)
            for column, value in zip(factors, row.factors, strict=True):
                column.append(value)
            old_scores.append(row.old_score)
            old_tiers.append(row.old_tier)

    n = len(ids)
    maxima = [max(column) if n else 0.0 for column in factors]
    scores = array("d", (
        score_of([scale(column[i], maxima[f]) for f, column in enumerate(factors)], weights) for i in range(n)
    ))
    cutoffs = tier_cutoffs(sorted(scores, reverse=True), **shares)

    counts = {t.value: 0 for t in ValueTier}
    changed: list[Customer] = []
    updated = 0
    for i in range(n):
        row = prospects.get(i)
        tier = (_final_tier(scores[i], row, cutoffs, maxima, weights) if row is not None
                else tier_for(scores[i], cutoffs))
        counts[tier] += 1
        if scores[i] != old_scores[i] or tier != old_tiers[i]:
            changed.append(Customer(pk=ids[i], value_score=scores[i], value_tier=tier))
        if len(changed) >= BATCH_SIZE:
            Customer.objects.bulk_update(changed, ["value_score", "value_tier"], batch_size=BATCH_SIZE)
            updated += len(changed)
            changed = []
    if changed:
        Customer.objects.bulk_update(changed, ["value_score", "value_tier"], batch_size=BATCH_SIZE)
        updated += len(changed)

    cache.set(_stats_key(centre_id), {"maxima": maxima, "cutoffs": asdict(cutoffs), "population": n,
                                      "computed_on": today.isoformat()}, STATS_SECONDS)
    return {"customers": n, "updated": updated, **counts, "cutoffs": asdict(cutoffs)}


def recompute_value_for(customer_id: int, *, today: dt.date | None = None) -> Customer:
    """Recompute one customer (e.g. after an order was added) against its centre's last full run.

    Factors above the cached maxima count as 1. Without cached statistics the whole centre is
    recomputed. Returns the customer with its new ``value_score`` and ``value_tier``.
    """
    today = today or timezone.localdate()
    customer = Customer.objects.select_related("shop").get(pk=customer_id)
    centre_id = customer.shop.centre_id
    stats = cache.get(_stats_key(centre_id))
    if stats is None:
        recompute_values(centre_id=centre_id, today=today)
        customer.refresh_from_db(fields=["value_score", "value_tier"])
        return customer
    weights = weights_for(centre_id)
    maxima = stats["maxima"]
    cutoffs = Cutoffs(**stats["cutoffs"])
    row = _raw_rows([tuple(getattr(customer, f) for f in _ROW_FIELDS)], today)[0]
    score = score_of([scale_hypothetical(v, m) if m > 0 else 0.0 for v, m in zip(row.factors, maxima, strict=True)],
                     weights)
    tier = _final_tier(score, row, cutoffs, maxima, weights)
    if score != customer.value_score or tier != customer.value_tier:
        Customer.objects.filter(pk=customer.pk).update(value_score=score, value_tier=tier)
        customer.value_score, customer.value_tier = score, tier
    return customer


def tier_counts(qs) -> dict[str, int]:
    """How many customers of ``qs`` are in each tier (for dashboards), one grouped query."""
    counts = {t.value: 0 for t in ValueTier}
    for tier, n in qs.order_by().values("value_tier").annotate(n=Count("id")).values_list("value_tier", "n"):
        counts[tier] = n
    return counts


@transaction.atomic
def request_recompute(*, actor) -> None:
    """On demand (R-CUS-7): a head, director or administrator asks for the centre's scores, tiers and churn
    flags now instead of at night. Audited; the Huey consumer does the work after the commit."""
    from kefu.audit.services import Action, record
    from kefu.core.errors import NotAllowed
    from kefu.org.roles import Role

    if not (actor.is_superuser or actor.has_role(Role.HEAD, Role.DIRECTOR, Role.ADMIN)):
        raise NotAllowed(_("Only heads, directors and administrators recompute customer values."))
    record(actor=actor, action=Action.UPDATE, object_type="customers.value", object_repr=_("Customer values"),
           note="recompute requested")

    def enqueue() -> None:
        from kefu.customers.tasks import recompute_values_now

        recompute_values_now(actor.centre_id)

    transaction.on_commit(enqueue)
