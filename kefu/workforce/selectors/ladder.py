"""Reads of the level ladder (客服等级, R-ORG-3): the levels, a person's level and the criteria of the next one,
the applications, the people of a head with their levels and assessment scores.

The criteria are data on :class:`Level` (months of service, months without a violation, the assessment
score, the approver), not code. The assessment score is read through :func:`assessment_score` only, so that
the KPI work can compute it instead of the head entering it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.org.models import User
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.workforce import access
from kefu.workforce.models import AssessmentScore, Level, LevelApplication, Violation, WorkerProfile

RULE_LEVEL = "R-ORG-3"


def levels() -> QuerySet[Level]:
    return Level.objects.order_by("rank")


def approver_label(role: str) -> str:
    return {Role.LEAD: _("the team lead"), Role.HEAD: _("the department head"),
            Role.DIRECTOR: _("the centre director")}.get(role, role)


def assessment_score(person, *, today: dt.date | None = None) -> AssessmentScore | None:
    """The person's assessment score in force (R-ORG-3): the last full month's — entered by the head, or else
    computed by KPI (an unsaved row, ``source="kpi"``) — and without either, the latest month entered."""
    today = today or timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    entered = AssessmentScore.objects.filter(person=person).order_by("-month", "-id").first()
    if entered is not None and entered.month >= month:
        return entered
    from kefu.performance import kpi  # KPI reads the workforce's records: imported here, not at load

    last_day = today.replace(day=1) - dt.timedelta(days=1)
    rows = kpi.compute(person, level="agent", date_from=month, date_to=last_day)
    computed = next((row.assessment_score for row in rows if row.key == person.username), None)
    if computed is not None:
        return AssessmentScore(person=person, month=month, score=Decimal(str(computed)), source="kpi")
    return entered


def profile(person) -> WorkerProfile | None:
    return WorkerProfile.objects.select_related("level").filter(person=person).first()


def current_level(person, *, worker_profile: WorkerProfile | None = None, ladder: list[Level] | None = None):
    """The person's level: the profile's, or the first level of the ladder (试用) when none is set."""
    worker_profile = worker_profile if worker_profile is not None else profile(person)
    if worker_profile is not None and worker_profile.level_id:
        return worker_profile.level
    ladder = ladder if ladder is not None else list(levels())
    return ladder[0] if ladder else None


def next_level(level: Level | None, *, ladder: list[Level] | None = None) -> Level | None:
    ladder = ladder if ladder is not None else list(levels())
    rank = level.rank if level is not None else -1
    return next((step for step in ladder if step.rank > rank), None)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end``: 2026-10-07 → 2026-12-07 is 2, → 2026-12-06 is 1."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if start + relativedelta(months=months) > end:
        months -= 1
    return max(months, 0)


@dataclass
class Criterion:
    """One criterion of a level, met or not, with the figures (shown as a checklist and kept on the application)."""

    code: str
    label: str
    required: str
    actual: str
    met: bool

    def as_dict(self) -> dict:
        return {k: str(v) if not isinstance(v, bool) else v for k, v in asdict(self).items()}


def level_criteria(person, level: Level, *, now: dt.datetime | None = None,
                   worker_profile: WorkerProfile | None = None) -> list[Criterion]:
    """R-ORG-3: each criterion of ``level`` for ``person`` with met/not met: months of service (from the profile's
    start date), no violation within the last ``clean_months`` months, the assessment score in force at least
    ``min_score``. The manager's approval is the last step and not a criterion checked here. Three queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    worker_profile = worker_profile if worker_profile is not None else profile(person)
    hired_on = worker_profile.hired_on if worker_profile is not None else None
    criteria: list[Criterion] = []

    months = months_between(hired_on, today) if hired_on is not None and hired_on <= today else 0
    criteria.append(Criterion(
        "months", _("Months of service"), _("at least %(n)s") % {"n": level.min_months},
        (_("%(n)s (since %(day)s)") % {"n": months, "day": f"{hired_on:%Y-%m-%d}"}) if hired_on
        else _("start date not recorded"),
        (hired_on is not None or level.min_months == 0) and months >= level.min_months))

    if level.clean_months:
        since = timezone.localtime(now) - relativedelta(months=level.clean_months)
        count = Violation.objects.filter(person=person, at__gte=since, at__lte=now).count()
    else:
        since, count = None, 0
    criteria.append(Criterion(
        "violations", _("No violation within the last %(n)s months") % {"n": level.clean_months},
        _("none since %(day)s") % {"day": f"{since:%Y-%m-%d}"} if since else _("none"),
        _("%(n)s violation(s)") % {"n": count}, count == 0))

    score = assessment_score(person)
    required = Decimal(level.min_score)
    criteria.append(Criterion(
        "score", _("Assessment score"), _("at least %(n)s") % {"n": _number(required)},
        (_("%(score)s (%(month)s)") % {"score": _number(score.score), "month": f"{score.month:%Y-%m}"}) if score
        else _("no score yet"),
        (score is not None and Decimal(score.score) >= required) or (score is None and not required)))
    return criteria


