"""Shared pieces of the report builders: bounds, the tickets of the covered teams, rates and labels of choices."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from kefu.performance.kpi import bounds

__all__ = ["bounds", "by_day", "local_day", "rate", "team_tickets"]


def team_tickets(team_ids):
    from kefu.tickets.models import Ticket

    return Ticket.objects.filter(owner__team_id__in=list(team_ids))


def open_at(end: dt.datetime) -> Q:
    """Tickets created before ``end`` and neither resolved nor closed by then."""
    return (Q(created_at__lt=end) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)))


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def avg(value) -> float | None:
    return None if value is None else round(float(value), 2)


def by_day(field: str):
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def local_day(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).date().isoformat() if moment else None


def local_time(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None
