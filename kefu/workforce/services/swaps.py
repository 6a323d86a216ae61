"""Shift swaps (换班, R-WFM-3): asked by a person for one of their shifts against a colleague's; approved by
the team leads of both people (one lead when both are in one team; a department head or director may approve
too); on approval the two shifts change hands. Keyword-only, transactional, audited.

Rule numbers are settings (kefu.rules): ``workforce.swap_max_per_month`` (2), ``…swap_min_rest_hours`` (8),
``…swap_max_level_gap`` (1).

Every condition is checked when the swap is asked (``plan_swap`` says which pass, for the form's live checks)
and again, under row locks, when the last approval makes it happen, so two racing approvals cannot give one
shift twice or break a rule the other one made true meanwhile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.bizcalendar.selectors import HOLIDAY, day_kind
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import FieldError, InvalidInput, NotAllowed, RuleViolation
from kefu.notifications.services import notify
from kefu.org.models import User
from kefu.rules.selectors import get_rule
from kefu.workforce import access
from kefu.workforce.models import Shift, ShiftSwap, Violation, WorkerProfile
from kefu.workforce.selectors.swaps import colleague_shifts
from kefu.workforce.services import Check, _fmt, record_violation, snapshot

RULE_SWAP = "R-WFM-3"
ACTIVE = (ShiftSwap.Status.PENDING, ShiftSwap.Status.APPROVED)
REASON_MAX = 300


@dataclass
class SwapPlan:
    """What the rules say about a swap before it is saved (or before the last approval makes it happen)."""

    requester: User
    shift: Shift | None = None
    with_shift: Shift | None = None
    payback_for: ShiftSwap | None = None
    checks: list[Check] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    rule_errors: list[FieldError] = field(default_factory=list)

    @property
    def counterpart(self) -> User | None:
        return self.with_shift.person if self.with_shift is not None else None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.rule_errors

    def check(self, label: str, problems: list[tuple[str, str]]) -> None:
        """One rule check: passed when ``problems`` (field, message) is empty."""
        if not problems:
            self.checks.append(Check(label, True))
            return
        self.checks.append(Check(label, False, " ".join(message for _f, message in problems)))
        self.rule_errors.extend(FieldError(f, message) for f, message in problems)


def _work_type(shift: Shift) -> str:
    return shift.shift_type.work_type if shift.shift_type_id else ""


def _rank(person) -> int:
    """The rank of the person's level; no profile or no level counts as rank 0."""
    profile = WorkerProfile.objects.filter(person=person).select_related("level").first()
    return profile.level.rank if profile is not None and profile.level_id else 0


def _shift_text(shift: Shift) -> str:
    return f"{_fmt(shift.start_at)}–{timezone.localtime(shift.end_at):%H:%M}"


def _active_swaps(person, exclude_id: int | None):
    qs = ShiftSwap.objects.filter(Q(requester=person) | Q(counterpart=person), status__in=ACTIVE)
    return qs.exclude(pk=exclude_id) if exclude_id else qs


def _month(day: dt.date) -> tuple[int, int]:
    return day.year, day.month


def _rest_problem(person, shift: Shift, *, gives: Shift, hours: int) -> str | None:
    """连班 after the exchange: ``person`` works ``shift`` instead of ``gives``; their other shifts not freed by
    leave must not overlap it nor leave less than ``hours`` of rest before or after it (across midnight too:
    moments are compared)."""
    rest = dt.timedelta(hours=hours)
    worked = Shift.objects.filter(person=person, leave__isnull=True).exclude(pk__in=[gives.pk, shift.pk])
    clash = worked.filter(start_at__lt=shift.end_at, end_at__gt=shift.start_at).order_by("start_at").first()
    if clash is not None:
        return (_("%(person)s already works %(other)s, which overlaps the shift %(shift)s.")
                % {"person": person, "other": _shift_text(clash), "shift": _shift_text(shift)})
    if not rest:
        return None
    before = (worked.filter(end_at__lte=shift.start_at, end_at__gt=shift.start_at - rest)
              .order_by("-end_at").first())
    if before is not None:
        return (_("%(person)s's shift before ends at %(end)s: the shift %(shift)s would leave less than %(n)s hours "
                  "of rest (连班).")
                % {"person": person, "end": _fmt(before.end_at), "shift": _shift_text(shift), "n": hours})
    after = worked.filter(start_at__gte=shift.end_at, start_at__lt=shift.end_at + rest).order_by("start_at").first()
    if after is not None:
        return (_("%(person)s's next shift starts at %(start)s: the shift %(shift)s would leave less than %(n)s hours "
                  "of rest (连班).")
                % {"person": person, "start": _fmt(after.start_at), "shift": _shift_text(shift), "n": hours})
    return None


