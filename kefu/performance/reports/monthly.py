"""月度服务质量分析 (R-KPI-2), due by ``performance.monthly_report_due_day`` of the following month: KPI per team
and agent for the month (``kefu.performance.kpi.compute``), the month against the previous one, the top complaint
causes, QA scores, CSAT and RATER survey results, attendance and violations."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q

from kefu.performance import kpi, scoring
from kefu.performance.reports import next_month
from kefu.performance.reports.common import avg, bounds, team_tickets
from kefu.rules.selectors import get_rules

TOP_CAUSES = 10
NO_CAUSE = "—"
HEADLINE = ("handled", "fcr_rate", "sla_rate", "callback_rate", "csat", "qa_score", "violations",
            "assessment_score")


def build(user, period, cover, *, progress) -> dict:
    from kefu.org.models import User
    from kefu.quality.models import Review
    from kefu.surveys import selectors as surveys
    from kefu.tickets.choices import TicketType
    from kefu.workforce.models import Attendance, Shift, Violation

    first, last = period.date_from, period.date_to
    prev_first = (first - dt.timedelta(days=1)).replace(day=1)
    prev_last = first - dt.timedelta(days=1)
    start, end = bounds(first, last)
    pstart, pend = bounds(prev_first, prev_last)
    teams = list(cover.team_ids)
    names = set(cover.names.values())

    # a snapshot recounts from the records (kpi.measure), whatever the state of the daily aggregates: the month
    # is measured once for its team and agent rows (2 M tickets: three recounts took 16–19 s)
    measured = kpi.measure(start, end)
    team_rows = [r for r in kpi.compute(user, level="team", date_from=first, date_to=last, recount=True,
                                        measured=measured)
                 if r.name in names]
    prev_rows = {r.name: r for r in kpi.compute(user, level="team", date_from=prev_first, date_to=prev_last,
                                                 recount=True)
                 if r.name in names}
    progress(30)
    members = set(User.objects.filter(team_id__in=teams).values_list("username", flat=True))
    team_of = dict(User.objects.filter(team_id__in=teams).values_list("username", "team__name"))
    agent_rows = [r for r in kpi.compute(user, level="agent", date_from=first, date_to=last, recount=True,
                                         measured=measured)
                  if r.key in members]
    progress(60)

    kpi_team = [{"team": r.name, **_kpi(r)} for r in team_rows]
    kpi_agent = [{"team": team_of.get(r.key, ""), "username": r.key, "name": r.name, **_kpi(r)} for r in agent_rows]
    compare = []
    for r in team_rows:
        p = prev_rows.get(r.name)
        for c in HEADLINE:
            now, before = getattr(r, c), getattr(p, c) if p else None
            compare.append({"team": r.name, "kpi": c, "month": now, "previous": before, "change": _delta(now, before)})
    month_total = _total(team_rows)
    prev_total = _total(list(prev_rows.values()))

    complaints = team_tickets(teams).filter(type=TicketType.COMPLAINT)
    this = {r["root_cause"] or NO_CAUSE: r["n"] for r in complaints.filter(created_at__gte=start, created_at__lt=end)
            .values("root_cause").annotate(n=Count("id")).order_by()}
    before = {r["root_cause"] or NO_CAUSE: r["n"] for r in complaints.filter(created_at__gte=pstart, created_at__lt=pend)
              .values("root_cause").annotate(n=Count("id")).order_by()}
    causes = [{"root_cause": c, "complaints": n, "previous": before.get(c, 0), "change": n - before.get(c, 0)}
              for c, n in sorted(this.items(), key=lambda i: (-i[1], i[0]))[:TOP_CAUSES]]

    reviews = Review.objects.filter(team_id__in=teams, created_at__gte=start, created_at__lt=end)
    qa = {r["team_id"]: r for r in reviews.values("team_id").annotate(
        n=Count("id"), score=Avg("score"), failed=Count("id", filter=Q(failed=True)),
        mystery=Count("id", filter=Q(mystery=True))).order_by()}
    qa_rows = [{"team": cover.names[pk], "reviews": qa.get(pk, {}).get("n", 0),
                "qa_score": avg(qa.get(pk, {}).get("score")), "failed": qa.get(pk, {}).get("failed", 0),
                "mystery": qa.get(pk, {}).get("mystery", 0)} for pk in teams]
    progress(75)

    # the covered teams only (a report of one team shows that team's satisfaction, not the department's)
    csat = surveys.csat_trend(user, today=last, months=6, teams=teams)
    rater = surveys.rater_trend(user, today=last, months=6, teams=teams)
    survey_rows = [{"month": m, "callbacks": csat["callbacks"][i], "csat": csat["avg"][i],
                    "satisfied_rate": csat["satisfied"][i], "rater_answers": rater["answers"][i],
                    **{f"rater_{s['code']}": s["data"][i] for s in rater["series"]}}
                   for i, m in enumerate(csat["months"])]

    shifts = Shift.objects.filter(team_id__in=teams, date__gte=first, date__lte=last, status="published",
                                  leave__isnull=True)
    planned = {r["team_id"]: r["n"] for r in shifts.values("team_id").annotate(n=Count("id")).order_by()}
    att = {r["shift__team_id"]: r for r in Attendance.objects.filter(shift__in=shifts).values("shift__team_id")
           .annotate(checked_in=Count("id", filter=Q(check_in_at__isnull=False)),
                     late=Count("id", filter=Q(late_minutes__gt=0)), absent=Count("id", filter=Q(absent=True)))
           .order_by()}
    viol = {}
    for team_id, kind, n in (Violation.objects.filter(person__team_id__in=teams, at__gte=start, at__lt=end)
                             .values_list("person__team_id", "kind").annotate(n=Count("id")).order_by()):
        viol.setdefault(team_id, {})[kind] = n
    attendance_rows = []
    for pk in teams:
        a, v = att.get(pk, {}), viol.get(pk, {})
        attendance_rows.append({"team": cover.names[pk], "shifts": planned.get(pk, 0),
                                "checked_in": a.get("checked_in", 0), "late": a.get("late", 0),
                                "absent": a.get("absent", 0), "violations_late": v.get("late", 0),
                                "violations_away": v.get("away", 0), "violations_absence": v.get("absence", 0),
                                "violations_other": v.get("other", 0), "violations": sum(v.values())})
    progress(90)

    due_day = get_rules("performance.monthly_report_due_day", centre_id=user.centre_id)[
        "performance.monthly_report_due_day"]
    headline = {**month_total, "complaints": sum(this.values()),
                "qa_reviews": sum(r["reviews"] for r in qa_rows)}
    kpi_columns = ["team", *kpi.COLUMNS]
    return {
        "headline": headline,
        "previous": {**prev_total, "complaints": sum(before.values())},
        "due": next_month(first).replace(day=due_day).isoformat(),
        # the assessment weights the month's scores were computed with (the version in force on its first day);
        # a snapshot keeps them as they were
        "weights": scoring.weights_on(first).as_dict(),
        "sections": [
            {"key": "kpi_team", "columns": kpi_columns, "rows": kpi_team},
            {"key": "kpi_agent", "columns": ["team", "username", "name", *kpi.COLUMNS], "rows": kpi_agent},
            {"key": "compare", "columns": ["team", "kpi", "month", "previous", "change"], "rows": compare},
            {"key": "causes", "columns": ["root_cause", "complaints", "previous", "change"], "rows": causes},
            {"key": "qa", "columns": ["team", "reviews", "qa_score", "failed", "mystery"], "rows": qa_rows},
            {"key": "surveys", "columns": list(survey_rows[0]) if survey_rows else ["month"], "rows": survey_rows},
            {"key": "attendance", "columns": list(attendance_rows[0]) if attendance_rows else ["team"],
             "rows": attendance_rows},
        ],
        "charts": {
            "teams": [r["team"] for r in kpi_team],
            "assessment": [r["assessment_score"] for r in kpi_team],
            "previous_assessment": [getattr(prev_rows.get(r["team"]), "assessment_score", None) for r in kpi_team],
            "causes": {"labels": [r["root_cause"] for r in causes], "values": [r["complaints"] for r in causes]},
            "csat": csat, "rater": rater,
        },
    }


def _kpi(row) -> dict:
    return {c: getattr(row, c) for c in kpi.COLUMNS}


def _delta(now, before):
    if now is None or before is None:
        return None
    return round(now - before, 4)


def _total(rows) -> dict:
    """The covered teams together: counts add up; rates and scores are the means weighted by ``handled``."""
    out = {"handled": sum(r.handled for r in rows), "violations": sum(r.violations or 0 for r in rows)}
    for c in ("fcr_rate", "sla_rate", "callback_rate", "csat", "qa_score", "assessment_score"):
        pairs = [(getattr(r, c), r.handled or 1) for r in rows if getattr(r, c) is not None]
        weight = sum(w for _v, w in pairs)
        out[c] = round(sum(v * w for v, w in pairs) / weight, 4) if weight else None
    return out
