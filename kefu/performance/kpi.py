"""KPI per agent, team and shop over a period (R-KPI-1), read straight from the records of the other apps
(tickets, callbacks, QA reviews, follow-ups, violations) with one grouped query each — a fixed number of
queries whatever the number of people.

Definitions (also shown to users as tooltips, see ``DEFINITIONS``):

* ``handled`` — tickets the person owned that were resolved in the period.
* ``fcr_rate`` — first-contact resolution: the share of those resolved with no department handover (no
  department task), no escalation and no reopening (a status change from resolved, callback done or closed back to work).
* ``aht_seconds`` — average handling time of those tickets that have one recorded (the tickets' own
  handling time; tickets with none are left out rather than counted as 0).
* ``sla_rate`` — the share of those resolved by their resolution time limit (tickets without one are left out).
* ``callback_rate`` — of the callbacks due for the person's tickets in the period, the share made.
* ``csat`` — average satisfaction (1–5) of the callbacks made in the period on the person's tickets.
* ``qa_score`` — average final score (0–100) of the person's QA reviews in the period.
* ``followups_on_time_rate`` — of the person's follow-ups that had a due date, the share made by it.
* ``violations`` — violations recorded in the period (R-ORG-4).
* ``assessment_score`` — the weighted combination of the above (weights are rule settings), on 0–100.

A rate with nothing to divide is ``None`` (shown as "—"), never 0 or 100 % (R-KPI-1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import FieldError, InvalidInput, NotAllowed
from kefu.org.models import Shop, User
from kefu.org.roles import Role
from kefu.org.scope import SELF, scope_for
from kefu.performance.scoring import ASSESSMENT_WEIGHTS, assessment, rules, status  # noqa: F401 (re-exported)

LEVELS = ("agent", "team", "shop")
MAX_DAYS = 366

DEFINITIONS = {
    "handled": _("Tickets the person owned that were resolved in the period."),
    "fcr_rate": _("First-contact resolution: the share of the resolved tickets with no department handover, "
                  "no escalation and no reopening."),
    "aht_seconds": _("Average handling time of the resolved tickets."),
    "sla_rate": _("The share of the resolved tickets resolved within their time limit."),
    "callback_rate": _("Of the callbacks due on the person's tickets in the period, the share made."),
    "csat": _("Average satisfaction (1–5) given in the callbacks made in the period."),
    "qa_score": _("Average final score (0–100) of the QA reviews in the period."),
    "followups_on_time_rate": _("Of the customer follow-ups that had a due date, the share made by it."),
    "violations": _("Violations recorded in the period (late, away, absence, other)."),
    "assessment_score": _("The weighted combination of the KPIs above on a 0–100 scale (weights are rule "
                          "settings); empty when none of them has a value."),
}

CONTACTS_DEFINITION = _("Contacts handled by type: the tickets the person took in the period by type (consultation, "
                        "query, any other type) and proactive service (the customer follow-ups they made).")


@dataclass
class KpiRow:
    key: str
    name: str
    handled: int = 0
    fcr_rate: float | None = None
    aht_seconds: int | None = None
    sla_rate: float | None = None
    callback_rate: float | None = None
    csat: float | None = None
    qa_score: float | None = None
    followups_on_time_rate: float | None = None
    violations: int | None = 0
    assessment_score: float | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        return data


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), tz),
            timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min), tz))


def _check(level: str, date_from, date_to) -> None:
    errors = []
    if level not in LEVELS:
        errors.append(FieldError("level", _("Choose agent, team or shop.")))
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day and not 2000 <= day.year <= 9998:
            errors.append(FieldError(name, _("Choose a day between the years %(a)d and %(b)d.") % {"a": 2000, "b": 9998}))
    if date_from and date_to and date_to < date_from:
        errors.append(FieldError("date_to", _("The period ends before it starts.")))
    elif date_from and date_to and (date_to - date_from).days >= MAX_DAYS:
        errors.append(FieldError("date_to", _("A period is at most a year long.")))
    if errors:
        raise InvalidInput(_("The request has invalid fields."), errors=errors)


# -- who is in the caller's scope --------------------------------------------------------------------

def _groups(user, level: str) -> dict[int, tuple[str, str]]:
    """id → (key, name) of the agents, teams or shops ``user`` may see KPI of."""
    scope = scope_for(user)
    if level == "agent":
        if scope.level == SELF or not user.has_role(Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN, Role.QA) \
                and not user.is_superuser:
            people = User.objects.filter(pk=user.pk)
        else:
            people = scope.people().filter(roles__role__in=[Role.AGENT, Role.LEAD]).distinct()
        return {p.pk: (p.username, str(p)) for p in people.order_by("team_id", "username")}
    if not (user.is_superuser or user.has_role(Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN, Role.QA)):
        raise NotAllowed(_("An agent sees only their own KPI."))
    if level == "team":
        teams = scope.teams()
        return {t.pk: (t.name, t.name) for t in teams.order_by("name")}
    shops = Shop.objects.filter(pk__in=scope.shop_ids).order_by("code")
    return {s.pk: (s.code, s.name) for s in shops}


# -- the definitions: one grouped query per source, by day, agent and shop --------------------------------

COUNTERS = ("contacts_consultation", "contacts_query", "contacts_other", "contacts_proactive", "resolved", "fcr",
            "aht_sum", "aht_count", "sla_due", "sla_met", "callbacks_due", "callbacks_made", "csat_sum", "csat_count",
            "qa_sum", "qa_count", "followups_due", "followups_on_time", "violations")


def _day(field: str):
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def measure(start: dt.datetime, end: dt.datetime) -> dict[tuple, dict[str, int]]:
    """The KPI counters of every agent from the raw records between ``start`` and ``end``, by (day, agent id,
    shop id) — the one definition of the figures, read both by the daily aggregates (``aggregates.refresh_days``)
    and by a recount (``compute(..., recount=True)``). A fixed number of queries whatever the number of people.

    * contacts by type — the tickets the agent took (owns) created that day, by the ticket's type (consultation,
      query, anything else); proactive service — the customer follow-ups the agent made that day (R-CUS-5);
    * resolved, fcr, aht, sla — the agent's tickets resolved that day: how many; how many with no department
      handover, no escalation and no reopening; the sum and count of the handling times recorded (> 0); how many
      had a resolution time limit and how many of those were resolved by it;
    * callbacks — due that day on the agent's tickets, and how many of those were made;
    * csat — the satisfaction given in the callbacks made that day on the agent's tickets (sum and count);
    * qa — the final scores of the agent's QA reviews made that day (sum and count; the shop is the ticket's);
    * follow-ups — of the agent's follow-ups that day that had a due date, how many were made by it;
    * violations — recorded that day against the person.
    Follow-ups and violations belong to no shop (shop ``None``)."""
    from kefu.customers.models import FollowUp
    from kefu.quality.models import Review
    from kefu.tickets.models import Callback, DepartmentTask, Escalation, Ticket, TicketEvent
    from kefu.workforce.models import Violation

    out: dict[tuple, dict[str, int]] = {}
    # "every person": lets the database walk the (person, time) indexes of follow-ups and violations person by
    # person instead of scanning all their rows for a few days
    people = User.objects.values("pk")

    def add(key, **values):
        slot = out.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for name, value in values.items():
            slot[name] += int(value or 0)

    for r in (Ticket.objects.filter(created_at__gte=start, created_at__lt=end, owner__isnull=False)
              .annotate(d=_day("created_at")).values("d", "owner_id", "shop_id")
              .annotate(consultation=Count("id", filter=Q(type="consultation")),
                        query=Count("id", filter=Q(type="query")),
                        other=Count("id", filter=~Q(type__in=["consultation", "query"])))
              .order_by()):
        add((r["d"], r["owner_id"], r["shop_id"]), contacts_consultation=r["consultation"],
            contacts_query=r["query"], contacts_other=r["other"])

    reopened = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind="transition",
                                          data__from__in=["resolved", "callback_done", "closed"],
                                          data__to="in_progress")
    handed = DepartmentTask.objects.filter(ticket=OuterRef("pk"))
    escalated = Escalation.objects.filter(ticket=OuterRef("pk"))
    for r in (Ticket.objects.filter(resolved_at__gte=start, resolved_at__lt=end, owner__isnull=False)
              .annotate(d=_day("resolved_at")).values("d", "owner_id", "shop_id")
              .annotate(n=Count("id"),
                        fcr=Count("id", filter=~Q(Exists(handed)) & ~Q(Exists(escalated)) & ~Q(Exists(reopened))),
                        aht_sum=Sum("handling_seconds", filter=Q(handling_seconds__gt=0)),
                        aht_count=Count("id", filter=Q(handling_seconds__gt=0)),
                        due=Count("id", filter=Q(resolution_due__isnull=False)),
                        met=Count("id", filter=Q(resolution_due__isnull=False, resolved_at__lte=F("resolution_due"))))
              .order_by()):
        add((r["d"], r["owner_id"], r["shop_id"]), resolved=r["n"], fcr=r["fcr"], aht_sum=r["aht_sum"],
            aht_count=r["aht_count"], sla_due=r["due"], sla_met=r["met"])

    callbacks = Callback.objects.filter(ticket__owner__isnull=False)
    for r in (callbacks.filter(due__gte=start, due__lt=end).annotate(d=_day("due"))
              .values("d", "ticket__owner_id", "ticket__shop_id")
              .annotate(n=Count("id"), made=Count("id", filter=Q(done_at__isnull=False))).order_by()):
        add((r["d"], r["ticket__owner_id"], r["ticket__shop_id"]), callbacks_due=r["n"], callbacks_made=r["made"])
    for r in (callbacks.filter(done_at__gte=start, done_at__lt=end, satisfaction__isnull=False)
              .annotate(d=_day("done_at")).values("d", "ticket__owner_id", "ticket__shop_id")
              .annotate(total=Sum("satisfaction"), n=Count("id")).order_by()):
        add((r["d"], r["ticket__owner_id"], r["ticket__shop_id"]), csat_sum=r["total"], csat_count=r["n"])

    for r in (Review.objects.filter(created_at__gte=start, created_at__lt=end).annotate(d=_day("created_at"))
              .values("d", "agent_id", "ticket__shop_id").annotate(total=Sum("score"), n=Count("id")).order_by()):
        add((r["d"], r["agent_id"], r["ticket__shop_id"]), qa_sum=r["total"], qa_count=r["n"])

    for r in (FollowUp.objects.filter(agent_id__in=people, at__gte=start, at__lt=end).annotate(d=_day("at"))
              .values("d", "agent_id")
              .annotate(n=Count("id"), due=Count("id", filter=Q(was_due__isnull=False)), on_time=ON_TIME)
              .order_by()):
        add((r["d"], r["agent_id"], None), contacts_proactive=r["n"], followups_due=r["due"],
            followups_on_time=r["on_time"])

    for r in (Violation.objects.filter(person_id__in=people, at__gte=start, at__lt=end).annotate(d=_day("at"))
              .values("d", "person_id")
              .annotate(n=Count("id")).order_by()):
        add((r["d"], r["person_id"], None), violations=r["n"])
    return out


def _fill(row: KpiRow, c: dict, *, person_level: bool) -> None:
    """A KPI row from its summed counters (the aggregates' or a recount's)."""
    row.handled = c["resolved"]
    row.fcr_rate = _rate(c["fcr"], c["resolved"])
    row.aht_seconds = round(c["aht_sum"] / c["aht_count"]) if c["aht_count"] else None
    row.sla_rate = _rate(c["sla_met"], c["sla_due"])
    row.callback_rate = _rate(c["callbacks_made"], c["callbacks_due"])
    row.csat = round(c["csat_sum"] / c["csat_count"], 2) if c["csat_count"] else None
    row.qa_score = round(c["qa_sum"] / c["qa_count"], 1) if c["qa_count"] else None
    row.followups_on_time_rate = _rate(c["followups_on_time"], c["followups_due"]) if person_level else None
    row.violations = c["violations"] if person_level else None
    row.extra["contacts_by_type"] = {"consultation": c["contacts_consultation"], "query": c["contacts_query"],
                                     "other": c["contacts_other"],
                                     "proactive": c["contacts_proactive"] if person_level else None}


def _aggregated(level: str, ids: list[int], date_from: dt.date, date_to: dt.date) -> dict[int, dict]:
    """The summed ``AgentDay`` counters of each group of ``level`` over the period: one query."""
    from kefu.performance.models import AgentDay

    key = {"agent": "agent_id", "team": "agent__team_id", "shop": "shop_id"}[level]
    # a person's whole day is their row without a shop (``aggregates.stored``); a shop's figures its own rows
    qs = AgentDay.objects.filter(day__gte=date_from, day__lte=date_to, shop__isnull=level != "shop")
    if len(ids) <= LONG_IN:
        qs = qs.filter(**{f"{key}__in": ids})
    # else every group of the period is summed and those out of scope dropped here: a long "IN (…)" list of
    # parameters is compared row by row once PostgreSQL caches a generic plan (psycopg prepares repeated queries)
    wanted = set(ids)
    return {r[key]: {name: r[name] or 0 for name in COUNTERS}
            for r in qs.values(key).annotate(**{name: Sum(name) for name in COUNTERS}).order_by() if r[key] in wanted}


LONG_IN = 64


def _recounted(level: str, ids: list[int], date_from: dt.date, date_to: dt.date,
               measured: dict | None = None) -> dict[int, dict]:
    """The same sums straight from the raw records (``measure``, or its result ``measured`` for the same
    period), for checks and snapshots."""
    start, end = bounds(date_from, date_to)
    teams = dict(User.objects.filter(team_id__in=ids).values_list("pk", "team_id")) if level == "team" else {}
    wanted = set(ids)
    out: dict[int, dict] = {}
    for (_d, agent_id, shop_id), counters in (measured if measured is not None else measure(start, end)).items():
        group = {"agent": agent_id, "team": teams.get(agent_id), "shop": shop_id}[level]
        if group not in wanted:
            continue
        slot = out.setdefault(group, dict.fromkeys(COUNTERS, 0))
        for name, value in counters.items():
            slot[name] += value
    return out


def compute(user, *, level: str = "agent", date_from: dt.date, date_to: dt.date,
            recount: bool = False, measured: dict | None = None) -> list[KpiRow]:
    """The KPI rows of ``level`` in ``user``'s scope for the period (dates inclusive), read from the daily
    aggregates after refreshing the days of the period that need it (``aggregates.ensure_fresh``); with
    ``recount`` straight from the raw records instead (the same definitions, ``measure``). The time the
    figures were computed is in each row's ``extra["as_of"]`` (``None`` for a recount). ``measured``: the
    result of ``measure`` for exactly this period, when a caller recounts several levels of one period."""
    _check(level, date_from, date_to)
    groups = _groups(user, level)
    ids = list(groups)
    if not ids:
        return []
    rows = {pk: KpiRow(key=key, name=name) for pk, (key, name) in groups.items()}
    if recount:
        as_of, sums = None, _recounted(level, ids, date_from, date_to, measured)
    else:
        from kefu.performance.aggregates import ensure_fresh

        as_of = ensure_fresh(date_from, date_to)
        sums = _aggregated(level, ids, date_from, date_to)
    empty = dict.fromkeys(COUNTERS, 0)
    values = rules(user.centre_id, on=date_from)  # the weights in force on the period's first day
    for pk, row in rows.items():
        _fill(row, sums.get(pk, empty), person_level=level != "shop")
        row.extra["as_of"] = as_of
        if level == "team":
            row.extra["team_id"] = pk  # for the team's own targets (scoring.targets_for)
        row.assessment_score = assessment(row, values)
    return list(rows.values())


# a follow-up made on or before the day it was due (its ``was_due``)
ON_TIME = Sum(Case(When(at__date__lte=F("was_due"), then=Value(1)), default=Value(0), output_field=IntegerField()))


def totals_by_day(user, *, date_from: dt.date, date_to: dt.date) -> dict:
    """Resolved tickets per day in ``user``'s scope, for the trend chart (from the daily aggregates; call
    after ``compute`` of the same period, which brought them up to date)."""
    from kefu.performance.models import AgentDay

    scope = scope_for(user)
    qs = AgentDay.objects.filter(day__gte=date_from, day__lte=date_to, shop__isnull=True)
    qs = qs.filter(agent=user) if scope.level == SELF else qs.filter(scope.people_q("agent__"))
    counts = {r["day"]: r["n"] or 0 for r in qs.values("day").annotate(n=Sum("resolved")).order_by()}
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    return {"days": [d.isoformat() for d in days], "resolved": [counts.get(d, 0) for d in days]}


COLUMNS = ("handled", "fcr_rate", "aht_seconds", "sla_rate", "callback_rate", "csat", "qa_score",
           "followups_on_time_rate", "violations", "assessment_score")
