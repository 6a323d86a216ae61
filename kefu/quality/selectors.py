"""Reading quality inspection (SPEC §5): scorecards, reviews, the monthly quota and sample (R-QA-2), the
agent's and the team's figures, appeals and calibration — always within the caller's scope."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kefu.quality import access, sampling
from kefu.quality.models import (
    Appeal,
    CalibrationScore,
    CalibrationSession,
    Review,
    ReviewScore,
    Scorecard,
    TicketCheck,
)
from kefu.rules.selectors import get_rule
from kefu.tickets.access import tickets_in_scope

REOPENED_FROM = ("resolved", "closed", "callback_done")
BUCKETS = [(0, 59, "0–59"), (60, 69, "60–69"), (70, 79, "70–79"), (80, 89, "80–89"), (90, 100, "90–100")]


# -- months -------------------------------------------------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next one, in the organisation's time zone."""
    start = month_start(month)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(0), tzinfo=tz),
            dt.datetime.combine(next_month(start), dt.time(0), tzinfo=tz))


def this_month() -> dt.date:
    return month_start(timezone.localdate())


# -- scorecards ---------------------------------------------------------------------------------------

def active_scorecards() -> QuerySet[Scorecard]:
    return (Scorecard.objects.filter(active=True).order_by("-is_default", "family")
            .prefetch_related("items"))


def default_scorecard() -> Scorecard | None:
    return active_scorecards().first()


def scorecard_history(family: int) -> QuerySet[Scorecard]:
    return (Scorecard.objects.filter(family=family).order_by("-version").select_related("created_by")
            .prefetch_related("items"))


def scorecard(scorecard_id: int) -> Scorecard | None:
    return Scorecard.objects.prefetch_related("items").filter(pk=scorecard_id).first()


# -- reviews ------------------------------------------------------------------------------------------

def for_list(qs: QuerySet[Review]) -> QuerySet[Review]:
    return qs.select_related("agent", "inspector", "ticket", "scorecard", "team")


def with_scores(qs: QuerySet[Review]) -> QuerySet[Review]:
    return qs.prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.select_related("item")))


def reviews(user, *, agent_id: int | None = None, month: dt.date | None = None) -> QuerySet[Review]:
    qs = access.reviews_in_scope(user)
    if agent_id:
        qs = qs.filter(agent_id=agent_id)
    if month:
        start, end = month_bounds(month)
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    return with_scores(for_list(qs)).order_by("-created_at", "-id")


def review_detail(user, review_id: int) -> Review:
    review = access.access_review(user, review_id)
    return with_scores(for_list(Review.objects.filter(pk=review.pk))).prefetch_related(
        Prefetch("appeals", queryset=Appeal.objects.select_related("created_by", "decided_by"))).get()


# -- quota (R-QA-2) -----------------------------------------------------------------------------------

@dataclass
class QuotaRow:
    agent_id: int
    agent: str
    name: str
    team: str
    required: int
    done: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.done)

    @property
    def below(self) -> bool:
        return self.done < self.required


def quota(user, month: dt.date) -> list[QuotaRow]:
    """Each agent of the caller's scope with the reviews required and done in ``month`` (two queries)."""
    required = get_rule("quality.reviews_per_month.min", centre_id=user.centre_id)
    in_scope = access.agents_in_scope(user)
    agents = list(in_scope.order_by("username").values_list("pk", "username", "display_name", "team__name"))
    start, end = month_bounds(month)
    # a sub-query, not a list of hundreds of ids to send (and prepare one by one)
    done = dict(Review.objects.filter(agent__in=in_scope.values("pk"), created_at__gte=start, created_at__lt=end)
                .values_list("agent_id").annotate(n=Count("id")).values_list("agent_id", "n"))
    return [QuotaRow(agent_id=pk, agent=username, name=display_name or username, team=team or "",
                     required=required, done=done.get(pk, 0)) for pk, username, display_name, team in agents]


def below_quota(user, month: dt.date) -> list[QuotaRow]:
    return [row for row in quota(user, month) if row.below]


