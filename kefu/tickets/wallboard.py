"""Ticket figures of the department's live wallboard (大屏): reads only, within the viewer's scope (a lead: the
team's tickets and the unassigned ones of their shops), one query per figure."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from kefu.org.roles import Role
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES, TicketType
from kefu.tickets.models import Callback, Ticket


def is_team_lead_only(user) -> bool:
    return user.has_role(Role.LEAD) and not (user.is_superuser or user.has_role(Role.HEAD, Role.DIRECTOR, Role.ADMIN))


def board_tickets(user) -> QuerySet[Ticket]:
    """The tickets the wallboard counts: the scope's; for a lead, their team's and the unassigned ones."""
    tickets = tickets_in_scope(user)
    if is_team_lead_only(user):
        tickets = tickets.filter(Q(owner__team_id=user.team_id) | Q(owner__isnull=True))
    return tickets


def contacts_by_hour(user, *, now: dt.datetime, tz: dt.tzinfo | None = None) -> dict:
    """Contacts (tickets created; merged ones counted once, in the survivor) per local hour of today and of the
    same weekday last week, and each day's total up to the same time of day. One GROUP BY query."""
    tz = tz or timezone.get_default_timezone()
    local = timezone.localtime(now, tz)
    today = timezone.make_aware(dt.datetime.combine(local.date(), dt.time.min), tz)
    week_ago = timezone.make_aware(dt.datetime.combine(local.date() - dt.timedelta(days=7), dt.time.min), tz)
    same_time = now - dt.timedelta(days=7)
    rows = (board_tickets(user)
            .filter(Q(created_at__gte=today, created_at__lt=now)
                    | Q(created_at__gte=week_ago, created_at__lt=week_ago + dt.timedelta(days=1)),
                    merged_into__isnull=True)
            .annotate(hour=TruncHour("created_at", tzinfo=tz)).values("hour")
            .annotate(n=Count("id"), before=Count("id", filter=Q(created_at__lt=same_time)))
            .order_by())
    hours = {"today": [0] * 24, "last_week": [0] * 24}
    so_far = {"today": 0, "last_week": 0}
    for row in rows:
        hour = timezone.localtime(row["hour"], tz)
        day = "today" if hour.date() == local.date() else "last_week"
        hours[day][hour.hour] += row["n"]
        so_far[day] += row["n"] if day == "today" else row["before"]
    return {"hours": hours, "so_far": so_far}


def open_counts(user) -> dict[str, int]:
    """Open tickets, the unassigned ones, those near (warning) and past (breached) their time limit. One query."""
    return board_tickets(user).filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("id"), unassigned=Count("id", filter=Q(owner__isnull=True)),
        warning=Count("id", filter=Q(sla_state="warning")), breached=Count("id", filter=Q(sla_state="breached")))


def complaint_causes(user, *, week_start: dt.datetime, today_start: dt.datetime, end: dt.datetime,
                     limit: int = 5) -> list[dict]:
    """The top root causes of the complaints created this week, with today's count of each. One query."""
    rows = (board_tickets(user)
            .filter(type=TicketType.COMPLAINT, created_at__gte=week_start, created_at__lt=end,
                    merged_into__isnull=True)
            .values("root_cause")
            .annotate(week=Count("id"), today=Count("id", filter=Q(created_at__gte=today_start)))
            .order_by("-week", "-today", "root_cause")[:limit])
    return [{"cause": r["root_cause"], "today": r["today"], "week": r["week"]} for r in rows]


def csat(user, *, start: dt.datetime, end: dt.datetime) -> dict:
    """Satisfaction (1–5) of the callbacks made in [start, end) on the board's tickets: the average and how many.
    One query."""
    result = Callback.objects.filter(done_at__gte=start, done_at__lt=end, satisfaction__isnull=False,
                                     ticket__in=board_tickets(user).values("pk")).aggregate(
        avg=Avg("satisfaction"), n=Count("id"))
    return {"average": round(float(result["avg"]), 2) if result["avg"] is not None else None, "callbacks": result["n"]}


def open_per_owner(user, owner_ids) -> dict[int, int]:
    """Open tickets per owner (of ``owner_ids``, within scope): a lead's workload table. One GROUP BY query."""
    rows = (tickets_in_scope(user).filter(owner_id__in=list(owner_ids), status__in=OPEN_STATUSES)
            .values("owner_id").annotate(n=Count("id")).order_by())
    return {r["owner_id"]: r["n"] for r in rows}


def breaches_between(user, *, start: dt.datetime, end: dt.datetime) -> int:
    """Tickets whose resolution time limit fell in [start, end) and was missed: still unresolved, or resolved
    after it (the day's breaches). One query."""
    return (board_tickets(user).filter(resolution_due__gte=start, resolution_due__lt=end)
            .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("resolution_due")))
            .filter(merged_into__isnull=True).count())
