"""Reading surveys: the list with its response counts, one survey's results per dimension and team, and
the trends of the RATER dimensions and of CSAT after callbacks (R-SAT-1). A fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kefu.surveys import access
from kefu.surveys.models import DIMENSIONS, Dimension, Invitation, Response, Survey
from kefu.tickets import selectors as ticket_selectors


def _q(value) -> float | None:
    if value is None:
        return None
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def surveys(user) -> QuerySet[Survey]:
    """The surveys ``user`` sees, newest period first, with ``invited`` and ``answered`` counts (a lead's:
    their team's links only, as on the survey's page)."""
    team_ids = access.team_ids_in_scope(user)
    mine = Q() if team_ids is None else Q(invitations__team_id__in=team_ids)
    return (access.surveys_in_scope(user)
            .annotate(invited=Count("invitations", filter=mine, distinct=True),
                      answered=Count("invitations", filter=mine & Q(invitations__answered_at__isnull=False),
                                     distinct=True))
            .order_by("-period_start", "-id"))


@dataclass
class Results:
    invited: int
    answered: int
    rate: float | None  # answered / invited, None when nobody was asked
    dimensions: list[dict]  # {"code", "name", "avg"}
    overall: float | None
    teams: list[dict]  # {"team", "name", "answered", <dimension>: avg …}
    questions: list[dict]  # {"id", "dimension", "text", "avg", "n"}
    comments: list[dict]


def _responses(user, survey: Survey) -> QuerySet[Response]:
    qs = Response.objects.filter(survey=survey)
    team_ids = access.team_ids_in_scope(user)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    return qs


def results(user, survey: Survey) -> Results:
    """The results of one survey as ``user`` may see them (a lead: their team's answers only)."""
    responses = _responses(user, survey)
    invitations = Invitation.objects.filter(survey=survey)
    team_ids = access.team_ids_in_scope(user)
    if team_ids is not None:
        invitations = invitations.filter(team_id__in=team_ids)
    counts = invitations.aggregate(invited=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
    totals = responses.aggregate(overall=Avg("overall"), **{d: Avg(d) for d in DIMENSIONS})
    per_team = (responses.values("team_id", "team__name").annotate(n=Count("id"), **{d: Avg(d) for d in DIMENSIONS})
                .order_by("team__name"))
    teams = [{"team": row["team_id"], "name": row["team__name"] or "—", "answered": row["n"],
              **{d: _q(row[d]) for d in DIMENSIONS}} for row in per_team]
    question_sums: dict[str, list[int]] = defaultdict(list)
    comments = []
    for scores, comment, at in responses.values_list("scores", "comment", "submitted_at"):
        for qid, value in (scores or {}).items():
            question_sums[str(qid)].append(int(value))
        if comment:
            comments.append({"text": comment, "at": at})
    questions = [{"id": q.pk, "dimension": q.dimension, "dimension_name": Dimension(q.dimension).label,
                  "text": q.text, "n": len(question_sums[str(q.pk)]),
                  "avg": _q(sum(question_sums[str(q.pk)]) / len(question_sums[str(q.pk)]))
                  if question_sums[str(q.pk)] else None}
                 for q in survey.questions.all()]
    invited, answered = counts["invited"], counts["answered"]
    return Results(
        invited=invited, answered=answered, rate=round(answered / invited, 4) if invited else None,
        dimensions=[{"code": d, "name": str(Dimension(d).label), "avg": _q(totals[d])} for d in DIMENSIONS],
        overall=_q(totals["overall"]), teams=teams, questions=questions,
        comments=sorted(comments, key=lambda c: c["at"], reverse=True)[:50])


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_back(today: dt.date, months: int) -> list[dt.date]:
    first = _month_start(today)
    out = []
    for _i in range(months):
        out.append(first)
        first = _month_start(first - dt.timedelta(days=1))
    return list(reversed(out))


def rater_trend(user, *, today: dt.date | None = None, months: int = 6, teams=None) -> dict:
    """Per month (by the day answered) the average of each RATER dimension over the last ``months``
    months, within ``user``'s scope (and of ``teams`` only, when given); ``None`` for a month with no answers."""
    today = today or timezone.localdate()
    month_list = _months_back(today, months)
    start = timezone.make_aware(dt.datetime.combine(month_list[0], dt.time.min), timezone.get_default_timezone())
    qs = Response.objects.filter(survey__in=access.surveys_in_scope(user).values("pk"), submitted_at__gte=start)
    team_ids = access.team_ids_in_scope(user)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    if teams is not None:
        qs = qs.filter(team_id__in=list(teams))
    rows = (qs.annotate(month=TruncMonth("submitted_at")).values("month")
            .annotate(n=Count("id"), **{d: Avg(d) for d in DIMENSIONS}).order_by("month"))
    by_month = {}
    for row in rows:
        month = row["month"]
        month = timezone.localtime(month).date() if isinstance(month, dt.datetime) else month
        by_month[_month_start(month)] = row
    return {
        "months": [m.strftime("%Y-%m") for m in month_list],
        "answers": [by_month.get(m, {}).get("n", 0) for m in month_list],
        "series": [{"code": d, "name": str(Dimension(d).label),
                    "data": [_q(by_month.get(m, {}).get(d)) for m in month_list]} for d in DIMENSIONS],
    }


def csat_trend(user, *, today: dt.date | None = None, months: int = 6, teams=None) -> dict:
    """CSAT after callback (R-SAT-1) per month: the average satisfaction (1–5) and the share of 4s and 5s,
    within ``user``'s scope (and of ``teams`` only, when given: the ticket owner's team); ``None`` for a month
    without callbacks."""
    today = today or timezone.localdate()
    month_list = _months_back(today, months)
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(month_list[0], dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min), tz)
    sums: dict[dt.date, list[int]] = defaultdict(list)
    team_ids = access.team_ids_in_scope(user)  # a lead: their team's tickets only, as for the RATER answers
    if teams is not None:
        team_ids = frozenset(teams) if team_ids is None else team_ids & frozenset(teams)
    for done_at, team_id, satisfaction in ticket_selectors.callback_satisfaction(user, start=start, end=end):
        if team_ids is None or team_id in team_ids:
            sums[_month_start(timezone.localtime(done_at).date())].append(satisfaction)
    avg, satisfied, counts = [], [], []
    for m in month_list:
        values = sums.get(m, [])
        counts.append(len(values))
        avg.append(_q(sum(values) / len(values)) if values else None)
        satisfied.append(round(sum(1 for v in values if v >= 4) / len(values), 4) if values else None)
    return {"months": [m.strftime("%Y-%m") for m in month_list], "avg": avg, "satisfied": satisfied,
            "callbacks": counts}


def invitations(survey: Survey) -> QuerySet[Invitation]:
    return (Invitation.objects.filter(survey=survey).select_related("customer", "team")
            .order_by("answered_at", "id"))