# -- sampling (R-QA-2) --------------------------------------------------------------------------------

def sample_weights(centre_id: int | None) -> sampling.Weights:
    return sampling.Weights(
        complaint=get_rule("quality.sample_weight.complaint", centre_id=centre_id),
        low_satisfaction=get_rule("quality.sample_weight.low_satisfaction", centre_id=centre_id),
        breached=get_rule("quality.sample_weight.breached", centre_id=centre_id),
        reopened=get_rule("quality.sample_weight.reopened", centre_id=centre_id),
        flagged=get_rule("quality.sample_weight.flagged", centre_id=centre_id),
    )


def candidate_rows(user, agent_ids, month: dt.date, *, plain: bool = False) -> list[sampling.Row]:
    """The tickets of ``agent_ids`` opened in ``month`` that no review has looked at, as plain rows with
    their risks: one set-based query (the risks are EXISTS sub-queries the database answers as semi-joins),
    whatever the number of tickets. ``plain``: tuples in the order of ``sampling.Row`` (for ``draw_sample``)."""
    from kefu.tickets.models import Callback, TicketEvent

    start, end = month_bounds(month)
    low = get_rule("quality.sample_low_satisfaction", centre_id=user.centre_id)
    qs = (tickets_in_scope(user)
          .filter(created_at__gte=start, created_at__lt=end, owner_id__in=list(agent_ids), merged_into__isnull=True)
          .exclude(Exists(Review.objects.filter(ticket_id=OuterRef("pk"))))
          .annotate(
              unhappy=Exists(Callback.objects.filter(ticket_id=OuterRef("pk"), satisfaction__lte=low)),
              reopened=Exists(TicketEvent.objects.filter(ticket_id=OuterRef("pk"), kind="transition",
                                                         data__to="in_progress", data__from__in=REOPENED_FROM)),
              flagged=Exists(TicketCheck.objects.filter(ticket_id=OuterRef("pk"), flagged=True)))
          .order_by())
    # tens of thousands of rows: read them with the plain cursor (no per-row converters; EXISTS comes back as a
    # boolean on PostgreSQL, 0/1 on SQLite — both count as the weights want)
    sql, params = qs.values_list("pk", "owner_id", "type", "channel", "sla_state", "unhappy", "reopened",
                                 "flagged").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    # plain tuples in the field order of ``sampling.Row`` (making 75 000 named tuples costs half a second)
    rows = [(pk, owner_id, kind, channel, kind == "complaint", bool(unhappy), sla_state == "breached",
             bool(reopened), bool(flagged))
            for pk, owner_id, kind, channel, sla_state, unhappy, reopened, flagged in fetched]
    return rows if plain else [sampling.Row._make(r) for r in rows]


def default_seed(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def sample(user, month: dt.date, *, seed: str | None = None) -> list[dict]:
    """The tickets drawn for the agents below quota this month: ``[{"row", "ticket", "quota"}]`` in agent
    order. The same seed over the same data gives the same sample (default seed: the month)."""
    rows = below_quota(user, month)
    needs = {r.agent_id: r.missing for r in rows}
    if not needs:
        return []
    # tens of thousands of short-lived tuples: without the cyclic garbage collector meanwhile (they hold no
    # cycles; in a worker with a large heap its full collections cost seconds here — bench/notes/quality.md)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        drawn = sampling.draw_sample(candidate_rows(user, needs, month, plain=True), needs,
                                     seed=seed or default_seed(month), weights=sample_weights(user.centre_id))
    finally:
        if was_enabled:
            gc.enable()
    drawn = {agent_id: [sampling.Row._make(r) for r in picks] for agent_id, picks in drawn.items()}
    ids = [r.ticket_id for picks in drawn.values() for r in picks]
    tickets = tickets_in_scope(user).select_related("owner", "shop").defer("description").in_bulk(ids)
    out = []
    for quota_row in rows:
        for r in drawn.get(quota_row.agent_id, []):
            out.append({"row": r, "ticket": tickets[r.ticket_id], "quota": quota_row,
                        "risks": [k for k in ("complaint", "low_satisfaction", "breached", "reopened", "flagged")
                                  if getattr(r, k)]})
    return out


