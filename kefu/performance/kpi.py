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

from django.db.models import Avg, Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
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


def _ticket_group_field(level: str) -> str:
    return {"agent": "owner_id", "team": "owner__team_id", "shop": "shop_id"}[level]


def _person_group_field(level: str, prefix: str) -> str | None:
    """How a person-owned record (review, follow-up, violation) groups: by the person, or their team."""
    return {"agent": f"{prefix}_id", "team": f"{prefix}__team_id", "shop": None}[level]


def compute(user, *, level: str = "agent", date_from: dt.date, date_to: dt.date) -> list[KpiRow]:
    """The KPI rows of ``level`` in ``user``'s scope for the period (dates inclusive)."""
    _check(level, date_from, date_to)
    from kefu.customers.models import FollowUp
    from kefu.quality.models import Review
    from kefu.tickets.models import Callback, DepartmentTask, Escalation, Ticket, TicketEvent
    from kefu.workforce.models import Violation

    groups = _groups(user, level)
    ids = list(groups)
    start, end = bounds(date_from, date_to)
    gfield = _ticket_group_field(level)
    rows = {pk: KpiRow(key=key, name=name) for pk, (key, name) in groups.items()}
    if not ids:
        return []

    reopened = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind="transition",
                                          data__from__in=["resolved", "callback_done", "closed"],
                                          data__to="in_progress")
    handed = DepartmentTask.objects.filter(ticket=OuterRef("pk"))
    escalated = Escalation.objects.filter(ticket=OuterRef("pk"))
    resolved = Ticket.objects.filter(**{f"{gfield}__in": ids}, resolved_at__gte=start, resolved_at__lt=end,
                                     owner__isnull=False)
    for r in (resolved.values(gfield)
              .annotate(n=Count("id"), aht=Avg("handling_seconds", filter=Q(handling_seconds__gt=0)),
                        fcr=Count("id", filter=~Q(Exists(handed)) & ~Q(Exists(escalated)) & ~Q(Exists(reopened))),
                        due=Count("id", filter=Q(resolution_due__isnull=False)),
                        met=Count("id", filter=Q(resolution_due__isnull=False, resolved_at__lte=F("resolution_due"))))
              .order_by()):
        row = rows.get(r[gfield])
        if row is None:
            continue
        row.handled = r["n"]
        row.fcr_rate = _rate(r["fcr"], r["n"])
        row.aht_seconds = round(r["aht"]) if r["aht"] is not None else None
        row.sla_rate = _rate(r["met"], r["due"])

    cfield = {"agent": "ticket__owner_id", "team": "ticket__owner__team_id", "shop": "ticket__shop_id"}[level]
    callbacks = Callback.objects.filter(**{f"{cfield}__in": ids})
    due = {r[cfield]: r for r in callbacks.filter(due__gte=start, due__lt=end).values(cfield)
           .annotate(n=Count("id"), made=Count("id", filter=Q(done_at__isnull=False))).order_by()}
    done = {r[cfield]: r for r in callbacks.filter(done_at__gte=start, done_at__lt=end, satisfaction__isnull=False)
            .values(cfield).annotate(avg=Avg("satisfaction")).order_by()}
    for pk, row in rows.items():
        if pk in due:
            row.callback_rate = _rate(due[pk]["made"], due[pk]["n"])
        if pk in done and done[pk]["avg"] is not None:
            row.csat = round(float(done[pk]["avg"]), 2)

    rfield = {"agent": "agent_id", "team": "team_id", "shop": "ticket__shop_id"}[level]
    for r in (Review.objects.filter(**{f"{rfield}__in": ids}, created_at__gte=start, created_at__lt=end)
              .values(rfield).annotate(avg=Avg("score")).order_by()):
        if r[rfield] in rows and r["avg"] is not None:
            rows[r[rfield]].qa_score = round(float(r["avg"]), 1)

    ffield = _person_group_field(level, "agent")
    if ffield:
        for r in (FollowUp.objects.filter(**{f"{ffield}__in": ids}, at__gte=start, at__lt=end, was_due__isnull=False)
                  .values(ffield).annotate(n=Count("id"), on_time=ON_TIME).order_by()):
            if r[ffield] in rows:
                rows[r[ffield]].followups_on_time_rate = _rate(r["on_time"] or 0, r["n"])
    vfield = _person_group_field(level, "person")
    if vfield:
        counts = {r[vfield]: r["n"] for r in Violation.objects.filter(**{f"{vfield}__in": ids}, at__gte=start,
                                                                         at__lt=end)
                  .values(vfield).annotate(n=Count("id")).order_by()}
        for pk, row in rows.items():
            row.violations = counts.get(pk, 0)
    else:
        for row in rows.values():
            row.violations = None
    values = rules(user.centre_id)
    for row in rows.values():
        row.assessment_score = assessment(row, values)
    return list(rows.values())


# a follow-up made on or before the day it was due (its ``was_due``)
ON_TIME = Sum(Case(When(at__date__lte=F("was_due"), then=Value(1)), default=Value(0), output_field=IntegerField()))


def totals_by_day(user, *, date_from: dt.date, date_to: dt.date) -> dict:
    """Resolved tickets and first-contact resolutions per day in ``user``'s scope, for the trend chart."""
    from kefu.tickets.models import Ticket

    start, end = bounds(date_from, date_to)
    scope = scope_for(user)
    qs = Ticket.objects.filter(resolved_at__gte=start, resolved_at__lt=end, owner__isnull=False)
    if scope.level == SELF:
        qs = qs.filter(owner=user)
    else:
        qs = qs.filter(scope.people_q("owner__"))
    counts = {r["day"]: r["n"] for r in qs.annotate(day=TruncDate("resolved_at", tzinfo=timezone.get_default_timezone()))
              .values("day").annotate(n=Count("id")).order_by()}
    days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    return {"days": [d.isoformat() for d in days], "resolved": [counts.get(d, 0) for d in days]}


COLUMNS = ("handled", "fcr_rate", "aht_seconds", "sla_rate", "callback_rate", "csat", "qa_score",
           "followups_on_time_rate", "violations", "assessment_score")
