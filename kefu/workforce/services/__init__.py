"""Every change of shifts, leave, attendance and violations (SPEC §4): keyword-only, transactional,
audited; the API and the pages call these and nothing else writes.

Rule numbers are settings (kefu.rules): ``workforce.leave_notice_hours`` (24), ``…special_leave_notice_hours``
(1), ``…night_leave_cutoff`` (12:00), ``…holiday_leave_notice_days`` (2), ``…head_leave_max_days`` (1),
``…late_minutes`` (20).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import FileField, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.audit.services import snapshot as _snapshot
from kefu.bizcalendar.selectors import HOLIDAY, day_kind
from kefu.core import hooks
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, RuleViolation
from kefu.notifications.services import notify
from kefu.org.models import User
from kefu.org.roles import Role
from kefu.rules.selectors import get_rule
from kefu.workforce import access
from kefu.workforce.models import (
    AnnualLeaveEntitlement,
    Attendance,
    LeaveKind,
    LeaveRequest,
    Shift,
    ShiftKind,
    ShiftType,
    Violation,
    shift_moments,
)

RULE_LEAVE = "R-WFM-4"
RULE_ATTENDANCE = "R-WFM-5"
RULE_REST = "R-WFM-3"  # 连班: the minimum rest between two shifts
ACTIVE_LEAVE = (LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED)
PERSONAL_KINDS = (LeaveKind.PERSONAL, LeaveKind.SPECIAL_PERSONAL)
MAX_LEAVE_DAYS = 366


def snapshot(obj) -> dict:
    """The audit snapshot of ``obj``; a file is recorded by its name."""
    data = _snapshot(obj, [f.name for f in obj._meta.concrete_fields if not isinstance(f, FileField)])
    for f in obj._meta.concrete_fields:
        if isinstance(f, FileField):
            data[f.attname] = getattr(obj, f.attname).name or ""
    return data


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _fmt(moment: dt.datetime) -> str:
    return f"{_local(moment):%Y-%m-%d %H:%M}"


# -- shift types and the roster (R-WFM-1) ---------------------------------------------------------------

@transaction.atomic
def ensure_shift_type(*, actor, centre, code: str, name: str, kind: str, start: dt.time, end: dt.time,
                      breaks: list | None = None, work_type: str = "", headcount: int = 0) -> ShiftType:
    """The centre's shift type ``code``, created when missing (demo data, administrators)."""
    existing = ShiftType.objects.filter(centre=centre, code=code).first()
    if existing is not None:
        return existing
    if kind == ShiftKind.DAY and end <= start:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("end", _("A day shift ends after it starts."))])
    shift_type = ShiftType.objects.create(centre=centre, code=code, name=name, kind=kind, start=start, end=end,
                                          breaks=breaks or [], work_type=work_type, headcount=headcount)
    record(actor=actor, action=Action.CREATE, obj=shift_type, after=snapshot(shift_type))
    return shift_type


def _clean_shift_times(errors: Errors, kind: str, start: dt.time | None, end: dt.time | None) -> None:
    if kind not in ShiftKind.values:
        errors.add("kind", _("Choose one of: %(expected)s.") % {"expected": ", ".join(ShiftKind.values)})
    if start is None:
        errors.add("start", _("Give the time the shift starts."))
    if end is None:
        errors.add("end", _("Give the time the shift ends."))
    if start is not None and end is not None:
        if start == end:
            errors.add("end", _("A shift cannot end when it starts."))
        elif kind == ShiftKind.DAY and end < start:
            errors.add("end", _("A day shift ends after it starts; a shift crossing midnight is a night or "
                                "custom shift."))


def _check_rest(*, person, start_at: dt.datetime, end_at: dt.datetime) -> None:
    """R-WFM-3 (连班): at least ``workforce.swap_min_rest_hours`` (8) between the end of the person's previous
    shift and the start of this one, and between the end of this one and the start of their next one; a shift
    freed by approved leave does not count. Also across midnight, as the moments are compared."""
    hours = get_rule("workforce.swap_min_rest_hours", centre_id=person.centre_id)
    rest = dt.timedelta(hours=hours)
    if not rest:
        return
    worked = Shift.objects.filter(person=person, leave__isnull=True)
    before = worked.filter(end_at__lte=start_at, end_at__gt=start_at - rest).order_by("-end_at").first()
    if before is not None:
        raise RuleViolation(_("Less than %(n)s hours of rest between two shifts.") % {"n": hours},
                            rule=RULE_REST, errors=[FieldError("start", _(
                                "%(person)s's shift before ends at %(end)s: this one may start at %(earliest)s "
                                "at the earliest (%(n)s hours of rest).")
                                % {"person": person, "end": _fmt(before.end_at), "earliest": _fmt(before.end_at + rest),
                                   "n": hours})])
    after = worked.filter(start_at__gte=end_at, start_at__lt=end_at + rest).order_by("start_at").first()
    if after is not None:
        raise RuleViolation(_("Less than %(n)s hours of rest between two shifts.") % {"n": hours},
                            rule=RULE_REST, errors=[FieldError("start", _(
                                "%(person)s's next shift starts at %(start)s: this one must end by %(latest)s "
                                "(%(n)s hours of rest).")
                                % {"person": person, "start": _fmt(after.start_at), "latest": _fmt(after.start_at - rest),
                                   "n": hours})])


