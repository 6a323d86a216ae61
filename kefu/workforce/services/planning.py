"""Shift types, shift plan proposals and copying a week (issue 10): keyword-only, transactional, audited.

- Shift types (R-WFM-1) are set by heads, directors and administrators (``access.may_edit_shift_types``).
- A proposal is started by a lead/head for a team and a week that has not begun: a ``PlanProposal`` row
  (queued) and the Huey job ``build_plan``, which reads the team's people (WorkerProfile skills and shifts
  per week), the centre's active shift types, approved leave, the shifts just before and after the week
  (rest across the week boundary), the hourly requirement of the staffing advice and the calendar
  (nights, weekends and holidays shared fairly), runs the CP-SAT planner within
  ``workforce.plan_time_limit_seconds`` reporting its progress into the row, and writes DRAFT shifts linked
  by ``Shift.proposal``. Shifts already on the week's roster stay and the proposal adds to them (they
  block their hours and the rest around them, count towards the shifts per week and cover part of the
  requirement); a new proposal for the week discards the earlier unpublished one. The lead removes or adds
  draft shifts through ``delete_shift``/``create_shift`` (which keep the rest rule), discards, or publishes:
  the drafts become published and each person whose shifts of that week changed is told once.
- Copying a week puts the team's shifts of one week on another week as drafts, through ``create_shift``
  (rest and overlap rules), skipping people on approved leave and saying why each was skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, FieldError, InvalidInput, NotAllowed, NotFound, ServiceError
from kefu.notifications.services import notify
from kefu.org.roles import Role
from kefu.rules.selectors import get_rule
from kefu.workforce import access
from kefu.workforce.models import LeaveRequest, PlanProposal, Shift, ShiftKind, ShiftType, shift_moments
from kefu.workforce.services import _clean_shift_times, create_shift, delete_shift, snapshot

log = logging.getLogger(__name__)
RULE_ROSTER = "R-WFM-1"
WEEK = dt.timedelta(days=7)
ACTIVE = (PlanProposal.Status.QUEUED, PlanProposal.Status.RUNNING)


# -- shift types (R-WFM-1) --------------------------------------------------------------------------------

def check_shift_type(errors: Errors, *, name: str, kind: str, start, end, breaks, work_type: str,
                      headcount: int) -> list:
    if not (name or "").strip():
        errors.add("name", _("Give a name."))
    elif len(name) > 50:
        errors.add("name", _("At most %(n)s characters.") % {"n": 50})
    zoned = [name for name, t in (("start", start), ("end", end)) if t is not None and t.tzinfo is not None]
    for name in zoned:
        errors.add(name, _("Give a local time without a time zone, e.g. 09:00."))
    if not zoned:
        _clean_shift_times(errors, kind, start, end)
    if len(work_type or "") > 50:
        errors.add("work_type", _("At most %(n)s characters.") % {"n": 50})
    if headcount is None or headcount < 0 or headcount > 1000:
        errors.add("headcount", _("Between 0 and 1000."))
    clean = []
    for pair in breaks or []:
        try:
            a, b = (dt.time.fromisoformat(str(t)) for t in pair)
        except (TypeError, ValueError):
            errors.add("breaks", _('Give breaks as pairs of times, e.g. [["12:00", "13:00"]].'))
            break
        if b <= a:
            errors.add("breaks", _("A break ends after it starts."))
            break
        clean.append([f"{a:%H:%M}", f"{b:%H:%M}"])
    return clean


def _may_edit_shift_types(actor) -> None:
    if not access.may_edit_shift_types(actor):
        raise NotAllowed(_("Shift types are set by department heads, directors and administrators."))


@transaction.atomic
def create_shift_type(*, actor, centre, code: str, name: str, kind: str, start: dt.time | None,
                      end: dt.time | None, breaks: list | None = None, work_type: str = "", headcount: int = 0,
                      active: bool = True) -> ShiftType:
    """A new shift type of the caller's centre (早班 09:00–18:00 …); an end not after the start is the next day."""
    _may_edit_shift_types(actor)
    errors = Errors()
    if centre is None:
        errors.add("centre", _("You belong to no centre."))
    code = (code or "").strip()
    from django.core.validators import validate_slug

    try:
        validate_slug(code)
    except Exception:  # noqa: BLE001 - Django's ValidationError: told as a field error
        errors.add("code", _("Use letters, digits, - and _ only."))
    if len(code) > 32:
        errors.add("code", _("At most %(n)s characters.") % {"n": 32})
    elif code and ShiftType.objects.filter(centre=centre, code=code).exists():
        errors.add("code", _("The centre already has a shift type with this code."))
    clean_breaks = check_shift_type(errors, name=name, kind=kind, start=start, end=end, breaks=breaks,
                                     work_type=work_type, headcount=headcount)
    errors.raise_if_any(_("The shift type cannot be saved."))
    shift_type = ShiftType.objects.create(centre=centre, code=code, name=name.strip(), kind=kind, start=start,
                                          end=end, breaks=clean_breaks, work_type=(work_type or "").strip(),
                                          headcount=headcount, active=active)
    record(actor=actor, action=Action.CREATE, obj=shift_type, after=snapshot(shift_type))
    return shift_type


