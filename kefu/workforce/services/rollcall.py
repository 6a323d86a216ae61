"""Roll call (点名, R-WFM-1): a team lead or head marks each person on a shift present, late, absent or on
leave, with a comment (点评), from ``workforce.roll_call_minutes`` (10) minutes before the shift starts.

The mark feeds attendance (R-WFM-5) through the same services as the check-in button and the absence job:
present/late records the check-in with ``record_attendance`` (late by 20 minutes or more → the violation,
once per shift); absent without approved leave records the absence (旷工) with its violation, once per shift.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, RuleViolation
from kefu.notifications.services import notify
from kefu.rules.selectors import get_rule
from kefu.workforce import access
from kefu.workforce.models import Attendance, LeaveRequest, RollCallMark, Shift, Violation
from kefu.workforce.services import RULE_ATTENDANCE, _fmt, record_attendance, record_violation, snapshot

RULE_ROLL_CALL = "R-WFM-1"
COMMENT_MAX = 300


def roll_call_opens_at(shift: Shift) -> dt.datetime:
    """The moment the roll call of ``shift`` opens: the setting's minutes before the shift starts."""
    minutes = get_rule("workforce.roll_call_minutes", centre_id=shift.person.centre_id)
    return shift.start_at - dt.timedelta(minutes=minutes)


def leave_covers(shift: Shift, moment: dt.datetime) -> bool:
    """The shift was freed by approved leave, or approved leave covers ``moment`` (its start, an arrival)."""
    if shift.leave_id is not None:
        return True
    return LeaveRequest.objects.filter(person_id=shift.person_id, status=LeaveRequest.Status.APPROVED,
                                       start_at__lte=moment, end_at__gt=moment).exists()


def has_approved_leave(shift: Shift) -> bool:
    """The shift was freed by approved leave, or approved leave covers part of it."""
    if shift.leave_id is not None:
        return True
    return LeaveRequest.objects.filter(person_id=shift.person_id, status=LeaveRequest.Status.APPROVED,
                                       start_at__lt=shift.end_at, end_at__gt=shift.start_at).exists()