@transaction.atomic
def create_shift(*, actor, person, date: dt.date, kind: str | None = None, start: dt.time | None = None,
                 end: dt.time | None = None, shift_type: ShiftType | None = None, status: str = "published",
                 note: str = "") -> Shift:
    """Put ``person`` on the roster on ``date`` (leads for their team, heads and directors for theirs)."""
    if not access.may_roster(actor):
        raise NotAllowed(_("Only team leads, department heads and directors change the roster."))
    from kefu.org.scope import scope_for

    if not scope_for(actor).can_act_on_person(person):
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("person", _("No such person in your scope."))])
    if shift_type is not None:
        kind = kind or shift_type.kind
        start = start or shift_type.start
        end = end or shift_type.end
    kind = kind or ShiftKind.CUSTOM
    errors = Errors()
    _clean_shift_times(errors, kind, start, end)
    if status not in Shift.Status.values:
        errors.add("status", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Shift.Status.values)})
    errors.raise_if_any(_("The shift cannot be saved."))
    try:
        start_at, end_at = shift_moments(date, start, end)
    except (OverflowError, ValueError):
        raise InvalidInput(_("The shift cannot be saved."),
                           errors=[FieldError("date", _("Enter a date within the calendar."))]) from None
    # the person's row is locked so that two leads cannot put overlapping shifts (or 连班) at once
    User.objects.select_for_update(of=("self",)).filter(pk=person.pk).first()
    clash = Shift.objects.filter(person=person, start_at__lt=end_at, end_at__gt=start_at).first()
    if clash is not None:
        raise InvalidInput(_("The shift cannot be saved."), errors=[FieldError(
            "start", _("%(person)s already has a shift from %(start)s to %(end)s.")
            % {"person": person, "start": _fmt(clash.start_at), "end": _fmt(clash.end_at)})])
    _check_rest(person=person, start_at=start_at, end_at=end_at)
    shift = Shift.objects.create(
        person=person, team_id=person.team_id, date=date, shift_type=shift_type, kind=kind, start=start, end=end,
        start_at=start_at, end_at=end_at, status=status, note=note[:200], created_by=actor,
        created_at=timezone.now(),
    )
    leave = LeaveRequest.objects.filter(person=person, status=LeaveRequest.Status.APPROVED,
                                        start_at__lt=end_at, end_at__gt=start_at).first()
    if leave is not None:  # a shift put into approved leave is a gap from the start
        shift.leave = leave
        shift.save(update_fields=["leave"])
    record(actor=actor, action=Action.CREATE, obj=shift, after=snapshot(shift))
    return shift


@transaction.atomic
def delete_shift(*, actor, shift_id: int, version: int | None) -> None:
    shift = access.shift_for_manager(actor, shift_id, for_update=True)
    check_version(shift, version)
    before = snapshot(shift)
    record(actor=actor, action=Action.DELETE, obj=shift, before=before)
    shift.delete()


@transaction.atomic
def publish_shifts(*, actor, team, date_from: dt.date, date_to: dt.date) -> int:
    """Publish the team's draft shifts of the period; the people are told their schedule is out."""
    if not access.may_roster(actor):
        raise NotAllowed(_("Only team leads, department heads and directors change the roster."))
    from kefu.org.scope import scope_for

    if team.pk not in scope_for(actor).team_ids:
        raise NotAllowed(_("This team is outside your scope."))
    drafts = list(Shift.objects.filter(team=team, date__gte=date_from, date__lte=date_to,
                                       status=Shift.Status.DRAFT))
    if not drafts:
        return 0
    Shift.objects.filter(pk__in=[s.pk for s in drafts]).update(status=Shift.Status.PUBLISHED)
    record(actor=actor, action=Action.TRANSITION, obj=team, note=f"published {len(drafts)} shifts "
           f"{date_from:%Y-%m-%d}..{date_to:%Y-%m-%d}")
    notify(recipients={s.person_id for s in drafts}, kind="roster_published",
           title=gettext_lazy("Your schedule has been published"), url=reverse("workforce:my_schedule"))
    return len(drafts)