SHIFT_TYPE_FIELDS = ("name", "kind", "start", "end", "breaks", "work_type", "headcount", "active")


@transaction.atomic
def update_shift_type(*, actor, shift_type_id: int, version: int | None, **changes) -> ShiftType:
    """Change a shift type of the caller's centre; shifts already on the roster keep their times."""
    _may_edit_shift_types(actor)
    unknown = set(changes) - set(SHIFT_TYPE_FIELDS)
    if unknown:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(name, _("This field cannot be changed.")) for name in sorted(unknown)])
    shift_type = (ShiftType.objects.select_for_update().filter(pk=shift_type_id, centre_id=actor.centre_id)
                  .first())
    if shift_type is None:
        raise NotFound(_("No such shift type."))
    check_version(shift_type, version)
    values = {f: getattr(shift_type, f) for f in SHIFT_TYPE_FIELDS}
    values.update(changes)
    errors = Errors()
    values["breaks"] = check_shift_type(errors, name=values["name"], kind=values["kind"], start=values["start"],
                                         end=values["end"], breaks=values["breaks"], work_type=values["work_type"],
                                         headcount=values["headcount"])
    if values["active"] is None:
        errors.add("active", _("Say yes or no."))
    errors.raise_if_any(_("The shift type cannot be saved."))
    before = snapshot(shift_type)
    for name, value in values.items():
        setattr(shift_type, name, value.strip() if isinstance(value, str) else value)
    bump_version(shift_type)
    shift_type.save()
    record(actor=actor, action=Action.UPDATE, obj=shift_type, before=before, after=snapshot(shift_type))
    return shift_type


# -- plan proposals ----------------------------------------------------------------------------------------

def _within_calendar(**weeks: dt.date) -> None:
    bad = [name for name, day in weeks.items() if not 1 < day.year < 9999]
    if bad:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(name, _("Enter a date within the calendar.")) for name in bad])


def _week_not_begun(week_start: dt.date) -> None:
    _within_calendar(week_start=week_start)
    if week_start.weekday() != 0:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("week_start", _("Give the Monday the week starts on."))])
    if week_start <= timezone.localdate():
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("week_start", _("Only a week that has not begun can be planned."))])


