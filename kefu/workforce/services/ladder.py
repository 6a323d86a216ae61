"""The level ladder (客服等级, R-ORG-3): applying for the next level, the approver's decision, the head's
assessment scores and level criteria. Keyword-only, transactional, audited.

An agent who meets the next level's criteria applies (one pending application at a time); the system checks
the criteria (refused naming R-ORG-3 with the unmet ones); the level's approver (the person's team lead, the
department head or the centre director, or a higher role of the person's line, or their delegate) approves —
the criteria are checked again — or refuses with a note. Approval moves the person's level; the applications
and the audit trail keep the history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, NotFound, RuleViolation
from kefu.notifications.services import notify
from kefu.org.models import User
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.workforce import access
from kefu.workforce.models import AssessmentScore, Level, LevelApplication, WorkerProfile
from kefu.workforce.selectors.ladder import (
    RULE_LEVEL,
    Criterion,
    approver_label,
    current_level,
    level_criteria,
    levels,
    next_level,
    profile,
    unmet,
)

__all__ = ["apply_for_level", "approve_application", "level_criteria", "reject_application", "set_assessment_score",
           "update_level"]

SCORE_ROLES = frozenset({Role.HEAD, Role.DIRECTOR})
APPROVER_ROLES = (Role.LEAD, Role.HEAD, Role.DIRECTOR)


def _snapshot(obj) -> dict:
    from kefu.workforce.services import snapshot

    return snapshot(obj)


def _unmet_errors(criteria: list[Criterion]) -> list[FieldError]:
    return [FieldError(c.code, _("%(label)s: %(required)s, you have %(actual)s.")
                       % {"label": c.label, "required": c.required, "actual": c.actual}) for c in unmet(criteria)]


def approvers_of(person, level: Level) -> list[int]:
    """Who is told of an application: the person's team leads, department heads or centre directors (by the
    level's approver role), and the delegates of those away."""
    from kefu.org.selectors import leads_of_team, managers_of
    from kefu.workforce.services.delegation import with_stand_ins

    role = level.approver_role
    if role == Role.DIRECTOR:
        qs = managers_of(None, Role.DIRECTOR).filter(centre_id=person.centre_id)
    elif role == Role.HEAD:
        qs = managers_of(person.department_id, Role.HEAD)
    else:
        qs = leads_of_team(person.team_id)
    return with_stand_ins(pk for pk in qs.values_list("pk", flat=True) if pk != person.pk)


def may_apply(user) -> bool:
    """The ladder is the agents' (客服等级)."""
    return Role.AGENT in user.role_codes


@transaction.atomic
def apply_for_level(*, actor, level: Level | None = None, note: str = "") -> LevelApplication:
    """``actor`` applies for the next level (``level``, when given, must be it). Refused (R-ORG-3) naming each
    unmet criterion; one pending application at a time."""
    if not may_apply(actor):
        raise NotAllowed(_("Only agents apply for a level."), rule=RULE_LEVEL)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one application of a person at a time
    ladder = list(levels())
    worker_profile = profile(actor)
    here = current_level(actor, worker_profile=worker_profile, ladder=ladder)
    step = next_level(here, ladder=ladder)
    errors = Errors()
    if step is None:
        errors.add("level", _("You are at the top of the ladder."))
    elif level is not None and level.pk != step.pk:
        errors.add("level", _("You may apply for the next level only: %(level)s.") % {"level": step})
    if len(note or "") > 300:
        errors.add("note", _("At most %(n)s characters.") % {"n": 300})
    pending = LevelApplication.objects.filter(person=actor, status=LevelApplication.Status.PENDING).first()
    if pending is not None:
        errors.add("level", _("Your application for %(level)s of %(day)s is still pending.")
                   % {"level": pending.level, "day": f"{timezone.localtime(pending.created_at):%Y-%m-%d}"})
    errors.raise_if_any(_("The application cannot be sent."))
    criteria = level_criteria(actor, step, worker_profile=worker_profile)
    if unmet(criteria):
        raise RuleViolation(_("You do not meet the criteria for %(level)s yet.") % {"level": step},
                            rule=RULE_LEVEL, errors=_unmet_errors(criteria))
    application = LevelApplication.objects.create(
        person=actor, from_level=here, level=step, criteria=[c.as_dict() for c in criteria],
        note=(note or "").strip(), created_at=timezone.now())
    record(actor=actor, action=Action.CREATE, obj=application, after=_snapshot(application))
    notify(recipients=approvers_of(actor, step), kind="level_application",
           title=gettext_lazy("A level application awaits your decision"),
           body=f"{actor}: {here or ''} → {step}", url=reverse("workforce:ladder"))
    return application