# -- leave (R-WFM-4) ------------------------------------------------------------------------------------

@dataclass
class Check:
    """One rule check a leave request passes or fails, shown on the form before submitting."""

    label: str
    ok: bool
    message: str = ""
    waived: bool = False


@dataclass
class LeavePlan:
    """What the rules say about a leave request before it is saved."""

    person: object
    kind: str
    start_at: dt.datetime
    end_at: dt.datetime
    days: int = 0
    approver_role: str = LeaveRequest.ApproverRole.HEAD
    touches_holiday: bool = False
    holidays: list[str] = field(default_factory=list)
    first_shift: Shift | None = None
    manager_filed: bool = False
    checks: list[Check] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    rule_errors: list[FieldError] = field(default_factory=list)
    rule: str = RULE_LEAVE  # the rule a refusal names (R-WFM-3 for a shift obtained by a swap)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.rule_errors


def leave_days(start_at: dt.datetime, end_at: dt.datetime) -> int:
    """The length of a leave in days, begun days counting whole: 00:00 to 00:00 is 1 day, a night shift from
    22:00 to 06:00 is 1 day, 09:00 on Monday to 18:00 on Tuesday is 2 days."""
    seconds = (end_at - start_at).total_seconds()
    return max(1, math.ceil(seconds / 86400))


def annual_balance(person, year: int, *, exclude_id: int | None = None) -> tuple[int, int]:
    """(entitlement, days used or asked) of ``person``'s annual leave in ``year``."""
    entitlement = AnnualLeaveEntitlement.objects.filter(person=person, year=year).values_list("days", flat=True)
    days = entitlement.first() or 0
    used_qs = LeaveRequest.objects.filter(person=person, kind=LeaveKind.ANNUAL, status__in=ACTIVE_LEAVE,
                                          start_at__year=year)
    if exclude_id:
        used_qs = used_qs.exclude(pk=exclude_id)
    used = used_qs.aggregate(n=Sum("days"))["n"] or 0
    return days, used