def proposal_for_manager(user, proposal_id: int, *, for_update: bool = False) -> PlanProposal:
    """A proposal of a team the caller rosters (404 outside the scope, 403 for a role that may not)."""
    from kefu.org.scope import scope_for

    qs = PlanProposal.objects.select_related("team", "requested_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    proposal = qs.filter(pk=proposal_id).first()
    if proposal is None or proposal.team_id not in scope_for(user).team_ids:
        raise NotFound(_("No such plan proposal."))
    if not access.may_roster(user):
        raise NotAllowed(_("Only team leads, department heads and directors change the roster."))
    return proposal


@transaction.atomic
def start_proposal(*, actor, team, week_start: dt.date) -> PlanProposal:
    """Queue a proposal for ``team``'s week; the job starts after the commit."""
    access.team_for_roster(actor, getattr(team, "pk", None))
    _week_not_begun(week_start)
    running = PlanProposal.objects.select_for_update().filter(team=team, week_start=week_start, status__in=ACTIVE)
    if running.exists():
        raise InvalidInput(_("A proposal for this week is being built."),
                           errors=[FieldError("week_start", _("Wait for the proposal being built, or discard it."))])
    proposal = PlanProposal.objects.create(team=team, week_start=week_start, requested_by=actor,
                                           message=_("Queued"), created_at=timezone.now())
    _discard_others(proposal)  # a new proposal replaces the week's earlier drafts
    record(actor=actor, action=Action.CREATE, obj=proposal, after=snapshot(proposal))

    def enqueue():
        from kefu.workforce.tasks import build_plan

        build_plan(proposal.pk)

    transaction.on_commit(enqueue)
    return proposal


def _report(proposal_id: int, fraction: float, message: str) -> None:
    PlanProposal.objects.filter(pk=proposal_id).update(progress=max(0, min(100, int(fraction * 100))),
                                                       message=str(message)[:300])


def _planned_people(team):
    from kefu.org.models import User

    return list(User.objects.filter(team=team, is_active=True)
                .filter(Q(roles__role=Role.AGENT) | Q(worker_profile__isnull=False)).distinct()
                .select_related("worker_profile").order_by("id"))


def plan_inputs(proposal: PlanProposal) -> dict:
    """What the planner is given for ``proposal`` (kefu.workforce.planner.propose_plan's arguments).

    The shifts the team's people already have in the week (not from a proposal) stay: they block the same
    hours and the rest around them, count towards the shifts per week and cover part of the requirement;
    the proposal adds to them. So do the shifts just before and after the week (rest across its edges)."""
    import math

    from kefu.bizcalendar.selectors import HOLIDAY, WORKDAY
    from kefu.workforce import planner
    from kefu.workforce.selectors import calendar_days
    from kefu.workforce.selectors.staffing import requirement, scheduled_per_hour

    team = proposal.team
    centre_id = team.department.centre_id
    tz = timezone.get_default_timezone()
    days = [proposal.week_start + dt.timedelta(days=i) for i in range(7)]
    start = timezone.make_aware(dt.datetime.combine(days[0], dt.time()), tz)
    end = start + WEEK
    margin = dt.timedelta(days=2)
    team_people = _planned_people(team)
    ids = [p.pk for p in team_people]
    fixed = list(Shift.objects.filter(person_id__in=ids, leave__isnull=True, proposal__isnull=True,
                                      end_at__gt=start - margin, start_at__lt=end + margin))
    in_week: dict[int, int] = {}
    for shift in fixed:
        if days[0] <= shift.date <= days[-1]:
            in_week[shift.person_id] = in_week.get(shift.person_id, 0) + 1
    most = get_rule("workforce.max_shifts_per_week", centre_id=centre_id)
    people = []
    for person in team_people:
        profile = getattr(person, "worker_profile", None)
        skills = {str(s) for s in (profile.skills if profile else [])} | {""}
        own = profile.max_shifts_per_week if profile and profile.max_shifts_per_week is not None else most
        people.append(planner.Person(id=person.pk, work_types=frozenset(skills),
                                     max_shifts=max(0, own - in_week.get(person.pk, 0))))
    types = [planner.ShiftType(id=t.pk, start=t.start, end=t.end, work_type=t.work_type or "",
                               is_night=t.kind == ShiftKind.NIGHT)
             for t in ShiftType.objects.filter(centre_id=centre_id, active=True).order_by("start", "id")]
    plan_days = [planner.PlanDay(date=info.date, is_weekend=info.date.weekday() >= 5 and info.kind != WORKDAY,
                                 is_holiday=info.kind == HOLIDAY) for info in calendar_days(days)]
    leave = LeaveRequest.objects.filter(person_id__in=ids, status=LeaveRequest.Status.APPROVED,
                                        start_at__lt=end + margin, end_at__gt=start - margin)
    need = requirement(centre_id=centre_id, days=days, team=team)
    team_fixed = [s for s in fixed if s.team_id == team.pk]
    for day in days:
        covered = scheduled_per_hour(team_fixed, day)
        for hour, n in enumerate(covered):
            key = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), tz)
            if key in need and n:
                need[key] = max(0, math.ceil(round(need[key] - n, 9)))
    rules = planner.PlanRules(min_rest_hours=get_rule("workforce.swap_min_rest_hours", centre_id=centre_id),
                              max_shifts_per_week=most)
    return {
        "people": people, "shift_types": types, "days": plan_days,
        "requirement": {k: v for k, v in need.items() if v},
        "unavailable": [planner.Unavailability(lv.person_id, timezone.localtime(lv.start_at, tz),
                                               timezone.localtime(lv.end_at, tz)) for lv in leave],
        "previous_shifts": [planner.PreviousShift(s.person_id, timezone.localtime(s.start_at, tz),
                                                  timezone.localtime(s.end_at, tz)) for s in fixed],
        "rules": rules, "tz": tz,
        "time_limit_seconds": float(get_rule("workforce.plan_time_limit_seconds", centre_id=centre_id)),
        "num_workers": max(1, min(2, os.cpu_count() or 1)),
    }