def _number(value) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.2f}"


def unmet(criteria: list[Criterion]) -> list[Criterion]:
    return [c for c in criteria if not c.met]


@dataclass
class LadderView:
    """What the agent's ladder page shows of the caller."""

    level: Level | None
    next_level: Level | None
    criteria: list[Criterion]
    pending: LevelApplication | None
    score: AssessmentScore | None

    @property
    def all_met(self) -> bool:
        return bool(self.criteria) and not unmet(self.criteria)


def ladder_for(person, *, now: dt.datetime | None = None) -> LadderView:
    ladder = list(levels())
    worker_profile = profile(person)
    level = current_level(person, worker_profile=worker_profile, ladder=ladder)
    step = next_level(level, ladder=ladder)
    criteria = level_criteria(person, step, now=now, worker_profile=worker_profile) if step else []
    pending = (LevelApplication.objects.select_related("level")
               .filter(person=person, status=LevelApplication.Status.PENDING).first())
    return LadderView(level, step, criteria, pending, assessment_score(person))


def _applications() -> QuerySet[LevelApplication]:
    return LevelApplication.objects.select_related("person", "level", "from_level", "decided_by")


def applications(user) -> QuerySet[LevelApplication]:
    """The caller's own applications and those of the people in their scope (leads: their team)."""
    q = Q(person_id=user.pk)
    if access.is_manager(user):
        q |= scope_for(user).people_q("person__")
    return _applications().filter(q).order_by("-created_at", "-id")


def my_applications(user) -> QuerySet[LevelApplication]:
    return _applications().filter(person=user).order_by("-created_at", "-id")


def applications_to_decide(user, *, delegators: list[User] | None = None) -> list[tuple[LevelApplication, User | None]]:
    """Pending applications the caller decides: by their own role and scope, or on behalf of an approver who
    handed them their approvals (``(application, on_behalf_of)``, None for their own). Two to three queries."""
    delegators = access.active_delegators(user) if delegators is None else delegators
    people_q = Q()
    if access.approving_rank(user):
        people_q |= scope_for(user).people_q("person__")
    for approver in delegators:
        people_q |= scope_for(approver).people_q("person__")
    if not people_q:
        return []
    rows = []
    pending = (_applications().filter(people_q, status=LevelApplication.Status.PENDING).exclude(person=user)
               .order_by("created_at", "id"))
    for application in pending:
        if access.may_decide_level(user, application):
            rows.append((application, None))
            continue
        on_behalf = access.decides_level_for(user, application, delegators=delegators)
        if on_behalf is not None:
            rows.append((application, on_behalf))
    return rows


@dataclass
class PersonLevel:
    person: User
    level: Level | None
    hired_on: dt.date | None
    score: Decimal | None
    score_month: dt.date | None


def people_levels(user) -> list[PersonLevel]:
    """The agents of a head's (director's) scope with their level, start date and the assessment score in force.
    Two queries, whatever the number of people."""
    latest = AssessmentScore.objects.filter(person_id=OuterRef("pk")).order_by("-month", "-id")
    people = (scope_for(user).people().filter(roles__role=Role.AGENT).exclude(pk=user.pk).distinct()
              .annotate(score=Subquery(latest.values("score")[:1]), score_month=Subquery(latest.values("month")[:1]))
              .order_by("team_id", "id"))
    people = list(people)
    profiles = {p.person_id: p for p in WorkerProfile.objects.select_related("level")
                .filter(person_id__in=[p.pk for p in people])}
    ladder = list(levels())
    first = ladder[0] if ladder else None
    rows = []
    for person in people:
        worker_profile = profiles.get(person.pk)
        level = worker_profile.level if worker_profile is not None and worker_profile.level_id else first
        rows.append(PersonLevel(person, level, worker_profile.hired_on if worker_profile else None,
                                person.score, person.score_month))
    return rows