def plan_leave(*, actor, person, kind: str, start_at: dt.datetime | None, end_at: dt.datetime | None,
               reason: str = "") -> LeavePlan:
    """Check a leave request against every rule of R-WFM-4 without writing anything."""
    now = timezone.now()
    errors = Errors()
    if kind not in LeaveKind.values:
        errors.add("kind", _("Choose one of: %(expected)s.") % {"expected": ", ".join(LeaveKind.values)})
    if start_at is None:
        errors.add("start", _("Give the moment the leave starts."))
    if end_at is None:
        errors.add("end", _("Give the moment the leave ends."))
    if start_at is not None and end_at is not None and end_at <= start_at:
        errors.add("end", _("The leave must end after it starts."))
    elif start_at is not None and end_at is not None and end_at - start_at > dt.timedelta(days=MAX_LEAVE_DAYS):
        errors.add("end", _("One request covers at most %(n)s days.") % {"n": MAX_LEAVE_DAYS})
    if not (reason or "").strip():
        errors.add("reason", _("Give a reason."))
    elif len(reason) > 500:
        errors.add("reason", _("At most %(n)s characters.") % {"n": 500})
    plan = LeavePlan(person=person, kind=kind, start_at=start_at or now, end_at=end_at or now,
                     errors=list(errors.items))
    if any(e.field in {"kind", "start", "end"} for e in plan.errors):
        return plan

    centre_id = person.centre_id
    rules = {key: get_rule(f"workforce.{key}", centre_id=centre_id) for key in (
        "leave_notice_hours", "special_leave_notice_hours", "night_leave_cutoff", "holiday_leave_notice_days",
        "head_leave_max_days")}
    plan.days = leave_days(start_at, end_at)
    plan.manager_filed = access.can_manage_person(actor, person)
    by_person = person.pk == actor.pk
    if not by_person and not plan.manager_filed:
        plan.errors.append(FieldError("person", _("You may ask leave only for yourself.")))
        return plan

    overlapping = LeaveRequest.objects.filter(person=person, status__in=ACTIVE_LEAVE, start_at__lt=end_at,
                                              end_at__gt=start_at).first()
    if overlapping is not None:
        plan.errors.append(FieldError("start", _("%(person)s already has leave from %(start)s to %(end)s.")
                                      % {"person": person, "start": _fmt(overlapping.start_at),
                                         "end": _fmt(overlapping.end_at)}))

    plan.first_shift = (Shift.objects.filter(person=person, start_at__lt=end_at, end_at__gt=start_at,
                                             leave__isnull=True).order_by("start_at").first())
    reference = plan.first_shift.start_at if plan.first_shift else start_at
    notice = reference - now
    swapped = (Shift.objects.filter(person=person, start_at__lt=end_at, end_at__gt=start_at, swap__isnull=False)
               .order_by("start_at").first())
    if swapped is not None:  # R-WFM-3: a shift obtained by a swap (还班 too) is worked, never taken as leave
        message = (_("The shift at %(start)s came to you by a shift swap (换班): a swapped shift cannot be taken as "
                     "leave.") % {"start": _fmt(swapped.start_at)})
        plan.checks.append(Check(_("No shift obtained by a swap"), False, message))
        plan.rule_errors.insert(0, FieldError("start", message))
        plan.rule = RULE_REST

    day = _local(start_at).date()
    last = _local(end_at - dt.timedelta(microseconds=1)).date()
    while day <= last:
        info = day_kind(day)
        if info.kind == HOLIDAY:
            plan.holidays.append(f"{day:%Y-%m-%d} {info.name}".strip())
        day += dt.timedelta(days=1)
    plan.touches_holiday = bool(plan.holidays)
    head_max = rules["head_leave_max_days"]
    director = plan.touches_holiday or plan.days > head_max
    plan.approver_role = LeaveRequest.ApproverRole.DIRECTOR if director else LeaveRequest.ApproverRole.HEAD

    def check(label: str, ok: bool, message: str, field_name: str = "start") -> None:
        """A notice rule: refused when the person asks; waived (the manager's explicit approval) when a lead
        or head files it for them."""
        if ok:
            plan.checks.append(Check(label, True))
        elif plan.manager_filed:
            plan.checks.append(Check(label, True, message, waived=True))
        else:
            plan.checks.append(Check(label, False, message))
            plan.rule_errors.append(FieldError(field_name, message))

    shift_text = (_("the shift at %(start)s") % {"start": _fmt(reference)} if plan.first_shift
                  else _("the leave's start at %(start)s") % {"start": _fmt(reference)})
    if kind == LeaveKind.PERSONAL:
        hours = rules["leave_notice_hours"]
        check(_("Personal leave: %(n)s hours' notice") % {"n": hours}, notice >= dt.timedelta(hours=hours),
              _("Personal leave must be asked at least %(n)s hours before %(shift)s.") % {"n": hours, "shift": shift_text})
    elif kind == LeaveKind.SPECIAL_PERSONAL:
        hours = rules["special_leave_notice_hours"]
        check(_("Special personal leave: %(n)s hours' notice") % {"n": hours}, notice >= dt.timedelta(hours=hours),
              _("Special personal leave must be asked at least %(n)s hours before %(shift)s.")
              % {"n": hours, "shift": shift_text})
    if plan.first_shift is not None and plan.first_shift.kind == ShiftKind.NIGHT:
        cutoff_time = rules["night_leave_cutoff"]
        cutoff = timezone.make_aware(dt.datetime.combine(plan.first_shift.date, cutoff_time))
        check(_("Night shift: asked before %(t)s that day") % {"t": f"{cutoff_time:%H:%M}"}, now < cutoff,
              _("Leave from a night shift must be asked before %(t)s on the day of the shift (%(day)s).")
              % {"t": f"{cutoff_time:%H:%M}", "day": f"{plan.first_shift.date:%Y-%m-%d}"})
    if plan.touches_holiday:
        need = rules["holiday_leave_notice_days"]
        check(_("Public holiday: %(n)s days' notice") % {"n": need}, notice >= dt.timedelta(days=need),
              _("Leave touching a public holiday (%(days)s) needs at least %(n)s days' notice.")
              % {"days": ", ".join(plan.holidays), "n": need})

    # R-WFM-4: personal leave is asked by the person; a manager files it for them only as their
    # explicit approval of a notice too short for the person to ask.
    if kind in PERSONAL_KINDS and not by_person and not any(c.waived for c in plan.checks):
        message = _("Personal leave is asked by the person themselves; a manager files it for them only when "
                    "the notice is too short.")
        plan.checks.append(Check(_("Asked by the person"), False, message))
        plan.rule_errors.append(FieldError("person", message))

    if kind == LeaveKind.ANNUAL:
        year = _local(start_at).year
        entitlement, used = annual_balance(person, year)
        left = entitlement - used
        ok = plan.days <= left
        message = _("Annual leave of %(days)s days is more than the %(left)s days left of %(year)s "
                    "(entitlement %(entitlement)s).") % {"days": plan.days, "left": max(left, 0), "year": year,
                                                         "entitlement": entitlement}
        plan.checks.append(Check(_("Annual leave balance: %(left)s days left") % {"left": max(left, 0)}, ok,
                                 "" if ok else message))
        if not ok:
            plan.rule_errors.append(FieldError("end", message))

    approver_label = (_("centre director") if director else _("department head"))
    why = []
    if plan.days > head_max:
        why.append(_("more than %(n)s day(s)") % {"n": head_max})
    if plan.touches_holiday:
        why.append(_("touches a public holiday"))
    plan.checks.append(Check(_("Approved by the %(who)s") % {"who": approver_label}, True,
                             "; ".join(str(w) for w in why)))
    return plan


