"""日报 (R-KPI-2): one day of the covered teams — volumes by ticket type and channel, created/resolved/open at the
end of the day, stuck tickets (no action for ``tickets.stuck_hours``), difficult cases (escalated, supervised
督办, complaints), time-limit breaches, callbacks made, and who filed the 3E daily log (R-KPI-3)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from kefu.performance.reports.common import avg, bounds, local_time, open_at, team_tickets
from kefu.rules.selectors import get_rules

LIST_LIMIT = 100


def build(user, period, cover, *, progress) -> dict:
    from kefu.performance import selectors as logs
    from kefu.performance.models import DailyLog
    from kefu.tickets.choices import Status, TicketType
    from kefu.tickets.models import Callback, Escalation

    day = period.date_from
    start, end = bounds(day, day)
    teams = list(cover.team_ids)
    tickets = team_tickets(teams)
    hours = get_rules("tickets.stuck_hours", centre_id=user.centre_id)["tickets.stuck_hours"]

    created = Q(created_at__gte=start, created_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    open_end = open_at(end)
    breached = Q(resolution_due__gte=start, resolution_due__lt=end) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=F("resolution_due")))
    stuck = open_end & Q(last_action_at__lte=end - dt.timedelta(hours=hours)) & ~Q(status=Status.WAITING,
                                                                                    waiting_on="customer")
    # the day's escalations are few: their tickets by id (one query) rather than a subquery per ticket
    escalated_by_time = list(Escalation.objects.filter(ticket__owner__team_id__in=teams, at__gte=start, at__lt=end)
                             .values_list("ticket_id", "at"))
    escalated_ids = sorted({ticket_id for ticket_id, _at in escalated_by_time})
    escalated_today = Q(pk__in=escalated_ids)
    difficult = escalated_today | (Q(supervised=True) & (created | open_end)) | (
        Q(type=TicketType.COMPLAINT) & created)
    counters = {
        "created": Count("id", filter=created), "resolved": Count("id", filter=resolved),
        "open_end": Count("id", filter=open_end),
    }
    progress(10)
    by_type = {r["type"]: r for r in tickets.filter(created | resolved | open_end).values("type")
               .annotate(**counters).order_by()}
    by_channel = {r["channel"]: r["n"] for r in tickets.filter(created).values("channel")
                  .annotate(n=Count("id")).order_by()}
    progress(30)
    per_team = {r["owner__team_id"]: r for r in tickets
                .filter(created | resolved | open_end | escalated_today
                        | Q(resolution_due__gte=start, resolution_due__lt=end))
                .values("owner__team_id")
                .annotate(**counters, stuck=Count("id", filter=stuck), escalated=Count("id", filter=escalated_today),
                          supervised=Count("id", filter=Q(supervised=True) & (created | open_end)),
                          complaints=Count("id", filter=Q(type=TicketType.COMPLAINT) & created),
                          breaches=Count("id", filter=breached))
                .order_by()}
    callbacks = {r["ticket__owner__team_id"]: r for r in Callback.objects.filter(
        ticket__owner__team_id__in=teams, done_at__gte=start, done_at__lt=end).values("ticket__owner__team_id")
        .annotate(n=Count("id"), csat=Avg("satisfaction")).order_by()}
    progress(50)
    stuck_rows = [_ticket_row(t) for t in tickets.filter(stuck).select_related("owner").order_by("last_action_at", "id")
                  [:LIST_LIMIT]]
    difficult_rows = []
    escalated_set = set(escalated_ids)
    for t in (tickets.filter(difficult).select_related("owner")
              .order_by("-escalation_level", "id")[:LIST_LIMIT]):
        row = _ticket_row(t)
        row["reason"] = ",".join(r for r, on in (("escalated", t.pk in escalated_set), ("supervised", t.supervised),
                                                 ("complaint", t.type == TicketType.COMPLAINT)) if on)
        difficult_rows.append(row)
    breach_rows = [_ticket_row(t) | {"resolution_due": local_time(t.resolution_due)}
                   for t in tickets.filter(breached).select_related("owner").order_by("resolution_due", "id")
                   [:LIST_LIMIT]]
    progress(70)
    missing = logs.missing(user, day, team_id=cover.team_id)
    missing = [p for p in missing if p.team_id in cover.names]
    filed = {r["person__team_id"]: r["n"] for r in DailyLog.objects.filter(date=day, person__team_id__in=teams)
             .values("person__team_id").annotate(n=Count("id")).order_by()}
    missing_by_team: dict[int, int] = {}
    for p in missing:
        missing_by_team[p.team_id] = missing_by_team.get(p.team_id, 0) + 1
    shift_rows, shift_chart = _by_shift(user, day, cover, tickets, escalated_day=escalated_by_time,
                                       stuck_hours=hours)
    progress(90)

    team_rows = []
    for pk in cover.team_ids:
        r = per_team.get(pk, {})
        cb = callbacks.get(pk, {})
        team_rows.append({"team": cover.names[pk], "created": r.get("created", 0), "resolved": r.get("resolved", 0),
                          "open_end": r.get("open_end", 0), "stuck": r.get("stuck", 0),
                          "escalated": r.get("escalated", 0), "supervised": r.get("supervised", 0),
                          "complaints": r.get("complaints", 0), "breaches": r.get("breaches", 0),
                          "callbacks": cb.get("n", 0), "csat": avg(cb.get("csat")),
                          "logs_filed": filed.get(pk, 0), "logs_missing": missing_by_team.get(pk, 0)})
    type_rows = [{"type": code, "created": by_type.get(code, {}).get("created", 0),
                  "resolved": by_type.get(code, {}).get("resolved", 0),
                  "open_end": by_type.get(code, {}).get("open_end", 0)} for code in TicketType.values]
    channel_rows = [{"channel": code, "created": by_channel.get(code, 0)} for code in _channels()]
    total = {k: sum(r[k] for r in team_rows) for k in ("created", "resolved", "open_end", "stuck", "escalated",
                                                       "supervised", "complaints", "breaches", "callbacks",
                                                       "logs_filed", "logs_missing")}
    return {
        "headline": total,
        "settings": {"stuck_hours": hours},
        "sections": [
            {"key": "by_team", "columns": list(team_rows[0]) if team_rows else ["team"], "rows": team_rows},
            {"key": "by_shift", "columns": shift_columns(), "rows": shift_rows},
            {"key": "by_type", "columns": ["type", "created", "resolved", "open_end"], "rows": type_rows},
            {"key": "by_channel", "columns": ["channel", "created"], "rows": channel_rows},
            {"key": "stuck", "columns": TICKET_COLUMNS, "rows": stuck_rows},
            {"key": "difficult", "columns": [*TICKET_COLUMNS, "reason"], "rows": difficult_rows},
            {"key": "breaches", "columns": [*TICKET_COLUMNS, "resolution_due"], "rows": breach_rows},
            {"key": "logs_missing", "columns": ["team", "username", "name"],
             "rows": [{"team": cover.names.get(p.team_id, ""), "username": p.username, "name": str(p)}
                      for p in missing]},
        ],
        "charts": {
            "types": {"labels": [r["type"] for r in type_rows], "created": [r["created"] for r in type_rows],
                      "resolved": [r["resolved"] for r in type_rows]},
            "channels": {"labels": [r["channel"] for r in channel_rows],
                         "created": [r["created"] for r in channel_rows]},
            "shifts": shift_chart,
        },
    }


TICKET_COLUMNS = ["number", "title", "type", "status", "owner", "last_action_at"]


def _ticket_row(t) -> dict:
    return {"number": t.number, "title": t.title, "type": t.type, "status": t.status,
            "owner": str(t.owner) if t.owner_id else "", "last_action_at": local_time(t.last_action_at)}


def _channels():
    from kefu.tickets.choices import Channel

    return Channel.values


# -- per shift (R-KPI-2 "Daily report per shift/team") ------------------------------------------------------

def _type_codes() -> list[str]:
    from kefu.tickets.choices import TicketType

    return list(TicketType.values)


def shift_columns() -> list[str]:
    return ["team", "shift", "hours", "people", "created", *[f"type:{c}" for c in _type_codes()], "stuck",
            "difficult"]


def _by_shift(user, day, cover, tickets, *, escalated_day, stuck_hours) -> tuple[list[dict], dict]:
    """The day's shifts of the covered teams (published, not freed by leave; from the workforce's selectors),
    one row per team and shift hours: the people on it; the team's tickets created within the shift's hours, in
    all and by type; stuck tickets at the shift's end (open, no action for ``tickets.stuck_hours``, not waiting
    on the customer); difficult cases within its hours (escalated then, or created then as a complaint or
    supervised 督办). Overlapping shifts each count what falls in their hours. Three queries (four when a shift
    crosses midnight)."""
    from django.db.models.functions import TruncMinute

    from kefu.tickets.choices import Status, TicketType
    from kefu.workforce import selectors as workforce

    slots: dict[tuple, dict] = {}
    for shift in (workforce.shifts(user, date_from=day, date_to=day)
                  .filter(team_id__in=list(cover.team_ids), status="published", leave__isnull=True)):
        key = (shift.team_id, shift.start_at, shift.end_at, shift.shift_type.name if shift.shift_type_id
               else str(shift.get_kind_display()))
        slot = slots.setdefault(key, {"people": set()})
        slot["people"].add(shift.person_id)
    ordered = sorted(slots, key=lambda k: (cover.names.get(k[0], ""), k[1], k[2], k[3]))
    codes = _type_codes()
    if not ordered:
        return [], {"labels": [], "types": codes, "series": {c: [] for c in codes}}
    first, last = min(k[1] for k in ordered), max(k[2] for k in ordered)
    day_start, day_end = bounds(day, day)
    if first < day_start or last > day_end:  # a night shift: its escalations after midnight too (one more query)
        from kefu.tickets.models import Escalation

        escalated_day = list(Escalation.objects.filter(ticket__owner__team_id__in=list(cover.team_ids),
                                                       at__gte=first, at__lt=last).values_list("ticket_id", "at"))
    minute = TruncMinute("created_at", tzinfo=timezone.get_default_timezone())
    created = [(r["owner__team_id"], r["type"], r["m"], r["n"]) for r in tickets
               .filter(created_at__gte=first, created_at__lt=last).annotate(m=minute)
               .values("owner__team_id", "type", "m").annotate(n=Count("id")).order_by()]
    # difficult: escalated within the hours, or created within them as a complaint or supervised
    hard_created = list(tickets.filter(created_at__gte=first, created_at__lt=last)
                        .filter(Q(type=TicketType.COMPLAINT) | Q(supervised=True))
                        .values_list("pk", "owner__team_id", "created_at"))
    team_of_escalated = dict(tickets.filter(pk__in=[t for t, _a in escalated_day]).values_list("pk", "owner__team_id"))
    stuck_filters = {}
    for i, (team_id, _start, end, _name) in enumerate(ordered):
        stuck_filters[f"s{i}"] = Count("id", filter=Q(owner__team_id=team_id) & open_at(end)
                                       & Q(last_action_at__lte=end - dt.timedelta(hours=stuck_hours))
                                       & ~Q(status=Status.WAITING, waiting_on="customer"))
    stuck = tickets.filter(created_at__lt=last).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=first)).aggregate(**stuck_filters)

    rows = []
    for i, key in enumerate(ordered):
        team_id, start, end, name = key
        by_type = dict.fromkeys(codes, 0)
        for t_team, t_type, m, n in created:
            if t_team == team_id and start <= m < end:
                by_type[t_type] = by_type.get(t_type, 0) + n
        hard = {pk for pk, t_team, at in hard_created if t_team == team_id and start <= at < end}
        hard |= {t for t, at in escalated_day if team_of_escalated.get(t) == team_id and start <= at < end}
        rows.append({"team": cover.names.get(team_id, ""), "shift": name,
                     "hours": f"{timezone.localtime(start):%H:%M}–{timezone.localtime(end):%H:%M}",
                     "people": len(slots[key]["people"]), "created": sum(by_type.values()),
                     **{f"type:{c}": by_type[c] for c in codes}, "stuck": stuck[f"s{i}"] or 0,
                     "difficult": len(hard)})
    chart = {"labels": [f"{r['team']} {r['shift']} {r['hours']}" for r in rows], "types": codes,
             "series": {c: [r[f"type:{c}"] for r in rows] for c in codes},
             "stuck": [r["stuck"] for r in rows], "difficult": [r["difficult"] for r in rows]}
    return rows, chart

