"""Duty log (值班日志, R-WFM-1) and handover (交接班, R-WFM-2): every change keyword-only, transactional,
audited.

- A duty log entry is written during a shift by a person on it (for their shift's team), or by a lead, head
  or director for a team in their scope.
- The outgoing person writes the handover of their shift (equipment state, difficult cases with linked
  tickets they can see, staffing changes). The incoming shift is the next published shift of the same team
  that starts at or after the outgoing one ends (or up to an hour before), else one that overlaps its end;
  its people are the incoming people.
- Sign-off is refused until at least one incoming person has checked in (R-WFM-2); the incoming people are
  told; one of them acknowledges.
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
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, NotFound, RuleViolation
from kefu.notifications.services import notify
from kefu.org.scope import scope_for
from kefu.workforce import access
from kefu.workforce.models import Attendance, DutyLogEntry, Handover, Shift
from kefu.workforce.services import _fmt, snapshot

RULE_HANDOVER = "R-WFM-2"
# A shift starting up to this long before the outgoing one ends is still the incoming one (people come a little
# early to be told); one that started earlier is a staggered colleague working alongside. Not a SPEC number.
INCOMING_ALLOWANCE = dt.timedelta(minutes=60)
TEXT_MAX = 5000
TICKETS_MAX = 50


# -- who is on which shift ----------------------------------------------------------------------------------

def current_shift(person, *, now: dt.datetime | None = None) -> Shift | None:
    """``person``'s published shift under way at ``now`` (not freed by leave)."""
    now = now or timezone.now()
    return (Shift.objects.filter(person=person, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                 start_at__lte=now, end_at__gt=now)
            .select_related("team").order_by("start_at").first())


def incoming_shifts(shift: Shift) -> list[Shift]:
    """The incoming shift of ``shift`` (R-WFM-2): the team's next published shifts, not freed by leave, of
    other people, that start at or after ``shift`` ends (``INCOMING_ALLOWANCE`` before it at the earliest), or
    else overlap its end; all of them that start at the earliest such moment (several people start together)."""
    if shift.team_id is None:
        return []
    candidates = (Shift.objects.filter(team_id=shift.team_id, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                       end_at__gt=shift.end_at, start_at__gt=shift.start_at)
                  .exclude(person_id=shift.person_id))
    cut = shift.end_at - INCOMING_ALLOWANCE
    # the shifts that follow (start at the end, or a little before it), not a staggered colleague who started
    # an hour after the outgoing person; a colleague overlapping the end takes over only when no following
    # shift starts before that colleague leaves (a night shift under way when the late shift ends)
    first = candidates.filter(start_at__gte=cut).order_by("start_at", "id").values_list("start_at", flat=True).first()
    overlapping = candidates.filter(start_at__lt=cut).order_by("end_at", "start_at", "id").values_list(
        "end_at", "start_at").first()
    if overlapping is not None and (first is None or first > overlapping[0]):
        first = (candidates.filter(start_at__lt=cut).order_by("start_at", "id")
                 .values_list("start_at", flat=True).first())
    if first is None:
        return []
    return list(candidates.filter(start_at=first).select_related("person").order_by("person_id", "id"))


def incoming_people_ids(handover: Handover) -> set[int]:
    if handover.incoming_shift_id is None:
        return set()
    incoming = handover.incoming_shift
    return set(Shift.objects.filter(team_id=incoming.team_id, start_at=incoming.start_at,
                                    status=Shift.Status.PUBLISHED, leave__isnull=True)
               .exclude(person_id=handover.author_id).values_list("person_id", flat=True))


# -- duty log -----------------------------------------------------------------------------------------------

def may_manage_team(user, team_id: int | None) -> bool:
    return team_id is not None and access.is_manager(user) and team_id in scope_for(user).team_ids


@transaction.atomic
def write_duty_log(*, actor, text: str, team=None) -> DutyLogEntry:
    """A duty log entry for ``team`` (default: the team of the caller's shift under way)."""
    text = (text or "").strip()
    errors = Errors()
    if not text:
        errors.add("text", _("Write what happened."))
    elif len(text) > TEXT_MAX:
        errors.add("text", _("At most %(n)s characters.") % {"n": TEXT_MAX})
    errors.raise_if_any(_("The duty log entry cannot be saved."))
    now = timezone.now()
    shift = current_shift(actor, now=now)
    team_id = team.pk if team is not None else (shift.team_id if shift is not None else actor.team_id)
    on_duty = shift is not None and shift.team_id == team_id
    if not on_duty and not may_manage_team(actor, team_id):
        raise InvalidInput(_("The duty log entry cannot be saved."), errors=[FieldError(
            "team", _("The duty log is written during a shift by the people on it, and by the team's managers."))])
    entry = DutyLogEntry.objects.create(team_id=team_id, shift=shift if on_duty else None, author=actor,
                                        text=text, at=now)
    record(actor=actor, action=Action.CREATE, obj=entry, after=snapshot(entry))
    return entry