def _raise_for(plan: LeavePlan) -> None:
    if plan.errors:
        raise InvalidInput(_("The leave request cannot be saved."), errors=plan.errors + plan.rule_errors)
    if plan.rule_errors:
        raise RuleViolation(plan.rule_errors[0].message, errors=plan.rule_errors, rule=plan.rule)


def _free_shifts(leave: LeaveRequest) -> int:
    """Approved leave frees the person's shifts in its time: the roster shows the gap."""
    return Shift.objects.filter(person_id=leave.person_id, start_at__lt=leave.end_at, end_at__gt=leave.start_at,
                                leave__isnull=True).update(leave=leave)


@transaction.atomic
def request_leave(*, actor, person, kind: str, start_at: dt.datetime | None, end_at: dt.datetime | None,
                  reason: str, certificate=None) -> LeaveRequest:
    """Ask leave for ``person`` (oneself, or as a lead/head for one's people). Refused with R-WFM-4 when a rule
    says no; approved at once when the filer is the approver the request needs."""
    User.objects.select_for_update().filter(pk=person.pk).first()  # one request per person at a time
    plan = plan_leave(actor=actor, person=person, kind=kind, start_at=start_at, end_at=end_at, reason=reason)
    _raise_for(plan)
    now = timezone.now()
    leave = LeaveRequest(
        person=person, kind=kind, start_at=start_at, end_at=end_at, days=plan.days, reason=reason.strip(),
        approver_role=plan.approver_role, touches_holiday=plan.touches_holiday, filed_by=actor,
        manager_approved=plan.manager_filed, created_at=now,
    )
    if certificate is not None:
        leave.certificate = certificate
    if plan.manager_filed and access.may_decide(actor, leave):
        leave.status = LeaveRequest.Status.APPROVED
        leave.decided_by = actor
        leave.decided_at = now
        leave.delegated_from = access.decides_for(actor, leave)
    from kefu.workforce.services.certificates import set_certificate_due

    set_certificate_due(leave)  # sick leave of a day or more: the certificate is due the first day back
    leave.save()
    record(actor=actor, action=Action.CREATE, obj=leave, after=snapshot(leave))
    if leave.status == LeaveRequest.Status.APPROVED:
        _free_shifts(leave)
        if person.pk != actor.pk:
            notify(recipients=[person], kind="leave_decided", title=gettext_lazy("Leave filed and approved for you"),
                   url=reverse("workforce:my_schedule"))
    else:
        notify(recipients=_approvers(leave), kind="leave_pending",
               title=gettext_lazy("A leave request awaits your decision"), body=f"{person}: {leave.reason}",
               url=reverse("workforce:approvals"))
    return leave


def _approvers(leave: LeaveRequest) -> list[int]:
    """The people who decide ``leave`` (R-WFM-4): the heads of the person's department, or the centre's directors."""
    person = leave.person
    if leave.approver_role == LeaveRequest.ApproverRole.DIRECTOR:
        qs = User.objects.filter(centre_id=person.centre_id, roles__role=Role.DIRECTOR)
    else:
        qs = User.objects.filter(department_id=person.department_id, roles__role=Role.HEAD)
    from kefu.workforce.services.delegation import with_stand_ins

    # an approver away on leave who handed their approvals over: their delegate is told too
    return with_stand_ins(qs.filter(is_active=True).exclude(pk=person.pk).values_list("pk", flat=True).distinct())


def _decide(*, actor, leave_id: int, version: int | None, status: str, note: str) -> LeaveRequest:
    leave = access.access_leave(actor, leave_id, for_update=True)
    if not access.may_decide(actor, leave):
        who = (_("the centre director") if leave.approver_role == LeaveRequest.ApproverRole.DIRECTOR
               else _("the department head"))
        raise NotAllowed(_("This leave request is decided by %(who)s.") % {"who": who}, rule=RULE_LEAVE)
    if version is not None:
        check_version(leave, version)
    if leave.status != LeaveRequest.Status.PENDING:
        raise InvalidInput(_("This leave request is no longer pending."),
                           errors=[FieldError("status", _("Already %(status)s.") % {
                               "status": leave.get_status_display()})])
    before = snapshot(leave)
    leave.status = status
    leave.decided_by = actor
    leave.decided_at = timezone.now()
    leave.decision_note = (note or "").strip()[:300]
    leave.delegated_from = access.decides_for(actor, leave)  # a delegate decides on the approver's behalf
    if status == LeaveRequest.Status.APPROVED:
        from kefu.workforce.services.certificates import set_certificate_due

        set_certificate_due(leave)
    bump_version(leave)
    leave.save()
    record(actor=actor, action=Action.TRANSITION, obj=leave, before=before, after=snapshot(leave),
           note=f"on behalf of {leave.delegated_from.get_username()}" if leave.delegated_from else "")
    return leave


