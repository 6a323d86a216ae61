"""周报 (R-KPI-2), an ISO week of the covered teams: supervised (督办) tickets, tickets handed over to other
departments (department tasks) and their state, feedback (complaints by root cause) and callbacks with the
satisfaction given — per team and per day of the week."""

from __future__ import annotations

from django.db.models import Avg, Count, F, Q

from kefu.performance.reports import days
from kefu.performance.reports.common import avg, bounds, by_day, local_time, rate, team_tickets

LIST_LIMIT = 100
NO_CAUSE = "—"


def build(user, period, cover, *, progress) -> dict:
    from kefu.tickets.choices import TicketType
    from kefu.tickets.models import Callback, DepartmentTask, TicketEvent

    start, end = bounds(period.date_from, period.date_to)
    teams = list(cover.team_ids)
    week = days(period)
    team_key = "ticket__owner__team_id"

    events = TicketEvent.objects.filter(ticket__owner__team_id__in=teams, kind="supervision", at__gte=start, at__lt=end)
    supervised_ids = set()
    sup_team: dict[int, set] = {}
    sup_day: dict = {}
    for ticket_id, team_id, day in events.annotate(day=by_day("at")).values_list("ticket_id", team_key, "day"):
        supervised_ids.add(ticket_id)
        sup_team.setdefault(team_id, set()).add(ticket_id)
        sup_day.setdefault(day, set()).add(ticket_id)
    supervised_rows = [{"number": t.number, "title": t.title, "team": cover.names.get(t.owner.team_id, ""),
                        "owner": str(t.owner), "status": t.status, "last_action_at": local_time(t.last_action_at)}
                       for t in team_tickets(teams).filter(pk__in=supervised_ids).select_related("owner")
                       .order_by("number")[:LIST_LIMIT]]
    progress(25)

    tasks = DepartmentTask.objects.filter(ticket__owner__team_id__in=teams, created_at__gte=start, created_at__lt=end)
    overdue = Q(done_at__gt=F("due")) | Q(done_at__isnull=True, due__lt=end)
    task_counts = {"open": Count("id", filter=Q(status="open")), "done": Count("id", filter=Q(status="done")),
                       "returned": Count("id", filter=Q(status="returned")), "overdue": Count("id", filter=overdue),
                       "n": Count("id")}
    by_department = [{"department": r["department__name"], "handed": r["n"], "open": r["open"], "done": r["done"],
                      "returned": r["returned"], "overdue": r["overdue"]}
                     for r in tasks.values("department__name").annotate(**task_counts).order_by("department__name")]
    tasks_team = {r[team_key]: r for r in tasks.values(team_key).annotate(**task_counts).order_by()}
    tasks_day = {r["day"]: r["n"] for r in tasks.annotate(day=by_day("created_at")).values("day")
                 .annotate(n=Count("id")).order_by()}
    progress(50)

    complaints = team_tickets(teams).filter(type=TicketType.COMPLAINT, created_at__gte=start, created_at__lt=end)
    causes = [{"root_cause": r["root_cause"] or NO_CAUSE, "complaints": r["n"]}
              for r in complaints.values("root_cause").annotate(n=Count("id")).order_by("-n", "root_cause")]
    compl_team = {r["owner__team_id"]: r["n"] for r in complaints.values("owner__team_id").annotate(n=Count("id"))
                  .order_by()}
    compl_day = {r["day"]: r["n"] for r in complaints.annotate(day=by_day("created_at")).values("day")
                 .annotate(n=Count("id")).order_by()}
    progress(70)

    callbacks = Callback.objects.filter(ticket__owner__team_id__in=teams)
    made = callbacks.filter(done_at__gte=start, done_at__lt=end)
    made_counts = {"n": Count("id"), "csat": Avg("satisfaction"), "rated": Count("id", filter=Q(satisfaction__isnull=False)),
                       "satisfied": Count("id", filter=Q(satisfaction__gte=4))}
    cb_team = {r[team_key]: r for r in made.values(team_key).annotate(**made_counts).order_by()}
    due_team = {r[team_key]: r for r in callbacks.filter(due__gte=start, due__lt=end).values(team_key)
                .annotate(n=Count("id"), made=Count("id", filter=Q(done_at__isnull=False))).order_by()}
    cb_day = {r["day"]: r for r in made.annotate(day=by_day("done_at")).values("day").annotate(**made_counts)
              .order_by()}
    progress(90)

    team_rows = []
    for pk in cover.team_ids:
        t, cb, due = tasks_team.get(pk, {}), cb_team.get(pk, {}), due_team.get(pk, {})
        team_rows.append({
            "team": cover.names[pk], "supervised": len(sup_team.get(pk, ())), "handed": t.get("n", 0),
            "handed_open": t.get("open", 0), "handed_done": t.get("done", 0), "handed_overdue": t.get("overdue", 0),
            "complaints": compl_team.get(pk, 0), "callbacks": cb.get("n", 0), "callbacks_due": due.get("n", 0),
            "callback_rate": rate(due.get("made", 0), due.get("n", 0)), "csat": avg(cb.get("csat")),
            "satisfied_rate": rate(cb.get("satisfied", 0), cb.get("rated", 0)),
        })
    day_rows = [{"day": d.isoformat(), "supervised": len(sup_day.get(d, ())), "handed": tasks_day.get(d, 0),
                 "complaints": compl_day.get(d, 0), "callbacks": cb_day.get(d, {}).get("n", 0),
                 "csat": avg(cb_day.get(d, {}).get("csat"))} for d in week]
    rated = sum(r.get("rated", 0) for r in cb_team.values())
    sat_sum = sum((r["csat"] or 0) * r["rated"] for r in cb_team.values() if r.get("csat") is not None)
    headline = {"supervised": len(supervised_ids), "handed": sum(r["handed"] for r in team_rows),
                "handed_open": sum(r["handed_open"] for r in team_rows),
                "handed_overdue": sum(r["handed_overdue"] for r in team_rows),
                "complaints": sum(r["complaints"] for r in team_rows),
                "callbacks": sum(r["callbacks"] for r in team_rows),
                "csat": avg(sat_sum / rated) if rated else None,
                "satisfied_rate": rate(sum(r.get("satisfied", 0) for r in cb_team.values()), rated)}
    return {
        "headline": headline,
        "sections": [
            {"key": "by_team", "columns": list(team_rows[0]) if team_rows else ["team"], "rows": team_rows},
            {"key": "by_day", "columns": ["day", "supervised", "handed", "complaints", "callbacks", "csat"],
             "rows": day_rows},
            {"key": "supervised", "columns": ["number", "title", "team", "owner", "status", "last_action_at"],
             "rows": supervised_rows},
            {"key": "handed", "columns": ["department", "handed", "open", "done", "returned", "overdue"],
             "rows": by_department},
            {"key": "causes", "columns": ["root_cause", "complaints"], "rows": causes},
        ],
        "charts": {
            "days": [r["day"] for r in day_rows],
            "series": {k: [r[k] for r in day_rows] for k in ("supervised", "handed", "complaints", "callbacks")},
            "causes": {"labels": [r["root_cause"] for r in causes], "values": [r["complaints"] for r in causes]},
        },
    }