# -- handover (R-WFM-2) -------------------------------------------------------------------------------------

def _clean(errors: Errors, name: str, value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        errors.add(name, _("At most %(n)s characters.") % {"n": TEXT_MAX})
    return value


def _tickets(errors: Errors, actor, ticket_ids: list[int] | None) -> list[int]:
    """The ids of the linked tickets: each must be a ticket the author can see."""
    from kefu.tickets.access import tickets_in_scope

    ids = list(dict.fromkeys(int(i) for i in ticket_ids or []))
    if len(ids) > TICKETS_MAX:
        errors.add("ticket_ids", _("At most %(n)s tickets.") % {"n": TICKETS_MAX})
        return []
    found = set(tickets_in_scope(actor).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    missing = [i for i in ids if i not in found]
    if missing:
        errors.add("ticket_ids", _("No such ticket in your scope: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
    return ids


def _own_shift(actor, shift_id: int | None, now: dt.datetime) -> Shift:
    """The outgoing shift: ``shift_id`` (the caller's own) or the caller's shift under way, else the one
    that ended last (within a day)."""
    qs = Shift.objects.filter(person=actor, status=Shift.Status.PUBLISHED, leave__isnull=True)
    if shift_id is not None:
        shift = qs.filter(pk=shift_id).first()
        if shift is None:
            raise InvalidInput(_("The handover cannot be saved."),
                               errors=[FieldError("shift_id", _("Not one of your shifts."))])
    else:
        shift = (current_shift(actor, now=now)
                 or qs.filter(end_at__lte=now, end_at__gt=now - dt.timedelta(days=1)).order_by("-end_at").first())
        if shift is None:
            raise InvalidInput(_("The handover cannot be saved."),
                               errors=[FieldError("shift_id", _("You have no shift under way or just ended."))])
    if shift.start_at > now:
        raise InvalidInput(_("The handover cannot be saved."),
                           errors=[FieldError("shift_id", _("The handover is written once the shift has started."))])
    return shift


@transaction.atomic
def write_handover(*, actor, shift_id: int | None = None, equipment: str = "", difficult_cases: str = "",
                   staffing: str = "", ticket_ids: list[int] | None = None) -> Handover:
    """The outgoing person writes the handover of their shift (one per shift)."""
    now = timezone.now()
    errors = Errors()
    equipment = _clean(errors, "equipment", equipment)
    difficult_cases = _clean(errors, "difficult_cases", difficult_cases)
    staffing = _clean(errors, "staffing", staffing)
    ids = _tickets(errors, actor, ticket_ids)
    if not (equipment or difficult_cases or staffing or ids) and not errors.items:
        errors.add("equipment", _("Write at least one part of the handover."))
    errors.raise_if_any(_("The handover cannot be saved."))
    shift = _own_shift(actor, shift_id, now)
    Shift.objects.select_for_update().filter(pk=shift.pk).first()
    if Handover.objects.filter(outgoing_shift=shift).exists():
        raise InvalidInput(_("The handover cannot be saved."),
                           errors=[FieldError("shift_id", _("The handover of this shift is already written: edit it."))])
    incoming = incoming_shifts(shift)
    handover = Handover.objects.create(outgoing_shift=shift, incoming_shift=incoming[0] if incoming else None,
                                       author=actor, equipment=equipment, difficult_cases=difficult_cases,
                                       staffing=staffing, created_at=now)
    handover.tickets.set(ids)
    record(actor=actor, action=Action.CREATE, obj=handover, after=_snapshot(handover))
    return handover


def _snapshot(handover: Handover) -> dict:
    data = snapshot(handover)
    data["tickets"] = sorted(handover.tickets.values_list("pk", flat=True))
    return data


def _access(actor, handover_id: int, *, for_update: bool = False) -> Handover:
    from kefu.workforce.selectors.handover import handovers_in_scope

    qs = handovers_in_scope(actor).select_related("outgoing_shift", "incoming_shift", "author")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    handover = qs.filter(pk=handover_id).first()
    if handover is None:
        raise NotFound(_("No such handover."))
    return handover


@transaction.atomic
def edit_handover(*, actor, handover_id: int, version: int | None, equipment: str = "", difficult_cases: str = "",
                  staffing: str = "", ticket_ids: list[int] | None = None) -> Handover:
    """The outgoing person edits their handover until it is signed off."""
    handover = _access(actor, handover_id, for_update=True)
    if handover.author_id != actor.pk:
        raise NotAllowed(_("Only the outgoing person edits the handover."))
    check_version(handover, version)
    if handover.status != Handover.Status.DRAFT:
        raise InvalidInput(_("The handover cannot be saved."),
                           errors=[FieldError("status", _("Already %(status)s.") % {"status": handover.get_status_display()})])
    errors = Errors()
    equipment = _clean(errors, "equipment", equipment)
    difficult_cases = _clean(errors, "difficult_cases", difficult_cases)
    staffing = _clean(errors, "staffing", staffing)
    ids = _tickets(errors, actor, ticket_ids)
    if not (equipment or difficult_cases or staffing or ids) and not errors.items:
        errors.add("equipment", _("Write at least one part of the handover."))
    errors.raise_if_any(_("The handover cannot be saved."))
    before = _snapshot(handover)
    handover.equipment, handover.difficult_cases, handover.staffing = equipment, difficult_cases, staffing
    incoming = incoming_shifts(handover.outgoing_shift)
    handover.incoming_shift = incoming[0] if incoming else None
    bump_version(handover)
    handover.save()
    handover.tickets.set(ids)
    record(actor=actor, action=Action.UPDATE, obj=handover, before=before, after=_snapshot(handover))
    return handover


@transaction.atomic
def sign_off_handover(*, actor, handover_id: int, version: int | None) -> Handover:
    """R-WFM-2: the outgoing person signs off once at least one incoming person has checked in; the incoming
    people are told."""
    handover = _access(actor, handover_id, for_update=True)
    if handover.author_id != actor.pk:
        raise NotAllowed(_("Only the outgoing person signs off the handover."))
    check_version(handover, version)
    if handover.status != Handover.Status.DRAFT:
        raise InvalidInput(_("The handover cannot be signed off."),
                           errors=[FieldError("status", _("Already %(status)s.") % {"status": handover.get_status_display()})])
    before = _snapshot(handover)
    incoming = incoming_shifts(handover.outgoing_shift)  # the roster may have changed since it was written
    if not incoming:
        raise RuleViolation(_("There is no incoming shift to hand over to."), rule=RULE_HANDOVER,
                            errors=[FieldError("incoming", _("No published shift of the team follows this one."))])
    handover.incoming_shift = incoming[0]
    checked_in = set(Attendance.objects.filter(shift__in=incoming, check_in_at__isnull=False)
                     .values_list("person_id", flat=True))
    if not checked_in:
        names = ", ".join(str(s.person) for s in incoming)
        raise RuleViolation(
            _("The incoming person has not checked in yet: the handover is signed off once they have."),
            rule=RULE_HANDOVER,
            errors=[FieldError("incoming", _("Not checked in yet: %(names)s (shift from %(start)s).")
                               % {"names": names, "start": _fmt(incoming[0].start_at)})])
    handover.status = Handover.Status.SIGNED_OFF
    handover.signed_off_at = timezone.now()
    bump_version(handover)
    handover.save()
    record(actor=actor, action=Action.TRANSITION, obj=handover, before=before, after=_snapshot(handover))
    day = timezone.localtime(handover.outgoing_shift.start_at).date()
    notify(recipients={s.person_id for s in incoming}, kind="handover_signed_off",
           title=gettext_lazy("A handover awaits your acknowledgement"),
           body=f"{actor}: {handover.difficult_cases or handover.equipment or handover.staffing}"[:500],
           url=f"{reverse('workforce:handover')}?team={handover.outgoing_shift.team_id}&date={day:%Y-%m-%d}")
    return handover


@transaction.atomic
def acknowledge_handover(*, actor, handover_id: int, version: int | None) -> Handover:
    """An incoming person acknowledges the signed-off handover; the outgoing person is told."""
    handover = _access(actor, handover_id, for_update=True)
    if actor.pk not in incoming_people_ids(handover):
        raise NotAllowed(_("Only a person of the incoming shift acknowledges the handover."))
    check_version(handover, version)
    if handover.status != Handover.Status.SIGNED_OFF:
        message = (_("The outgoing person has not signed it off yet.") if handover.status == Handover.Status.DRAFT
                   else _("Already %(status)s.") % {"status": handover.get_status_display()})
        raise InvalidInput(_("The handover cannot be acknowledged."), errors=[FieldError("status", message)])
    before = _snapshot(handover)
    handover.status = Handover.Status.ACKNOWLEDGED
    handover.acknowledged_by = actor
    handover.acknowledged_at = timezone.now()
    bump_version(handover)
    handover.save()
    record(actor=actor, action=Action.TRANSITION, obj=handover, before=before, after=_snapshot(handover))
    day = timezone.localtime(handover.outgoing_shift.start_at).date()
    notify(recipients=[handover.author_id], kind="handover_acknowledged",
           title=gettext_lazy("Your handover was acknowledged"), body=str(actor),
           url=f"{reverse('workforce:handover')}?team={handover.outgoing_shift.team_id}&date={day:%Y-%m-%d}")
    return handover