def _application_for_decision(actor, application_id: int, version: int | None) -> tuple[LevelApplication, User | None]:
    application = (LevelApplication.objects.select_for_update(of=("self",))
                   .select_related("person", "level", "from_level").filter(pk=application_id).first())
    visible = application is not None and (
        scope_for(actor).can_act_on_person(application.person)
        or any(scope_for(a).can_act_on_person(application.person) for a in access.active_delegators(actor)))
    if not visible:
        raise NotFound(_("No such level application."))
    on_behalf = access.decides_level_for(actor, application)
    if not access.may_decide_level(actor, application) and on_behalf is None:
        raise NotAllowed(_("An application for %(level)s is decided by %(who)s of the person.")
                         % {"level": application.level, "who": approver_label(application.level.approver_role)},
                         rule=RULE_LEVEL)
    if version is not None:
        check_version(application, version)
    if application.status != LevelApplication.Status.PENDING:
        raise InvalidInput(_("This application is no longer pending."),
                           errors=[FieldError("status", _("Already %(status)s.") % {
                               "status": application.get_status_display()})])
    return application, on_behalf


def _close(actor, application: LevelApplication, status: str, note: str, on_behalf: User | None) -> None:
    before = _snapshot(application)
    application.status = status
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.decision_note = (note or "").strip()[:300]
    bump_version(application)
    application.save()
    record(actor=actor, action=Action.TRANSITION, obj=application, before=before, after=_snapshot(application),
           note=f"on behalf of {on_behalf.get_username()}" if on_behalf else "")


@transaction.atomic
def approve_application(*, actor, application_id: int, version: int | None = None,
                        note: str = "") -> LevelApplication:
    """The approver approves: the criteria are checked again (R-ORG-3), then the person moves to the level."""
    application, on_behalf = _application_for_decision(actor, application_id, version)
    person = application.person
    criteria = level_criteria(person, application.level)
    if unmet(criteria):
        raise RuleViolation(_("%(person)s no longer meets the criteria for %(level)s.")
                            % {"person": person, "level": application.level}, rule=RULE_LEVEL,
                            errors=_unmet_errors(criteria))
    application.criteria = [c.as_dict() for c in criteria]
    _close(actor, application, LevelApplication.Status.APPROVED, note, on_behalf)
    worker_profile, created = WorkerProfile.objects.select_for_update().get_or_create(person=person)
    before = {} if created else _snapshot(worker_profile)
    worker_profile.level = application.level
    bump_version(worker_profile)
    worker_profile.save()
    record(actor=actor, action=Action.CREATE if created else Action.UPDATE, obj=worker_profile,
           before=before or None, after=_snapshot(worker_profile),
           note=f"level {application.from_level.code if application.from_level else '-'} → {application.level.code}")
    notify(recipients=[person], kind="level_decided",
           title=gettext_lazy("Your level application was approved"), body=str(application.level),
           url=reverse("workforce:ladder"))
    return application