def plan_swap(*, requester, shift_id: int | None, with_shift_id: int | None, reason: str = "",
              payback_for_id: int | None = None, exclude_swap_id: int | None = None) -> SwapPlan:
    """Check a swap of ``requester``'s shift ``shift_id`` against the colleague's ``with_shift_id`` with every
    condition of R-WFM-3, without writing anything. ``exclude_swap_id``: the swap itself, checked again when
    it is approved."""
    plan = SwapPlan(requester=requester)
    now = timezone.now()
    if not (reason or "").strip():
        plan.errors.append(FieldError("reason", _("Give a reason.")))
    elif len(reason) > REASON_MAX:
        plan.errors.append(FieldError("reason", _("At most %(n)s characters.") % {"n": REASON_MAX}))
    related = ("person", "shift_type")
    plan.shift = (colleague_shifts(requester) | Shift.objects.filter(person=requester)).select_related(
        *related).filter(pk=shift_id).first() if shift_id else None
    if plan.shift is None:
        plan.errors.append(FieldError("shift_id", _("Choose one of your shifts.")))
    plan.with_shift = (colleague_shifts(requester).select_related(*related).filter(pk=with_shift_id).first()
                       if with_shift_id else None)
    if plan.with_shift is None:
        plan.errors.append(FieldError("with_shift_id", _("Choose a colleague's shift.")))
    if payback_for_id:
        plan.payback_for = (access.swaps_in_scope(requester).select_related("shift", "with_shift")
                            .filter(pk=payback_for_id).first())
        if plan.payback_for is None:
            plan.errors.append(FieldError("payback_for", _("No such shift swap.")))
    if plan.shift is None or plan.with_shift is None:
        return plan

    shift, with_shift = plan.shift, plan.with_shift
    counterpart = with_shift.person
    plan.check(_("The first shift is yours, the other a colleague's"), [
        *([("shift_id", _("The shift %(shift)s is %(person)s's, not yours.")
            % {"shift": _shift_text(shift), "person": shift.person})] if shift.person_id != requester.pk else []),
        *([("with_shift_id", _("Choose a shift of someone else: you cannot swap with yourself."))]
          if counterpart.pk == requester.pk else []),
        *([("with_shift_id", _("%(person)s no longer works here.") % {"person": counterpart})]
          if not counterpart.is_active else []),
    ])
    if shift.person_id != requester.pk or counterpart.pk == requester.pk:
        return plan  # who gives what is unclear: the other rules cannot be checked

    both = (("shift_id", shift), ("with_shift_id", with_shift))
    plan.check(_("Both shifts are published, still to come and not freed by leave"), [
        (name, message) for name, s in both for message in (
            *([_("The shift %(shift)s is not published yet.") % {"shift": _shift_text(s)}]
              if s.status != Shift.Status.PUBLISHED else []),
            *([_("The shift %(shift)s has already started.") % {"shift": _shift_text(s)}] if s.start_at <= now else []),
            *([_("The shift %(shift)s is freed by leave.") % {"shift": _shift_text(s)}] if s.leave_id else []),
        )
    ])
    busy = ShiftSwap.objects.filter(Q(shift__in=[shift, with_shift]) | Q(with_shift__in=[shift, with_shift]),
                                    status=ShiftSwap.Status.PENDING)
    if exclude_swap_id:
        busy = busy.exclude(pk=exclude_swap_id)
    busy_ids = {i for pair in busy.values_list("shift_id", "with_shift_id") for i in pair}
    plan.check(_("Neither shift is in another pending swap"), [
        (name, _("The shift %(shift)s is already in a pending swap.") % {"shift": _shift_text(s)})
        for name, s in both if s.pk in busy_ids])

    centre_id = requester.centre_id
    rules = {key: get_rule(f"workforce.{key}", centre_id=centre_id)
             for key in ("swap_max_per_month", "swap_min_rest_hours", "swap_max_level_gap")}

    mine, theirs = _work_type(shift), _work_type(with_shift)
    plan.check(_("Same work type"), [] if mine == theirs else [(
        "with_shift_id", _("The shifts are of different work types (%(mine)s, %(theirs)s): swap only within one "
                           "work type.") % {"mine": mine or _("none"), "theirs": theirs or _("none")})])

    gap = rules["swap_max_level_gap"]
    ranks = _rank(requester), _rank(counterpart)
    plan.check(_("Comparable level (at most %(n)s step(s) apart)") % {"n": gap},
               [] if abs(ranks[0] - ranks[1]) <= gap else [(
                   "with_shift_id", _("Your level and %(person)s's are %(d)s steps apart; at most %(n)s are allowed.")
                   % {"person": counterpart, "d": abs(ranks[0] - ranks[1]), "n": gap})])

    holidays = []
    for name, s in both:
        info = day_kind(s.date)
        if info.kind == HOLIDAY:
            holidays.append((name, _("%(day)s is a public holiday (%(holiday)s): no swaps on public holidays.")
                             % {"day": f"{s.date:%Y-%m-%d}", "holiday": info.name}))
    plan.check(_("Not on a public holiday"), holidays)

    limit = rules["swap_max_per_month"]
    months = sorted({_month(shift.date), _month(with_shift.date)})
    too_many = []
    for name, person in (("shift_id", requester), ("with_shift_id", counterpart)):
        dates = list(_active_swaps(person, exclude_swap_id).values_list("shift__date", "with_shift__date"))
        for month in months:
            count = sum(1 for pair in dates if month in {_month(d) for d in pair})
            if count >= limit:
                too_many.append((name, _("%(person)s already has %(count)s swap(s) in %(month)s (pending ones count); "
                                         "at most %(n)s a month.")
                                 % {"person": person, "count": count, "month": f"{month[0]}-{month[1]:02d}",
                                    "n": limit}))
    plan.check(_("At most %(n)s swaps a month each") % {"n": limit}, too_many)

    days = {shift.date, with_shift.date}
    adjacent = []
    for name, person in (("shift_id", requester), ("with_shift_id", counterpart)):
        other = {d for pair in _active_swaps(person, exclude_swap_id).values_list("shift__date", "with_shift__date")
                 for d in pair}
        close = sorted(d for d in other if any(abs((d - mine).days) == 1 for mine in days))
        if close:
            adjacent.append((name, _("%(person)s already has a swapped shift on %(day)s: a person's swapped shifts may "
                                     "not fall on consecutive days.") % {"person": person, "day": f"{close[0]:%Y-%m-%d}"}))
    plan.check(_("No swapped shifts on consecutive days"), adjacent)

    hours = rules["swap_min_rest_hours"]
    rest = []
    problem = _rest_problem(requester, with_shift, gives=shift, hours=hours)
    if problem:
        rest.append(("with_shift_id", problem))
    problem = _rest_problem(counterpart, shift, gives=with_shift, hours=hours)
    if problem:
        rest.append(("shift_id", problem))
    plan.check(_("At least %(n)s hours of rest for both after the swap (no 连班)") % {"n": hours}, rest)

    if plan.payback_for is not None:
        earlier = plan.payback_for
        wrong = []
        if (earlier.requester_id, earlier.counterpart_id) != (counterpart.pk, requester.pk):
            wrong.append(_("It pays back a swap %(person)s asked of you.") % {"person": counterpart})
        if earlier.status != ShiftSwap.Status.APPROVED or earlier.payback_for_id:
            wrong.append(_("Only an approved swap (not itself a pay-back) is paid back."))
        elif earlier.paid_back:
            wrong.append(_("That swap is already paid back."))
        plan.check(_("Pays back (还班) an earlier swap in the other direction"),
                   [("payback_for", message) for message in wrong])
    return plan