@transaction.atomic
def approve_leave(*, actor, leave_id: int, version: int | None = None, note: str = "") -> LeaveRequest:
    leave = _decide(actor=actor, leave_id=leave_id, version=version, status=LeaveRequest.Status.APPROVED, note=note)
    _free_shifts(leave)
    notify(recipients=[leave.person], kind="leave_decided", title=gettext_lazy("Your leave was approved"),
           url=reverse("workforce:my_schedule"))
    return leave


@transaction.atomic
def reject_leave(*, actor, leave_id: int, version: int | None = None, note: str = "") -> LeaveRequest:
    leave = _decide(actor=actor, leave_id=leave_id, version=version, status=LeaveRequest.Status.REJECTED, note=note)
    notify(recipients=[leave.person], kind="leave_decided", title=gettext_lazy("Your leave was refused"),
           body=leave.decision_note, url=reverse("workforce:my_schedule"))
    return leave


@transaction.atomic
def cancel_leave(*, actor, leave_id: int, version: int | None = None) -> LeaveRequest:
    """Cancel leave before it starts (the person, whoever filed it, or a manager of the person)."""
    leave = access.access_leave(actor, leave_id, for_update=True)
    if actor.pk not in (leave.person_id, leave.filed_by_id) and not access.can_manage_person(actor, leave.person):
        raise NotAllowed(_("Only the person or their managers cancel this leave."))
    if version is not None:
        check_version(leave, version)
    if leave.status not in ACTIVE_LEAVE:
        raise InvalidInput(_("This leave request is no longer pending."),
                           errors=[FieldError("status", _("Already %(status)s.") % {
                               "status": leave.get_status_display()})])
    if timezone.now() >= leave.start_at:
        raise RuleViolation(_("Leave can be cancelled only before it starts."), rule=RULE_LEAVE,
                            errors=[FieldError("start", _("The leave started at %(start)s.")
                                               % {"start": _fmt(leave.start_at)})])
    before = snapshot(leave)
    leave.status = LeaveRequest.Status.CANCELLED
    bump_version(leave)
    leave.save()
    Shift.objects.filter(leave=leave).update(leave=None)
    record(actor=actor, action=Action.TRANSITION, obj=leave, before=before, after=snapshot(leave))
    return leave


@transaction.atomic
def set_annual_entitlement(*, actor, person, year: int, days: int) -> AnnualLeaveEntitlement:
    """Heads and directors set a person's annual leave days for a year (actor None: demo data)."""
    if actor is not None and not (actor.is_superuser or actor.role_codes & {Role.HEAD, Role.DIRECTOR, Role.ADMIN}):
        raise NotAllowed(_("Only department heads and directors set annual leave."))
    if days < 0 or days > 366:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("days", _("Between 0 and 366 days."))])
    row, created = AnnualLeaveEntitlement.objects.select_for_update().get_or_create(
        person=person, year=year, defaults={"days": days})
    before = {} if created else snapshot(row)
    if not created and row.days != days:
        row.days = days
        bump_version(row)
        row.save()
    record(actor=actor, action=Action.CREATE if created else Action.UPDATE, obj=row, before=before or None,
           after=snapshot(row))
    return row


# -- attendance and violations (R-WFM-5, R-ORG-4) -------------------------------------------------------

@transaction.atomic
def record_violation(*, actor, person, rule: str, evidence: str, kind: str = Violation.Kind.OTHER,
                     shift: Shift | None = None) -> Violation:
    """Record a violation at once ("hot stove", R-ORG-4) and tell the person."""
    if actor is not None and not access.can_manage_person(actor, person):
        raise NotAllowed(_("Only the person's lead and above record violations."))
    errors = Errors()
    if not (evidence or "").strip():
        errors.add("evidence", _("Describe what happened."))
    if not (rule or "").strip():
        errors.add("rule", _("Name the rule broken."))
    if kind not in Violation.Kind.values:
        errors.add("kind", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Violation.Kind.values)})
    errors.raise_if_any(_("The violation cannot be recorded."))
    violation = Violation.objects.create(person=person, rule=rule.strip()[:20], evidence=evidence.strip(),
                                         kind=kind, shift=shift, recorded_by=actor, at=timezone.now())
    record(actor=actor, action=Action.CREATE, obj=violation, after=snapshot(violation))
    notify(recipients=[person], kind="violation_recorded", title=gettext_lazy("A violation was recorded"),
           body=violation.evidence, url=reverse("workforce:violations"))
    return violation