# -- the agent's and the team's figures ---------------------------------------------------------------

def item_averages(review_qs: QuerySet[Review]) -> list[dict]:
    """Per item code: the average share of the weight scored (0–1) over the reviews, weakest first.
    Critical items count how often they failed."""
    per: dict[str, dict] = {}
    for code, name, weight, critical, points, failed in ReviewScore.objects.filter(review__in=review_qs).values_list(
            "item__code", "item__name", "item__weight", "item__critical", "points", "failed"):
        d = per.setdefault(code, {"code": code, "name": name, "critical": critical, "n": 0, "share": 0.0,
                                  "failed": 0})
        d["n"] += 1
        if critical:
            d["failed"] += int(failed)
        elif weight:
            d["share"] += points / weight
    out = []
    for d in per.values():
        d["average"] = round(d["share"] / d["n"], 3) if d["n"] and not d["critical"] else None
        out.append(d)
    return sorted(out, key=lambda d: (d["critical"], d["average"] if d["average"] is not None else 1, d["code"]))


def my_quality(user) -> dict:
    qs = access.reviews_in_scope(user).filter(agent=user)
    mine = list(with_scores(for_list(qs)).prefetch_related("appeals").order_by("-created_at", "-id")[:100])
    allowed = get_rule("quality.appeals_per_review", centre_id=user.centre_id)
    for r in mine:
        r.can_appeal = len(r.appeals.all()) < allowed
    scores = [r.score for r in mine]
    return {
        "reviews": mine,
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "items": [d for d in item_averages(qs) if not d["critical"]],
        "quota": quota(user, this_month()),
    }


def team_quality(user, *, months: int = 6, team_id: int | None = None) -> dict:
    """Score distribution per team and per-item trends by month (ECharts data), over the last ``months``."""
    end_month = this_month()
    first = end_month
    for _i in range(months - 1):
        first = month_start(first - dt.timedelta(days=1))
    start, _e = month_bounds(first)
    _s, end = month_bounds(end_month)
    qs = access.reviews_in_scope(user).filter(created_at__gte=start, created_at__lt=end)
    teams = {t.pk: t.name for t in access.teams_in_scope(user)}
    if team_id and team_id in teams:
        qs = qs.filter(team_id=team_id)
    labels = [b[2] for b in BUCKETS]
    distribution: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
    for tid, score in qs.values_list("team_id", "score"):
        name = teams.get(tid, "—")
        for n, (low, high, _label) in enumerate(BUCKETS):
            if low <= score <= high:
                distribution[name][n] += 1
    month_list = []
    m = first
    while m <= end_month:
        month_list.append(m)
        m = next_month(m)
    keys = [f"{m:%Y-%m}" for m in month_list]
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    names: dict[str, str] = {}
    tz = timezone.get_current_timezone()
    for code, name, weight, points, at in ReviewScore.objects.filter(
            review__in=qs, item__critical=False, item__weight__gt=0).values_list(
            "item__code", "item__name", "item__weight", "points", "review__created_at"):
        names.setdefault(code, name)
        cell = sums[code][f"{at.astimezone(tz):%Y-%m}"]
        cell[0] += points / weight
        cell[1] += 1
    trend = [{"name": names[code], "data": [round(100 * per[k][0] / per[k][1], 1) if per[k][1] else None
                                            for k in keys]}
             for code, per in sorted(sums.items())]
    total = qs.aggregate(n=Count("id"), failed=Count("id", filter=Q(failed=True)))
    return {
        "teams": sorted(teams.items(), key=lambda t: t[1]),
        "team_id": team_id if team_id in teams else None,
        "count": total["n"],
        "failed": total["failed"],
        "chart": {
            "buckets": labels,
            "distribution": [{"name": name, "data": data} for name, data in sorted(distribution.items())],
            "months": keys,
            "trend": trend,
        },
        "items": item_averages(qs),
    }


# -- appeals ------------------------------------------------------------------------------------------

