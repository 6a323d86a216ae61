"""Read-only aggregates of the ticket dashboard (SPEC §3: R-TIC-1 volume, R-TIC-4 time limits,
R-TIC-7 complaint root causes, R-TIC-8 callbacks), always within the caller's scope.

Who sees what: team leads, QA inspectors, department heads, centre directors and administrators see
the tickets of their scope (:func:`kefu.tickets.access.tickets_in_scope`); a person who is only an
agent sees the numbers of the tickets they own ("my numbers") — the same charts, for their own work.

Days are local days (Asia/Shanghai by default). A constant number of queries, whatever the volume.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kefu.org.roles import Role
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES, Channel, Status, TicketType, WaitingOn
from kefu.tickets.models import Callback, Ticket

MAX_DAYS = 366
DEFAULT_DAYS = 30


def own_numbers_only(user) -> bool:
    """A plain agent (no lead, QA, head, director or admin role) sees only their own tickets."""
    return not (user.is_superuser or user.has_role(Role.LEAD, Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN))


@dataclass(frozen=True)
class DashboardFilters:
    start: dt.date
    end: dt.date
    shop_id: int | None = None

    @classmethod
    def default(cls, today: dt.date | None = None) -> DashboardFilters:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=DEFAULT_DAYS - 1), end=today)


def scoped_tickets(user, *, shop_id: int | None = None) -> QuerySet[Ticket]:
    qs = tickets_in_scope(user)
    if own_numbers_only(user):
        qs = qs.filter(owner=user)
    if shop_id:
        qs = qs.filter(shop_id=shop_id)
    return qs


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _per_day(qs: QuerySet[Ticket], field: str, choices, days: list[dt.date]) -> list[dict]:
    """Tickets created per day split by ``field`` (type or channel): one series per value that occurs."""
    rows = (qs.annotate(day=TruncDate("created_at")).values("day", field).annotate(n=Count("id"))
            .order_by())
    counts: dict[str, dict[dt.date, int]] = {}
    for row in rows:
        counts.setdefault(row[field], {})[row["day"]] = row["n"]
    return [{"code": code, "name": str(label), "data": [counts[code].get(d, 0) for d in days]}
            for code, label in choices if code in counts]


def _pct(met: int, breached: int) -> float | None:
    total = met + breached
    return round(100 * met / total, 1) if total else None


def sla_per_day(qs: QuerySet[Ticket], days: list[dt.date], *, now: dt.datetime) -> dict:
    """R-TIC-4 compliance per day. First response: tickets created that day, met when answered by the
    due moment, breached when answered later or still unanswered after it (still running: not
    counted). Resolution: tickets resolved that day, met when resolved by the due moment."""
    start, end = days[0], days[-1]
    first_met = Q(first_responded_at__isnull=False, first_responded_at__lte=F("first_response_due"))
    first_breached = Q(first_responded_at__gt=F("first_response_due")) | Q(
        first_responded_at__isnull=True, first_response_due__lte=now)
    first = (qs.filter(created_at__date__range=(start, end)).annotate(day=TruncDate("created_at"))
             .values("day").annotate(met=Count("id", filter=first_met), breached=Count("id", filter=first_breached))
             .order_by())
    res_met = Q(resolution_due__isnull=True) | Q(resolved_at__lte=F("resolution_due"))
    resolution = (qs.filter(resolved_at__date__range=(start, end)).annotate(day=TruncDate("resolved_at"))
                  .values("day").annotate(met=Count("id", filter=res_met), breached=Count("id", filter=~res_met))
                  .order_by())
    first_by = {r["day"]: r for r in first}
    res_by = {r["day"]: r for r in resolution}

    def series(by: dict, key: str) -> list[int]:
        return [by[d][key] if d in by else 0 for d in days]

    out = {
        "first_met": series(first_by, "met"), "first_breached": series(first_by, "breached"),
        "resolution_met": series(res_by, "met"), "resolution_breached": series(res_by, "breached"),
    }
    out["first_pct"] = _pct(sum(out["first_met"]), sum(out["first_breached"]))
    out["resolution_pct"] = _pct(sum(out["resolution_met"]), sum(out["resolution_breached"]))
    return out


def root_causes(qs: QuerySet[Ticket]) -> list[dict]:
    """R-TIC-7: complaints by root-cause category, the largest first (unclassified ones named so)."""
    rows = (qs.filter(type=TicketType.COMPLAINT).values("root_cause").annotate(n=Count("id"))
            .order_by("-n", "root_cause"))
    return [{"name": r["root_cause"] or _("Not classified"), "value": r["n"]} for r in rows]


def _open_labels() -> list[tuple[str, str]]:
    """The parts of "open" (OPEN_STATUSES, waiting split by whom it waits on), as the chart shows them."""
    labels: list[tuple[str, str]] = []
    for status in OPEN_STATUSES:
        if status == Status.WAITING:
            labels += [(f"waiting_{WaitingOn.CUSTOMER}", _("Waiting on the customer")),
                       (f"waiting_{WaitingOn.DEPARTMENT}", _("Waiting on another department"))]
        else:
            labels.append((str(status), str(Status(status).label)))
    return labels


def open_meaning() -> str:
    """What "open" counts, in words for the page (the same OPEN_STATUSES as every count of open tickets)."""
    return _("Open = %(parts)s; resolved tickets not yet closed are not counted.") % {
        "parts": pgettext("list separator", ", ").join(str(label) for _code, label in _open_labels())}


def open_by_status(qs: QuerySet[Ticket]) -> list[dict]:
    """Open tickets now (OPEN_STATUSES: new, in progress, waiting on the customer / a department) by
    status; they add up to the "open now" figure. Resolved tickets waiting to be closed are not open."""
    rows = qs.filter(status__in=OPEN_STATUSES).values("status", "waiting_on").annotate(n=Count("id")).order_by()
    counts: dict[str, int] = {}
    for r in rows:
        key = f"waiting_{r['waiting_on'] or WaitingOn.CUSTOMER}" if r["status"] == Status.WAITING else r["status"]
        counts[key] = counts.get(key, 0) + r["n"]
    return [{"code": code, "name": str(label), "value": counts.get(code, 0)} for code, label in _open_labels()]


def dashboard_data(user, filters: DashboardFilters, *, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    days = _days(filters.start, filters.end)
    scoped = scoped_tickets(user, shop_id=filters.shop_id)
    created = scoped.filter(created_at__date__range=(filters.start, filters.end))
    sla = sla_per_day(scoped, days, now=now)
    open_now = Q(status__in=OPEN_STATUSES)
    headline = scoped.aggregate(open=Count("id", filter=open_now),
                                breached=Count("id", filter=open_now & Q(sla_state="breached")),
                                supervised=Count("id", filter=open_now & Q(supervised=True)),
                                resolved=Count("id", filter=Q(status=Status.RESOLVED)))
    totals = created.aggregate(created=Count("id"), complaints=Count("id", filter=Q(type=TicketType.COMPLAINT)))
    callbacks = Callback.objects.filter(ticket__in=scoped.values("pk"), done_at__date__range=(filters.start,
                                                                                               filters.end))
    cb = callbacks.aggregate(n=Count("id"), avg=Avg("satisfaction"), solved=Count("id", filter=Q(solved=True)))
    return {
        "own_only": own_numbers_only(user),
        "days": [d.isoformat() for d in days],
        "types": _per_day(created, "type", TicketType.choices, days),
        "channels": _per_day(created, "channel", Channel.choices, days),
        "sla": sla,
        "causes": root_causes(created),
        "open_by_status": open_by_status(scoped),
        "open_meaning": open_meaning(),
        "headline": {
            "created": totals["created"], "complaints": totals["complaints"], "open": headline["open"],
            "breached": headline["breached"], "supervised": headline["supervised"],
            "resolved_not_closed": headline["resolved"],
            "first_pct": sla["first_pct"], "resolution_pct": sla["resolution_pct"],
            "callbacks": cb["n"], "satisfaction": round(cb["avg"], 2) if cb["avg"] is not None else None,
            "solved_pct": round(100 * cb["solved"] / cb["n"], 1) if cb["n"] else None,
        },
        "labels": {
            "first_met": _("First response met"), "first_breached": _("First response breached"),
            "resolution_met": _("Resolution met"), "resolution_breached": _("Resolution breached"),
            "tickets": _("Tickets"),
        },
    }