def _set_status(proposal: PlanProposal, status: str, **fields) -> None:
    before = snapshot(proposal)
    proposal.status = status
    for name, value in fields.items():
        setattr(proposal, name, value)
    bump_version(proposal)
    proposal.save()
    record(actor=None, action=Action.TRANSITION, obj=proposal, before=before, after=snapshot(proposal))


def _solve(proposal_id: int, propose_plan, inputs: dict):
    """Run the solver in a thread of its own and write its latest progress onto the proposal from this one
    every half second (CP-SAT calls back from its own threads, which must not use this job's database
    connection)."""
    import threading

    lock = threading.Lock()
    latest: list = []
    box: dict = {}

    def progress(fraction: float, message: str) -> None:
        with lock:
            latest[:] = [(fraction, message)]

    def work() -> None:
        try:
            box["result"] = propose_plan(**inputs, progress=progress)
        except Exception as exc:  # noqa: BLE001 - handed back to the job
            box["error"] = exc

    thread = threading.Thread(target=work, name=f"plan-{proposal_id}", daemon=True)
    thread.start()
    seen = None
    while True:
        thread.join(0.5)
        with lock:
            now = latest[0] if latest else None
        if now is not None and now != seen:
            seen = now
            _report(proposal_id, *now)
        if not thread.is_alive():
            break
    if "error" in box:
        raise box["error"]
    return box["result"]


def build_proposal(*, proposal_id: int) -> PlanProposal | None:
    """The job: solve and write the draft shifts (status READY), or FAILED with the reason. A proposal
    discarded meanwhile is left alone."""
    from kefu.workforce.planner import propose_plan

    with transaction.atomic():
        proposal = (PlanProposal.objects.select_for_update(of=("self",)).select_related("team__department")
                    .filter(pk=proposal_id).first())
        if proposal is None or proposal.status != PlanProposal.Status.QUEUED:
            return proposal
        _set_status(proposal, PlanProposal.Status.RUNNING, progress=0, message=_("Reading the team's week"))
    try:
        inputs = plan_inputs(proposal)
        result = _solve(proposal_id, propose_plan, inputs)
    except Exception as exc:  # noqa: BLE001 - any failure is told on the proposal, never lost in the queue
        log.exception("shift plan proposal %s failed", proposal_id)
        with transaction.atomic():
            proposal = PlanProposal.objects.select_for_update().get(pk=proposal_id)
            if proposal.status == PlanProposal.Status.RUNNING:
                _set_status(proposal, PlanProposal.Status.FAILED, message=str(exc)[:300],
                            finished_at=timezone.now())
        return proposal
    return _write_drafts(proposal_id, inputs, result)