def appeals(user, *, pending_only: bool = False) -> QuerySet[Appeal]:
    qs = access.appeals_in_scope(user).select_related(
        "review", "review__agent", "review__inspector", "review__ticket", "created_by", "decided_by")
    if pending_only:
        qs = qs.filter(status=Appeal.Status.PENDING)
    return qs.order_by("status" if pending_only else "-created_at", "-created_at", "-id")


# -- calibration --------------------------------------------------------------------------------------

def calibration_sessions(user) -> QuerySet[CalibrationSession]:
    return (CalibrationSession.objects.filter(centre_id=user.centre_id).select_related("reference", "scorecard")
            .prefetch_related("tickets").order_by("-created_at", "-id"))


def calibration_spread(session: CalibrationSession) -> dict:
    """Per item: the spread (highest − lowest points) over the inspectors, averaged over the tickets; per
    inspector: the mean absolute difference from the reference scorer's points, per item and in total."""
    cells: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)  # (ticket, item) → inspector → points
    inspectors: dict[int, str] = {}
    usernames: dict[int, str] = {}
    items = {i.pk: i for i in session.scorecard.items.all()}
    for s in CalibrationScore.objects.filter(session=session).select_related("inspector"):
        cells[(s.ticket_id, s.item_id)][s.inspector_id] = s.points if not s.failed else -1
        inspectors[s.inspector_id] = str(s.inspector)
        usernames[s.inspector_id] = s.inspector.username
    per_item = []
    for item_id, item in items.items():
        if item.critical:
            continue
        spreads = [max(v.values()) - min(v.values()) for (t, i), v in cells.items() if i == item_id and v]
        per_item.append({"item": item, "spread": round(sum(spreads) / len(spreads), 2) if spreads else None})
    per_inspector = []
    ref = session.reference_id
    for inspector_id, name in sorted(inspectors.items(), key=lambda kv: kv[1]):
        if inspector_id == ref:
            continue
        diffs: dict[int, list[int]] = defaultdict(list)
        for (_t, item_id), v in cells.items():
            if ref in v and inspector_id in v and not items[item_id].critical:
                diffs[item_id].append(abs(v[inspector_id] - v[ref]))
        flat = [d for ds in diffs.values() for d in ds]
        per_inspector.append({
            "name": name,
            "username": usernames[inspector_id],
            "deviation": round(sum(flat) / len(flat), 2) if flat else None,
            "items": {items[i].code: round(sum(ds) / len(ds), 2) for i, ds in diffs.items()},
        })
    return {"items": per_item, "inspectors": per_inspector, "scored_by": sorted(inspectors.values()),
            "scored_by_usernames": sorted(usernames.values())}


def calibration_list(user) -> QuerySet[CalibrationSession]:
    """The caller's centre's sessions (QA inspectors and heads) with how many tickets each has and how many
    of them the caller scored (three queries for a page, whatever its length)."""
    from kefu.tickets.models import Ticket

    return (access.calibrations_in_scope(user).select_related("reference", "created_by", "scorecard")
            .annotate(ticket_count=Count("tickets", distinct=True),
                      scored_by_me=Count("scores__ticket", filter=Q(scores__inspector_id=user.pk), distinct=True))
            .prefetch_related(Prefetch("tickets", queryset=Ticket.objects.only("id", "number").order_by("pk")))
            .order_by("-created_at", "-id"))


def calibration_detail(user, session_id: int) -> CalibrationSession:
    """One session of the caller's centre with its tickets and the caller's own scores only (blind)."""
    session = access.access_calibration(user, session_id)
    session = calibration_list(user).get(pk=session.pk)
    session.my_scores = list(CalibrationScore.objects.filter(session=session, inspector_id=user.pk)
                             .select_related("item").order_by("ticket_id", "item__position", "item_id"))
    return session


def calibration_submitted(session: CalibrationSession, user) -> bool:
    """Whether ``user`` scored every ticket of the session."""
    total = session.tickets.count()
    mine = (CalibrationScore.objects.filter(session=session, inspector_id=user.pk)
            .values("ticket_id").distinct().count())
    return total > 0 and mine >= total
