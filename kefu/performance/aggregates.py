"""Daily KPI aggregates (issue 12 "Aggregates"): one ``AgentDay`` row per day, agent and shop with the additive
counters of ``kpi.measure``, so a dashboard sums hundreds of rows instead of grouping millions of records.

How they are kept current — a frequent job plus "stale" marks, not a recount on every write:

* ``refresh_days(days)`` recomputes whole days for everyone from the raw records (``kpi.measure``, the same
  definitions as a recount) and replaces their rows in one transaction.
* The job ``performance.tasks.refresh_kpi`` runs every minute: it refreshes today (and yesterday during the first
  minutes after midnight) and every day marked stale. Ticket creation and other work of today fire nothing: the
  cost added to a write of today is nothing at all.
* A write that changes the figures of an EARLIER day (reopening a ticket resolved earlier, escalating it, a
  callback made for an older due, an appeal decision on an older review, a corrected violation …) fires
  ``hooks.KPI_DAYS_CHANGED`` with the day(s) it touched; after its commit ``mark_stale`` upserts
  ``KpiDay.stale`` — one small query.
* Reading (``kpi.compute``) calls ``ensure_fresh(date_from, date_to)`` first: the days of the period that were
  never computed, are stale, or were computed before they ended and more than
  ``performance.aggregate_max_age_seconds`` ago (today) are refreshed on the spot. So a dashboard is never older
  than that setting, and a test that writes records and then reads sees them.

Why not update counters on every write (on commit)? The figures of one ticket depend on other tables
(handover, escalation, reopening, callbacks), so an incremental update would duplicate every definition in
every writing app, and a missed path would drift for ever; a day recomputed from the raw records cannot drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.rules.registry import RuleDef, RuleType, register

MAX_AGE = "performance.aggregate_max_age_seconds"
register(RuleDef(key=MAX_AGE, type=RuleType.INT, default=60, min=5, max=3600, unit=_("seconds"), rule_id="R-KPI-1",
                 group="performance", label=_("KPI dashboards are at most this old (seconds)"),
                 help=_("Today's KPI figures are recomputed from the records when they are older than this; "
                        "earlier days are recomputed when a correction changes them.")))
# a write committed this long after midnight may still belong to the day before: yesterday stays "live" so long
LATE_COMMIT = dt.timedelta(minutes=5)
BATCH = 2000


def _day_end(day: dt.date) -> dt.datetime:
    from kefu.performance.kpi import bounds

    return bounds(day, day)[1]


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def refresh_days(days: Iterable[dt.date], *, unless_since: dt.datetime | None = None) -> int:
    """Recompute the aggregates of ``days`` for every agent from the raw records, replacing the days' rows in
    one transaction (the days' ``KpiDay`` rows are locked meanwhile, so two refreshes of a day never mix).
    Consecutive days are read together. With ``unless_since``, a day another refresh computed since that moment
    (while this one waited for the lock) is left as it is. Returns the number of rows written."""
    from kefu.performance.kpi import bounds, measure
    from kefu.performance.models import AgentDay, KpiDay

    wanted = sorted(set(days))
    if not wanted:
        return 0
    written = 0
    with transaction.atomic():
        KpiDay.objects.bulk_create([KpiDay(day=d, stale=True) for d in wanted], ignore_conflicts=True)
        locked = list(KpiDay.objects.select_for_update().filter(day__in=wanted).order_by("day"))
        if unless_since is not None:
            done = {k.day for k in locked if not k.stale and k.computed_at is not None and k.computed_at >= unless_since}
            wanted = [d for d in wanted if d not in done]
        now = timezone.now()
        for first, last in _runs(wanted):
            start, end = bounds(first, last)
            counters = measure(start, end)
            AgentDay.objects.filter(day__gte=first, day__lte=last).delete()
            rows = [AgentDay(day=d, agent_id=agent_id, shop_id=shop_id, **values)
                    for (d, agent_id, shop_id), values in stored(counters).items()]
            AgentDay.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
        KpiDay.objects.filter(day__in=wanted).update(computed_at=now, stale=False)
    return written


def stored(counters: dict[tuple, dict[str, int]]) -> dict[tuple, dict[str, int]]:
    """The rows kept for ``kpi.measure``'s counters: one per (day, agent, shop) for the shops' figures, and one
    per (day, agent) with ``shop`` empty holding the agent's whole day (every shop, and the records of no shop:
    follow-ups, violations) — what the agent and team levels sum, a quarter of the rows."""
    from kefu.performance.kpi import COUNTERS

    out: dict[tuple, dict[str, int]] = {}
    for (d, agent_id, shop_id), values in counters.items():
        if shop_id is not None:
            out[d, agent_id, shop_id] = dict(values)
        total = out.setdefault((d, agent_id, None), dict.fromkeys(COUNTERS, 0))
        for name, value in values.items():
            total[name] += value
    return out


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days: [(first, last), …]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for d in days:
        if runs and runs[-1][1] + dt.timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _needs_refresh(day: dt.date, row, now: dt.datetime, max_age: dt.timedelta) -> bool:
    if row is None or row.stale or row.computed_at is None:
        return True
    if row.computed_at >= _day_end(day) + LATE_COMMIT:
        return False  # computed after the day was over: final until a correction marks it stale
    return now - row.computed_at > max_age


def ensure_fresh(date_from: dt.date, date_to: dt.date) -> dt.datetime | None:
    """Bring the aggregates of the period up to date (days after today have none) and return when the oldest
    of them was computed — what a page shows as "as of". One query when nothing needs doing."""
    from kefu.performance.models import KpiDay
    from kefu.rules.selectors import get_rule

    today = timezone.localdate()
    last = min(date_to, today)
    if last < date_from:
        return None
    now = timezone.now()
    max_age = dt.timedelta(seconds=get_rule(MAX_AGE))
    known = {k.day: k for k in KpiDay.objects.filter(day__gte=date_from, day__lte=last)}
    days = [date_from + dt.timedelta(days=i) for i in range((last - date_from).days + 1)]
    todo = [d for d in days if _needs_refresh(d, known.get(d), now, max_age)]
    if todo:
        refresh_days(todo, unless_since=now)
        return min([now, *(k.computed_at for d, k in known.items() if d not in todo and k.computed_at)])
    return min(k.computed_at for k in known.values())


def mark_stale(*, at: Iterable = ()) -> int:
    """Hook (``hooks.KPI_DAYS_CHANGED``, after the commit): the days of ``at`` (dates or times; ``None`` is
    skipped) must be recomputed. Today needs no mark (the job and the max age cover it)."""
    from kefu.performance.models import KpiDay

    today = timezone.localdate()
    days = {d for d in (_as_date(v) for v in at) if d is not None and d < today}
    if not days:
        return 0
    # in ascending order, the order ``refresh_days`` locks days in: a refresh of several days and a mark of
    # several never wait for each other crosswise (PostgreSQL would abort one: a lost mark leaves the day wrong)
    KpiDay.objects.bulk_create([KpiDay(day=d, stale=True) for d in sorted(days)], update_conflicts=True,
                               unique_fields=["day"], update_fields=["stale"])
    return len(days)


def refresh_current() -> list[dt.date]:
    """The job's work: today, yesterday while its last writes may still be committing, and the stale days."""
    from kefu.performance.models import KpiDay

    now = timezone.now()
    today = timezone.localdate(now)
    days = {today}
    yesterday = today - dt.timedelta(days=1)
    row = KpiDay.objects.filter(day=yesterday).first()
    if row is None or row.stale or row.computed_at is None or row.computed_at < _day_end(yesterday) + LATE_COMMIT:
        days.add(yesterday)
    days.update(KpiDay.objects.filter(stale=True, day__lt=today).values_list("day", flat=True))
    refresh_days(days)
    return sorted(days)


def connect() -> None:
    """Register the hook (``PerformanceConfig.ready``)."""
    from kefu.core import hooks

    hooks.register(hooks.KPI_DAYS_CHANGED, mark_stale)