@transaction.atomic
def _write_drafts(proposal_id: int, inputs: dict, result) -> PlanProposal:
    proposal = PlanProposal.objects.select_for_update(of=("self",)).select_related("team").get(pk=proposal_id)
    if proposal.status != PlanProposal.Status.RUNNING:
        return proposal
    now = timezone.now()
    summary = {
        "status": result.status, "optimal": result.optimal, "time_limited": result.time_limited,
        "shifts": len(result.assignments), "agent_hours": result.total_agent_hours,
        "shortfall_agent_hours": result.shortfall_agent_hours, "surplus_agent_hours": result.surplus_agent_hours,
        "wall_seconds": round(result.wall_seconds, 2), "people": len(inputs["people"]),
        "shift_types": len(inputs["shift_types"]),
        "requirement": {f"{timezone.localtime(h):%Y-%m-%dT%H:00}": n for h, n in sorted(inputs["requirement"].items())},
        "nights": {str(k): v for k, v in result.night_shifts.items()},
        "weekends": {str(k): v for k, v in result.weekend_shifts.items()},
    }
    if not result.has_plan:
        _set_status(proposal, PlanProposal.Status.FAILED, progress=100, summary=summary, finished_at=now,
                    message=_("The solver found no plan (%(status)s).") % {"status": result.status})
        return proposal
    types = {t.pk: t for t in ShiftType.objects.filter(pk__in=[a.shift_type_id for a in result.assignments])}
    rest = dt.timedelta(hours=inputs["rules"].min_rest_hours)
    week_start_at = timezone.make_aware(dt.datetime.combine(proposal.week_start, dt.time()))
    # shifts put on the roster while the solver ran: a draft that would clash with them is left out
    meanwhile: dict[int, list[tuple]] = {}
    for s in Shift.objects.filter(person_id__in={a.person_id for a in result.assignments}, leave__isnull=True,
                                  proposal__isnull=True, created_at__gte=proposal.created_at,
                                  end_at__gt=week_start_at - rest, start_at__lt=week_start_at + WEEK + rest):
        meanwhile.setdefault(s.person_id, []).append((s.start_at, s.end_at))
    rows = []
    for a in result.assignments:
        shift_type = types[a.shift_type_id]
        start_at, end_at = shift_moments(a.date, shift_type.start, shift_type.end)
        if any(b_start - end_at < rest and start_at - b_end < rest for b_start, b_end in meanwhile.get(a.person_id, ())):
            continue
        rows.append(Shift(person_id=a.person_id, team=proposal.team, date=a.date, shift_type=shift_type,
                          kind=shift_type.kind, start=shift_type.start, end=shift_type.end, start_at=start_at,
                          end_at=end_at, status=Shift.Status.DRAFT, proposal=proposal,
                          created_by=proposal.requested_by, created_at=now))
    Shift.objects.bulk_create(rows)
    message = (_("%(n)s draft shifts, %(short)s agent-hours of the requirement uncovered.")
               % {"n": len(rows), "short": f"{result.shortfall_agent_hours:g}"})
    _set_status(proposal, PlanProposal.Status.READY, progress=100, summary=summary, finished_at=now, message=message)
    if proposal.requested_by_id:
        notify(recipients=[proposal.requested_by_id], kind="plan_ready",
               title=gettext_lazy("Your shift plan proposal is ready"), body=message,
               url=reverse("workforce:plan_detail", args=[proposal.pk]))
    return proposal