@transaction.atomic
def mark_roll_call(*, actor, shift_id: int, status: str, comment: str = "", version: int | None = None,
                   arrived_at: dt.datetime | None = None) -> RollCallMark:
    """Mark the person of ``shift_id`` at the roll call (a lead of their team, a head or director in scope).

    A second mark of the same shift updates the first and must name the version it read. ``arrived_at``
    (late only, default now) is the moment the person arrived."""
    shift = access.shift_for_manager(actor, shift_id, for_update=True)
    if shift.person_id == actor.pk:
        raise NotAllowed(_("Your own roll call is marked by your lead or department head."))
    now = timezone.now()
    errors = Errors()
    if status not in RollCallMark.Status.values:
        errors.add("status", _("Choose one of: %(expected)s.") % {"expected": ", ".join(RollCallMark.Status.values)})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.add("comment", _("At most %(n)s characters.") % {"n": COMMENT_MAX})
    if shift.status != Shift.Status.PUBLISHED:
        errors.add("shift_id", _("This shift is not published yet."))
    if arrived_at is not None and status != RollCallMark.Status.LATE:
        errors.add("arrived_at", _("Give the arrival time only for a late arrival."))
    elif arrived_at is not None and arrived_at > now:
        errors.add("arrived_at", _("The arrival time cannot be in the future."))
    errors.raise_if_any(_("The roll call cannot be marked."))

    opens_at = roll_call_opens_at(shift)
    if now < opens_at:
        raise RuleViolation(
            _("The roll call opens %(n)s minutes before the shift starts.")
            % {"n": int((shift.start_at - opens_at).total_seconds() // 60)},
            rule=RULE_ROLL_CALL,
            errors=[FieldError("shift_id", _("The roll call of the shift starting at %(start)s opens at %(opens)s.")
                               % {"start": _fmt(shift.start_at), "opens": _fmt(opens_at)})])
    if arrived_at is not None and arrived_at < opens_at:
        raise InvalidInput(_("The roll call cannot be marked."), errors=[FieldError(
            "arrived_at", _("The arrival time cannot be before the roll call opens (%(opens)s).")
            % {"opens": _fmt(opens_at)})])

    mark = RollCallMark.objects.select_for_update().filter(shift=shift).first()
    if mark is not None:
        check_version(mark, version)
    _feed_attendance(actor=actor, shift=shift, status=status, now=now, arrived_at=arrived_at)

    if mark is None:
        mark = RollCallMark.objects.create(shift=shift, status=status, comment=comment, marked_by=actor,
                                           marked_at=now)
        record(actor=actor, action=Action.CREATE, obj=mark, after=snapshot(mark))
    else:
        before = snapshot(mark)
        mark.status = status
        mark.comment = comment
        mark.marked_by = actor
        mark.marked_at = now
        bump_version(mark)
        mark.save()
        record(actor=actor, action=Action.UPDATE, obj=mark, before=before, after=snapshot(mark))
    return mark


def _feed_attendance(*, actor, shift: Shift, status: str, now: dt.datetime, arrived_at: dt.datetime | None) -> None:
    """What the mark means for the shift's attendance (R-WFM-5)."""
    person = shift.person
    attendance = Attendance.objects.filter(shift=shift).first()
    on_leave = has_approved_leave(shift)
    if status in (RollCallMark.Status.PRESENT, RollCallMark.Status.LATE):
        # leave for part of the shift (an hour in the afternoon) does not stop a present or late mark: only
        # leave covering the shift's start, or the late arrival, does
        arrival = (arrived_at or now) if status == RollCallMark.Status.LATE else shift.start_at
        if leave_covers(shift, shift.start_at) or leave_covers(shift, arrival):
            raise InvalidInput(_("The roll call cannot be marked."), errors=[FieldError(
                "status", _("%(person)s has approved leave for this shift: mark them on leave.")
                % {"person": person})])
        if attendance is not None and attendance.check_in_at is not None:
            return  # already checked in (the button or an earlier mark): that moment stands
        if status == RollCallMark.Status.PRESENT:
            check_in_at = min(now, shift.start_at)
        else:
            check_in_at = arrived_at or now
        record_attendance(actor=actor, person=person, shift_id=shift.pk, check_in_at=check_in_at)
    elif status == RollCallMark.Status.ON_LEAVE:
        if not on_leave:
            raise InvalidInput(_("The roll call cannot be marked."), errors=[FieldError(
                "status", _("%(person)s has no approved leave for this shift.") % {"person": person})])
    else:  # absent
        if on_leave:
            raise InvalidInput(_("The roll call cannot be marked."), errors=[FieldError(
                "status", _("%(person)s has approved leave for this shift: mark them on leave.")
                % {"person": person})])
        if now < shift.start_at:
            raise InvalidInput(_("The roll call cannot be marked."), errors=[FieldError(
                "status", _("Nobody is absent before the shift starts (%(start)s).") % {"start": _fmt(shift.start_at)})])
        if attendance is not None and attendance.check_in_at is not None:
            raise InvalidInput(_("The roll call cannot be marked."), errors=[FieldError(
                "status", _("%(person)s checked in at %(at)s.") % {"person": person, "at": _fmt(attendance.check_in_at)})])
        _record_absence(actor=actor, shift=shift, attendance=attendance, now=now)


def _record_absence(*, actor, shift: Shift, attendance: Attendance | None, now: dt.datetime) -> None:
    """As the absence job does (services.record_absences): the attendance row marked absent and the
    violation told to the person and their team leads; nothing again when the job (or an earlier mark)
    already recorded the absence."""
    from kefu.org.selectors import leads_of_team

    person = shift.person
    if attendance is None:
        attendance = Attendance.objects.create(person=person, shift=shift, check_in_at=None, absent=True,
                                               recorded_by=actor, recorded_at=now)
        record(actor=actor, action=Action.CREATE, obj=attendance, after=snapshot(attendance),
               note="absence: marked absent at the roll call")
    elif not attendance.absent:
        before = snapshot(attendance)
        attendance.absent = True
        attendance.recorded_by = actor
        bump_version(attendance)
        attendance.save()
        record(actor=actor, action=Action.UPDATE, obj=attendance, before=before, after=snapshot(attendance),
               note="absence: marked absent at the roll call")
    if Violation.objects.filter(shift=shift, kind=Violation.Kind.ABSENCE).exists():
        return
    evidence = (_("Marked absent at the roll call of the shift from %(start)s to %(end)s, without approved leave: "
                  "absence (旷工).") % {"start": _fmt(shift.start_at), "end": _fmt(shift.end_at)})
    violation = record_violation(actor=actor, person=person, rule=RULE_ATTENDANCE, kind=Violation.Kind.ABSENCE,
                                 shift=shift, evidence=evidence)
    leads = leads_of_team(shift.team_id or person.team_id).exclude(pk__in=[person.pk, actor.pk])
    notify(recipients=list(leads), kind="violation_recorded",
           title=gettext_lazy("A person of your team was absent (旷工)"),
           body=f"{person}: {violation.evidence}", url=reverse("workforce:violations"))