def _raise_for(plan: SwapPlan) -> None:
    if plan.errors:
        raise InvalidInput(_("The shift swap cannot be asked."), errors=plan.errors + plan.rule_errors)
    if plan.rule_errors:
        raise RuleViolation(plan.rule_errors[0].message, errors=plan.rule_errors, rule=RULE_SWAP)


def _lock_people(*ids: int) -> None:
    """Both people's rows, always in the same order: one swap change per person at a time."""
    list(User.objects.select_for_update().filter(pk__in=[i for i in ids if i]).order_by("pk").values_list("pk"))


def _approvers(swap: ShiftSwap) -> set[int]:
    """The leads of both people's teams; the department heads when a side has no lead."""
    from kefu.org.selectors import leads_of_team, managers_of

    ids: set[int] = set()
    for person in (swap.requester, swap.counterpart):
        leads = set(leads_of_team(person.team_id).filter(is_active=True).values_list("pk", flat=True))
        if not leads:
            leads = set(managers_of(person.department_id, "head").values_list("pk", flat=True))
        ids |= leads
    return ids - {swap.requester_id, swap.counterpart_id}


@transaction.atomic
def request_swap(*, actor, shift_id: int | None, with_shift_id: int | None, reason: str,
                 payback_for_id: int | None = None) -> ShiftSwap:
    """``actor`` asks to swap their shift ``shift_id`` for a colleague's ``with_shift_id``: pending until the
    leads approve; refused with R-WFM-3, naming the condition, when a rule says no."""
    other = Shift.objects.filter(pk=with_shift_id).values_list("person_id", flat=True).first() if with_shift_id else None
    _lock_people(actor.pk, other)
    plan = plan_swap(requester=actor, shift_id=shift_id, with_shift_id=with_shift_id, reason=reason,
                     payback_for_id=payback_for_id)
    _raise_for(plan)
    swap = ShiftSwap.objects.create(requester=actor, counterpart=plan.counterpart, shift=plan.shift,
                                    with_shift=plan.with_shift, reason=reason.strip(), payback_for=plan.payback_for,
                                    created_at=timezone.now())
    record(actor=actor, action=Action.CREATE, obj=swap, after=snapshot(swap))
    url = reverse("workforce:swaps")
    notify(recipients=[swap.counterpart], kind="swap_asked", title=gettext_lazy("A colleague asks to swap shifts"),
           body=f"{actor}: {_shift_text(plan.shift)} ⇄ {_shift_text(plan.with_shift)}", url=url)
    notify(recipients=_approvers(swap), kind="swap_pending", title=gettext_lazy("A shift swap awaits your approval"),
           body=f"{actor} ⇄ {swap.counterpart}: {swap.reason}", url=url)
    return swap