@transaction.atomic
def reject_application(*, actor, application_id: int, version: int | None = None, note: str = "") -> LevelApplication:
    application, on_behalf = _application_for_decision(actor, application_id, version)
    if not (note or "").strip():
        raise InvalidInput(_("Give the reason for the refusal."),
                           errors=[FieldError("note", _("Give the reason for the refusal."))])
    _close(actor, application, LevelApplication.Status.REJECTED, note, on_behalf)
    notify(recipients=[application.person], kind="level_decided",
           title=gettext_lazy("Your level application was refused"), body=application.decision_note,
           url=reverse("workforce:ladder"))
    return application


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def set_assessment_score(*, actor, person, month: dt.date | None, score) -> AssessmentScore:
    """A department head (or director) enters a person's assessment score (考核分, 0–100) for a month, until
    KPI computes it; a second entry for the month replaces the first."""
    if not (actor.is_superuser or actor.role_codes & SCORE_ROLES):
        raise NotAllowed(_("Only department heads and directors enter assessment scores."))
    errors = Errors()
    if person is None or person.pk == actor.pk or not scope_for(actor).can_act_on_person(person):
        errors.add("person", _("No such person in your scope."))
    if month is None:
        errors.add("month", _("Give the month."))
    elif month > timezone.localdate():
        errors.add("month", _("The month has not begun yet."))
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors.add("score", _("A score from 0 to 100."))
    errors.raise_if_any(_("The assessment score cannot be saved."))
    month = first_of_month(month)
    User.objects.select_for_update().filter(pk=person.pk).first()  # one entry of a person's month at a time
    row = AssessmentScore.objects.select_for_update().filter(person=person, month=month).first()
    if row is None:
        row = AssessmentScore.objects.create(person=person, month=month, score=value, source="manual",
                                             entered_by=actor, entered_at=timezone.now())
        record(actor=actor, action=Action.CREATE, obj=row, after=_snapshot(row))
    else:
        before = _snapshot(row)
        row.score, row.entered_by, row.entered_at, row.source = value, actor, timezone.now(), "manual"
        row.save()
        record(actor=actor, action=Action.UPDATE, obj=row, before=before, after=_snapshot(row))
    return row


LEVEL_FIELDS = ("base_pay", "min_months", "clean_months", "min_score", "approver_role")


@transaction.atomic
def update_level(*, actor, level_id: int, version: int | None = None, **changes) -> Level:
    """Department heads and directors change a level's criteria and base pay (the criteria are data)."""
    if not (actor.is_superuser or actor.role_codes & SCORE_ROLES):
        raise NotAllowed(_("Only department heads and directors change the level criteria."))
    level = Level.objects.select_for_update().filter(pk=level_id).first()
    if level is None:
        raise NotFound(_("No such level."))
    if version is not None:
        check_version(level, version)
    errors = Errors()
    unknown = set(changes) - set(LEVEL_FIELDS)
    for name in sorted(unknown):
        errors.add(name, _("This field cannot be changed."))
    for name in ("min_months", "clean_months"):
        if name in changes and (not isinstance(changes[name], int) or not 0 <= changes[name] <= 600):
            errors.add(name, _("A number of months from 0 to 600."))
    if "min_score" in changes:
        try:
            changes["min_score"] = Decimal(str(changes["min_score"])).quantize(Decimal("0.01"))
            if not Decimal(0) <= changes["min_score"] <= Decimal(100):
                raise ValueError
        except (InvalidOperation, ValueError):
            errors.add("min_score", _("A score from 0 to 100."))
    if "base_pay" in changes:
        try:
            changes["base_pay"] = Decimal(str(changes["base_pay"])).quantize(Decimal("0.01"))
            if not Decimal(0) <= changes["base_pay"] < Decimal("100000000"):
                raise ValueError
        except (InvalidOperation, ValueError):
            errors.add("base_pay", _("An amount from 0 with two decimal places."))
    if "approver_role" in changes and changes["approver_role"] not in APPROVER_ROLES:
        errors.add("approver_role", _("Choose one of: %(expected)s.") % {"expected": ", ".join(APPROVER_ROLES)})
    errors.raise_if_any(_("The level cannot be saved."))
    before = _snapshot(level)
    for name, value in changes.items():
        setattr(level, name, value)
    bump_version(level)
    level.save()
    record(actor=actor, action=Action.UPDATE, obj=level, before=before, after=_snapshot(level))
    return level