@dataclass
class AttendanceResult:
    attendance: Attendance
    violation: Violation | None


@transaction.atomic
def record_attendance(*, actor, person, shift_id: int, check_in_at: dt.datetime,
                      check_out_at: dt.datetime | None = None) -> AttendanceResult:
    """A lead records a check-in (and out) for a shift; late by the setting or more → a violation, at once."""
    shift = access.shift_for_manager(actor, shift_id, for_update=True)
    errors = Errors()
    if shift.person_id != person.pk:
        errors.add("person", _("This shift belongs to %(person)s.") % {"person": shift.person})
    if check_out_at is not None and check_out_at <= check_in_at:
        errors.add("check_out_at", _("The check-out must come after the check-in."))
    errors.raise_if_any(_("The attendance cannot be recorded."))
    late = max(0, int((check_in_at - shift.start_at).total_seconds() // 60))
    attendance = Attendance.objects.filter(shift=shift).first()
    if attendance is None:
        attendance = Attendance.objects.create(person=person, shift=shift, check_in_at=check_in_at,
                                               check_out_at=check_out_at, late_minutes=late, recorded_by=actor,
                                               recorded_at=timezone.now())
        record(actor=actor, action=Action.CREATE, obj=attendance, after=snapshot(attendance))
    else:
        before = snapshot(attendance)
        attendance.check_in_at = check_in_at
        attendance.check_out_at = check_out_at
        attendance.late_minutes = late
        attendance.absent = False  # a lead's check-in corrects an absence the job recorded
        attendance.recorded_by = actor
        bump_version(attendance)
        attendance.save()
        record(actor=actor, action=Action.UPDATE, obj=attendance, before=before, after=snapshot(attendance),
               note="absence corrected: checked in" if before.get("absent") else "")
    _void_absence(actor=actor, shift=shift, check_in_at=check_in_at)
    return AttendanceResult(attendance, _late_violation(actor=actor, shift=shift, check_in_at=check_in_at, late=late))


def _void_absence(*, actor, shift: Shift, check_in_at: dt.datetime) -> None:
    """A check-in recorded for a shift corrects its absence (旷工): the ABSENCE violation (by the job or the roll
    call) is voided — deleted, its snapshot kept in the audit record with a note saying why."""
    for violation in Violation.objects.select_for_update().filter(shift=shift, kind=Violation.Kind.ABSENCE):
        before = snapshot(violation)
        hooks.fire(hooks.KPI_DAYS_CHANGED, at=[violation.at])  # that day's KPI lose the violation
        violation.delete()
        record(actor=actor, action=Action.DELETE, obj=violation, object_id=before.get("id", ""), before=before,
               note=f"absence voided: check-in recorded at {check_in_at.isoformat()}")


def _late_violation(*, actor, shift: Shift, check_in_at: dt.datetime, late: int) -> Violation | None:
    """R-WFM-5: late by the setting (20 minutes) or more → a violation, recorded at once, once per shift."""
    person = shift.person
    threshold = get_rule("workforce.late_minutes", centre_id=person.centre_id)
    if late < threshold:
        return None
    violation = Violation.objects.filter(shift=shift, kind=Violation.Kind.LATE).first()
    if violation is None:
        violation = record_violation(
            actor=actor, person=person, rule=RULE_ATTENDANCE, kind=Violation.Kind.LATE, shift=shift,
            evidence=_("Checked in at %(at)s, %(n)s minutes after the shift started at %(start)s.")
            % {"at": _fmt(check_in_at), "n": late, "start": _fmt(shift.start_at)})
    return violation


CHECK_IN_EARLY = dt.timedelta(hours=1)


@transaction.atomic
def check_in(*, actor) -> AttendanceResult:
    """The person checks in (the button) for their published shift under way or starting within the hour."""
    now = timezone.now()
    User.objects.select_for_update().filter(pk=actor.pk).first()
    shift = (Shift.objects.select_related("person").filter(
        person=actor, status=Shift.Status.PUBLISHED, leave__isnull=True, start_at__lte=now + CHECK_IN_EARLY,
        end_at__gt=now).order_by("start_at").first())
    if shift is None:
        raise InvalidInput(_("You have no shift starting within the hour or under way."),
                           errors=[FieldError("shift", _("No shift to check in for."))])
    if Attendance.objects.filter(shift=shift).exists():
        raise InvalidInput(_("You have already checked in for this shift."),
                           errors=[FieldError("shift", _("Already checked in."))])
    late = max(0, int((now - shift.start_at).total_seconds() // 60))
    attendance = Attendance.objects.create(person=actor, shift=shift, check_in_at=now, late_minutes=late,
                                           recorded_by=actor, recorded_at=now)
    record(actor=actor, action=Action.CREATE, obj=attendance, after=snapshot(attendance))
    return AttendanceResult(attendance, _late_violation(actor=None, shift=shift, check_in_at=now, late=late))


@transaction.atomic
def check_out(*, actor) -> Attendance:
    """The person checks out of the shift they checked in for."""
    now = timezone.now()
    attendance = (Attendance.objects.select_for_update().filter(person=actor, check_out_at__isnull=True,
                                                                check_in_at__lte=now)
                  .order_by("-check_in_at").first())
    if attendance is None:
        raise InvalidInput(_("You have not checked in."), errors=[FieldError("shift", _("Check in first."))])
    before = snapshot(attendance)
    attendance.check_out_at = now
    bump_version(attendance)
    attendance.save()
    record(actor=actor, action=Action.UPDATE, obj=attendance, before=before, after=snapshot(attendance))
    from kefu.workforce.services.breaks import end_open_breaks

    end_open_breaks(now=now, person=actor, at_check_out=True)  # a break does not outlast the day's work
    return attendance


# -- the absence job (R-WFM-5) --------------------------------------------------------------------------

ABSENCE_LOOKBACK = dt.timedelta(days=2)


@transaction.atomic
def record_absences(*, now: dt.datetime | None = None, lookback: dt.timedelta = ABSENCE_LOOKBACK) -> int:
    """The periodic job of R-WFM-5: a published shift that ended within ``lookback`` before ``now`` with no
    check-in and not freed by approved leave is an absence (旷工). Each is recorded at once: an attendance row
    marked absent and a violation (R-ORG-4, through ``record_violation``, which tells the person); the person's
    team leads are told too. Idempotent: a shift with an attendance row is never looked at again, so a second
    run records nothing. Returns the number of absences recorded."""
    from django.db.models import Exists, OuterRef

    from kefu.org.selectors import leads_of_team

    now = now or timezone.now()
    approved_leave = LeaveRequest.objects.filter(person_id=OuterRef("person_id"),
                                                 status=LeaveRequest.Status.APPROVED,
                                                 start_at__lt=OuterRef("end_at"), end_at__gt=OuterRef("start_at"))
    candidates = (Shift.objects.filter(status=Shift.Status.PUBLISHED, leave__isnull=True, end_at__lte=now,
                                       end_at__gt=now - lookback, attendance__isnull=True,
                                       person__is_active=True)
                  .exclude(Exists(approved_leave)).order_by("end_at", "pk").values_list("pk", flat=True))
    recorded = 0
    for shift_id in list(candidates):
        # the shift's row is locked, then looked at again: a check-in recorded meanwhile, or a second run of
        # the job, wins
        shift = Shift.objects.select_for_update().filter(pk=shift_id).first()
        if shift is None or Attendance.objects.filter(shift_id=shift_id).exists():
            continue
        person = User.objects.get(pk=shift.person_id)
        shift.person = person
        attendance = Attendance.objects.create(person=person, shift=shift, check_in_at=None, absent=True,
                                               recorded_by=None, recorded_at=now)
        record(actor=None, action=Action.CREATE, obj=attendance, after=snapshot(attendance),
               note="absence: no check-in by the shift's end")
        evidence = (_("No check-in for the shift from %(start)s to %(end)s and no approved leave: absence (旷工).")
                    % {"start": _fmt(shift.start_at), "end": _fmt(shift.end_at)})
        violation = record_violation(actor=None, person=person, rule=RULE_ATTENDANCE, kind=Violation.Kind.ABSENCE,
                                     shift=shift, evidence=evidence)
        leads = leads_of_team(shift.team_id or person.team_id).exclude(pk=person.pk)
        notify(recipients=list(leads), kind="violation_recorded",
               title=gettext_lazy("A person of your team was absent (旷工)"),
               body=f"{person}: {violation.evidence}", url=reverse("workforce:violations"))
        if shift.swap_id is not None:  # R-WFM-3: an uncovered swap is absence for both sides
            from kefu.workforce.services.swaps import record_uncovered_swap

            record_uncovered_swap(shift=shift)
        recorded += 1
    return recorded