def _pending(swap: ShiftSwap) -> None:
    if swap.status != ShiftSwap.Status.PENDING:
        raise InvalidInput(_("This shift swap is no longer pending."),
                           errors=[FieldError("status", _("Already %(status)s.") % {
                               "status": swap.get_status_display()})])


def _for_decision(*, actor, swap_id: int, version: int | None) -> tuple[ShiftSwap, set[str]]:
    """The swap locked for a decision, with the sides the caller approves (403 when none)."""
    seen = access.access_swap(actor, swap_id)
    _lock_people(seen.requester_id, seen.counterpart_id)
    swap = access.access_swap(actor, swap_id, for_update=True)
    sides = access.swap_sides(actor, swap)
    if not sides:
        raise NotAllowed(_("This shift swap is approved by the team leads of %(a)s and %(b)s.")
                         % {"a": swap.requester, "b": swap.counterpart}, rule=RULE_SWAP)
    check_version(swap, version)
    _pending(swap)
    return swap, sides


@transaction.atomic
def approve_swap(*, actor, swap_id: int, version: int | None, note: str = "") -> ShiftSwap:
    """A lead approves their person's side (both sides when both people are in their team; a head or director
    the sides in their scope). When both sides are approved the rules are checked again and the shifts change
    hands; a pay-back marks the earlier swap paid back."""
    swap, sides = _for_decision(actor=actor, swap_id=swap_id, version=version)
    before = snapshot(swap)
    approved = []
    if "requester" in sides and not swap.requester_lead_approved_by_id:
        swap.requester_lead_approved_by = actor
        approved.append("requester")
    if "counterpart" in sides and not swap.counterpart_lead_approved_by_id:
        swap.counterpart_lead_approved_by = actor
        approved.append("counterpart")
    if not approved:
        raise InvalidInput(_("You have already approved this shift swap; it waits for the other team's lead."),
                           errors=[FieldError("status", _("Already approved by you."))])
    if note.strip():
        swap.decision_note = note.strip()[:300]
    done = swap.requester_lead_approved_by_id and swap.counterpart_lead_approved_by_id
    if done:
        _carry_out(actor=actor, swap=swap)
    bump_version(swap)
    swap.save()
    record(actor=actor, action=Action.TRANSITION if done else Action.UPDATE, obj=swap, before=before,
           after=snapshot(swap), note="approved: " + ", ".join(approved))
    url = reverse("workforce:swaps")
    if done:
        notify(recipients=[swap.requester, swap.counterpart], kind="swap_decided",
               title=gettext_lazy("Your shift swap was approved"),
               body=f"{_shift_text(swap.shift)} ⇄ {_shift_text(swap.with_shift)}", url=url)
    else:
        waiting = swap.requester if not swap.requester_lead_approved_by_id else swap.counterpart
        from kefu.org.selectors import leads_of_team

        notify(recipients=list(leads_of_team(waiting.team_id).exclude(pk__in=[actor.pk, swap.requester_id,
                                                                              swap.counterpart_id])),
               kind="swap_pending", title=gettext_lazy("A shift swap awaits your approval"),
               body=f"{swap.requester} ⇄ {swap.counterpart}: {swap.reason}", url=url)
    return swap