def _ready(proposal: PlanProposal) -> None:
    if proposal.status != PlanProposal.Status.READY:
        raise InvalidInput(_("This proposal cannot be changed now."), errors=[FieldError(
            "status", _("Already %(status)s.") % {"status": proposal.get_status_display()})])


@transaction.atomic
def add_draft_shift(*, actor, proposal_id: int, person, date: dt.date, shift_type: ShiftType) -> Shift:
    """The lead adds a draft shift to a proposal (through ``create_shift``: overlap and rest rules)."""
    proposal = proposal_for_manager(actor, proposal_id, for_update=True)
    _ready(proposal)
    errors = Errors()
    if not proposal.week_start <= date < proposal.week_start + WEEK:
        errors.add("date", _("Choose a day of the week of %(week)s.") % {"week": f"{proposal.week_start:%Y-%m-%d}"})
    if person.team_id != proposal.team_id:
        errors.add("person", _("%(person)s is not in %(team)s.") % {"person": person, "team": proposal.team})
    errors.raise_if_any(_("The shift cannot be saved."))
    shift = create_shift(actor=actor, person=person, date=date, shift_type=shift_type, status=Shift.Status.DRAFT)
    Shift.objects.filter(pk=shift.pk).update(proposal=proposal)
    shift.proposal = proposal
    record(actor=actor, action=Action.UPDATE, obj=shift, after={"proposal_id": proposal.pk},
           note=f"added to plan proposal {proposal.pk}")
    return shift


@transaction.atomic
def remove_draft_shift(*, actor, proposal_id: int, shift_id: int) -> None:
    proposal = proposal_for_manager(actor, proposal_id, for_update=True)
    _ready(proposal)
    shift = Shift.objects.filter(pk=shift_id, proposal=proposal, status=Shift.Status.DRAFT).first()
    if shift is None:
        raise NotFound(_("No such shift."))
    delete_shift(actor=actor, shift_id=shift.pk, version=shift.version)


@transaction.atomic
def discard_proposal(*, actor, proposal_id: int, version: int | None = None) -> PlanProposal:
    """Throw a proposal away with its draft shifts (a job still running finds it discarded and stops)."""
    proposal = proposal_for_manager(actor, proposal_id, for_update=True)
    if version is not None:
        check_version(proposal, version)
    if proposal.status in (PlanProposal.Status.PUBLISHED, PlanProposal.Status.DISCARDED):
        _ready(proposal)
    before = snapshot(proposal)
    drafts = Shift.objects.filter(proposal=proposal, status=Shift.Status.DRAFT)
    n = drafts.count()
    drafts.delete()
    proposal.status = PlanProposal.Status.DISCARDED
    proposal.finished_at = proposal.finished_at or timezone.now()
    bump_version(proposal)
    proposal.save()
    record(actor=actor, action=Action.TRANSITION, obj=proposal, before=before, after=snapshot(proposal),
           note=f"discarded with {n} draft shifts")
    return proposal


@dataclass
class PublishResult:
    proposal: PlanProposal
    published: int = 0
    notified: list[int] = field(default_factory=list)


def _discard_others(proposal: PlanProposal) -> None:
    """The other proposals of the team's week that are not published are discarded with their drafts."""
    others = PlanProposal.objects.filter(team_id=proposal.team_id, week_start=proposal.week_start).exclude(
        pk=proposal.pk).exclude(status__in=(PlanProposal.Status.PUBLISHED, PlanProposal.Status.DISCARDED))
    ids = list(others.values_list("pk", flat=True))
    if ids:
        Shift.objects.filter(proposal_id__in=ids, status=Shift.Status.DRAFT).delete()
        others.update(status=PlanProposal.Status.DISCARDED, finished_at=timezone.now())