def _carry_out(*, actor, swap: ShiftSwap) -> None:
    """Both sides approved: every rule once more with the rows locked, then the two shifts change hands."""
    list(Shift.objects.select_for_update().filter(pk__in=[swap.shift_id, swap.with_shift_id]).order_by("pk"))
    plan = plan_swap(requester=swap.requester, shift_id=swap.shift_id, with_shift_id=swap.with_shift_id,
                     reason=swap.reason, payback_for_id=swap.payback_for_id, exclude_swap_id=swap.pk)
    if plan.ok and plan.with_shift.person_id != swap.counterpart_id:
        plan.rule_errors.append(FieldError("with_shift_id", _("The shift %(shift)s is no longer %(person)s's.")
                                           % {"shift": _shift_text(plan.with_shift), "person": swap.counterpart}))
    if plan.errors or plan.rule_errors:
        errors = plan.errors + plan.rule_errors
        raise RuleViolation(_("The swap cannot take place any more: %(why)s") % {"why": errors[0].message},
                            errors=errors, rule=RULE_SWAP)
    for shift, person in ((plan.shift, swap.counterpart), (plan.with_shift, swap.requester)):
        shift_before = snapshot(shift)
        shift.person = person
        shift.team_id = person.team_id or shift.team_id
        shift.swap = swap
        bump_version(shift)
        shift.save(update_fields=["person", "team", "swap", "version"])
        record(actor=actor, action=Action.UPDATE, obj=shift, before=shift_before, after=snapshot(shift),
               note=f"shift swap {swap.pk}")
    if plan.payback_for is not None:
        earlier = ShiftSwap.objects.select_for_update().get(pk=plan.payback_for.pk)
        earlier_before = snapshot(earlier)
        earlier.paid_back = True
        bump_version(earlier)
        earlier.save(update_fields=["paid_back", "version"])
        record(actor=actor, action=Action.UPDATE, obj=earlier, before=earlier_before, after=snapshot(earlier),
               note=f"paid back by swap {swap.pk}")
    swap.status = ShiftSwap.Status.APPROVED
    swap.decided_by = actor
    swap.decided_at = timezone.now()


@transaction.atomic
def reject_swap(*, actor, swap_id: int, version: int | None, note: str) -> ShiftSwap:
    """A lead of either side (or a head, director) refuses the swap, with a note; both people are told."""
    swap, _sides = _for_decision(actor=actor, swap_id=swap_id, version=version)
    if not (note or "").strip():
        raise InvalidInput(_("Give a reason for the refusal."),
                           errors=[FieldError("note", _("Give a reason for the refusal."))])
    before = snapshot(swap)
    swap.status = ShiftSwap.Status.REJECTED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.decision_note = note.strip()[:300]
    bump_version(swap)
    swap.save()
    record(actor=actor, action=Action.TRANSITION, obj=swap, before=before, after=snapshot(swap))
    notify(recipients=[swap.requester, swap.counterpart], kind="swap_decided",
           title=gettext_lazy("Your shift swap was refused"), body=swap.decision_note, url=reverse("workforce:swaps"))
    return swap


@transaction.atomic
def cancel_swap(*, actor, swap_id: int, version: int | None) -> ShiftSwap:
    """The requester withdraws their swap while it is pending; the colleague is told."""
    swap = access.access_swap(actor, swap_id, for_update=True)
    if swap.requester_id != actor.pk:
        raise NotAllowed(_("Only the person who asked for the swap cancels it."))
    check_version(swap, version)
    _pending(swap)
    before = snapshot(swap)
    swap.status = ShiftSwap.Status.CANCELLED
    bump_version(swap)
    swap.save()
    record(actor=actor, action=Action.TRANSITION, obj=swap, before=before, after=snapshot(swap))
    notify(recipients=[swap.counterpart], kind="swap_decided", title=gettext_lazy("A shift swap was withdrawn"),
           body=f"{swap.requester}: {swap.reason}", url=reverse("workforce:swaps"))
    return swap


def record_uncovered_swap(*, shift: Shift) -> Violation | None:
    """R-WFM-3: a shift that came by an approved swap ended without check-in: absence (旷工) for the other side
    of the swap too (the person's own absence is recorded by the absence job). Once per shift and person."""
    from kefu.org.selectors import leads_of_team

    swap = ShiftSwap.objects.select_related("requester", "counterpart").filter(pk=shift.swap_id).first()
    if swap is None:
        return None
    other = swap.requester if shift.person_id == swap.counterpart_id else swap.counterpart
    if other.pk == shift.person_id or not other.is_active:
        return None
    if Violation.objects.filter(shift=shift, person=other, kind=Violation.Kind.ABSENCE).exists():
        return None
    evidence = (_("Nobody worked the shift from %(start)s to %(end)s that you swapped with %(person)s: an uncovered "
                  "swap is absence (旷工) for both.")
                % {"start": _fmt(shift.start_at), "end": _fmt(shift.end_at), "person": shift.person})
    violation = record_violation(actor=None, person=other, rule=RULE_SWAP, kind=Violation.Kind.ABSENCE,
                                 shift=shift, evidence=evidence)
    notify(recipients=list(leads_of_team(other.team_id).exclude(pk=other.pk)), kind="violation_recorded",
           title=gettext_lazy("A person of your team was absent (旷工)"), body=f"{other}: {violation.evidence}",
           url=reverse("workforce:violations"))
    return violation