@transaction.atomic
def publish_proposal(*, actor, proposal_id: int, version: int | None = None) -> PublishResult:
    """Publish the proposal's draft shifts (as the lead left them) on the team's week; each person whose
    shifts of the week changed (who got a shift) is told once; other open proposals of the week are
    discarded."""
    proposal = proposal_for_manager(actor, proposal_id, for_update=True)
    if version is not None:
        check_version(proposal, version)
    _ready(proposal)
    _week_not_begun(proposal.week_start)
    drafts = list(Shift.objects.select_for_update().filter(proposal=proposal, status=Shift.Status.DRAFT))
    Shift.objects.filter(pk__in=[d.pk for d in drafts]).update(status=Shift.Status.PUBLISHED)
    _discard_others(proposal)
    changed = sorted({d.person_id for d in drafts})
    before = snapshot(proposal)
    proposal.status = PlanProposal.Status.PUBLISHED
    proposal.published_at = timezone.now()
    bump_version(proposal)
    proposal.save()
    record(actor=actor, action=Action.TRANSITION, obj=proposal, before=before, after=snapshot(proposal),
           note=f"published {len(drafts)} shifts of {len(changed)} people")
    week_end = proposal.week_start + WEEK - dt.timedelta(days=1)
    notify(recipients=changed, kind="roster_published", title=gettext_lazy("Your schedule of a week changed"),
           body=f"{proposal.week_start:%Y-%m-%d} – {week_end:%Y-%m-%d}",
           url=f"{reverse('workforce:my_schedule')}?week={proposal.week_start:%Y-%m-%d}")
    return PublishResult(proposal=proposal, published=len(drafts), notified=changed)


# -- copying a week ----------------------------------------------------------------------------------------

@dataclass
class Skipped:
    person: object
    date: dt.date
    reason: str


@dataclass
class CopyResult:
    created: list[Shift] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def copy_week(*, actor, team, from_week: dt.date, to_week: dt.date) -> CopyResult:
    """Copy ``team``'s shifts of the week of ``from_week`` to the week of ``to_week`` as drafts, each through
    ``create_shift`` (overlap and rest); people on approved leave or no longer in the team are skipped, and
    so is a shift the rules refuse, each with the reason. Publish with ``publish_shifts``."""
    from kefu.workforce.selectors import week_start

    team = access.team_for_roster(actor, getattr(team, "pk", None))
    _within_calendar(from_week=from_week, to_week=to_week)
    from_week, to_week = week_start(from_week), week_start(to_week)
    if from_week == to_week:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("to_week", _("Choose another week than the one copied."))])
    delta = to_week - from_week
    source = list(Shift.objects.filter(team=team, date__gte=from_week, date__lt=from_week + WEEK)
                  .select_related("person", "shift_type").order_by("date", "start_at", "id"))
    result = CopyResult()
    with transaction.atomic():
        for s in source:
            date = s.date + delta
            person = s.person
            start_at, end_at = shift_moments(date, s.start, s.end)
            if not person.is_active or person.team_id != team.pk:
                result.skipped.append(Skipped(person, date, _("no longer in the team")))
                continue
            leave = LeaveRequest.objects.filter(person=person, status=LeaveRequest.Status.APPROVED,
                                                start_at__lt=end_at, end_at__gt=start_at).first()
            if leave is not None:
                result.skipped.append(Skipped(person, date, _("on approved leave (%(kind)s)")
                                              % {"kind": leave.get_kind_display()}))
                continue
            try:
                shift = create_shift(actor=actor, person=person, date=date, kind=s.kind, start=s.start, end=s.end,
                                     shift_type=s.shift_type, status=Shift.Status.DRAFT, note=s.note)
            except ServiceError as exc:
                reason = "; ".join(str(e.message) for e in exc.errors) or str(exc.detail)
                result.skipped.append(Skipped(person, date, reason))
                continue
            result.created.append(shift)
        record(actor=actor, action=Action.TRANSITION, obj=team,
               note=f"copied {from_week:%Y-%m-%d} to {to_week:%Y-%m-%d}: {len(result.created)} drafts, "
                    f"{len(result.skipped)} skipped")
    return result
