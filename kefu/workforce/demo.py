"""Demo shifts, leave and people for the seed_demo centre (SPEC §4): the shift types 早班, 晚班 and 夜班, this
week's and next week's roster of 一班 and 二班, annual leave entitlements, one pending and one approved leave
(the roster shows its gap), and for every demo agent a worker profile (in service since 1 to 30 months
before today, skills phone and online, two of them also vip; a level of the ladder when the levels exist)
and an assessment score for last month. Timed back from now through kefu.core.demo_clock; safe to run
again: only what is missing is added."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.audit.services import Action, record
from kefu.core import demo_clock
from kefu.core.errors import ServiceError
from kefu.org.models import Team, User
from kefu.org.roles import Role
from kefu.rules.selectors import get_rule
from kefu.workforce import services
from kefu.workforce.models import (
    AnnualLeaveEntitlement,
    AssessmentScore,
    LeaveRequest,
    Level,
    Shift,
    ShiftKind,
    WorkerProfile,
    shift_moments,
)

# code, name, kind, start, end, breaks, headcount
SHIFT_TYPES = [
    ("early", "早班", ShiftKind.DAY, dt.time(9), dt.time(18), [["12:00", "13:00"]], 2),
    ("late", "晚班", ShiftKind.CUSTOM, dt.time(18), dt.time(2), [["21:30", "22:00"]], 1),
    ("night", "夜班", ShiftKind.NIGHT, dt.time(22), dt.time(6), [["02:00", "02:30"]], 1),
]
ROTATION = ["early", "late", "night"]
ANNUAL_DAYS = 5
PENDING_REASON = "孩子学校开家长会"
APPROVED_REASON = "预约了医院复诊"
# The demo agents in id order (agent1 … agent6; more agents repeat the list): months in service before today,
# level code (used only when the Level rows of the ladder exist), VIP skill, last month's assessment score.
PEOPLE = [
    (13, "silver", False, Decimal("91.50")),
    (4, "iron", False, Decimal("84.00")),
    (1, "trial", False, Decimal("78.50")),
    (30, "gold", True, Decimal("96.00")),
    (9, "bronze", False, Decimal("88.00")),
    (22, "silver", True, Decimal("93.50")),
]
SKILLS = ["phone", "online"]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@transaction.atomic
def seed_demo_workforce() -> dict[str, int]:
    head = User.objects.filter(username="head1").first()
    if head is None or not head.centre_id:
        raise LookupError("Run seed_demo first: the demo department head head1 is missing.")
    now = timezone.now()
    today = timezone.localdate()
    this_monday = _monday(today)
    published_at = demo_clock.local_moment(this_monday - dt.timedelta(days=3), 17)
    types = {}
    with demo_clock.at(published_at - dt.timedelta(days=7)):
        for code, name, kind, start, end, breaks, headcount in SHIFT_TYPES:
            types[code] = services.ensure_shift_type(actor=head, centre=head.centre, code=code, name=name, kind=kind,
                                                     start=start, end=end, breaks=breaks, headcount=headcount)
    made = {"shifts": 0, "leave": 0, "profiles": 0, "scores": 0}
    min_rest = dt.timedelta(hours=get_rule("workforce.swap_min_rest_hours", centre_id=head.centre_id))
    teams = Team.objects.filter(department__centre_id=head.centre_id).order_by("id")
    for team in teams:
        people = list(User.objects.filter(team=team, is_active=True).order_by("id"))
        lead = next((p for p in people if p.has_role("lead")), head)
        existing = set(Shift.objects.filter(team=team, date__gte=this_monday,
                                            date__lt=this_monday + dt.timedelta(days=14))
                       .values_list("person_id", "date"))
        for week in (0, 1):
            monday = this_monday + dt.timedelta(days=7 * week)
            with demo_clock.at(published_at):
                for index, person in enumerate(people):
                    code = "early" if person.pk == lead.pk else ROTATION[(index + week) % len(ROTATION)]
                    rest = {(index * 2 + week) % 7, (index * 2 + week + 1) % 7}
                    for offset in range(7):
                        day = monday + dt.timedelta(days=offset)
                        if offset in rest or (person.pk, day) in existing:
                            continue
                        if _too_little_rest(person, day, types[code], min_rest):
                            continue  # the day after a week of nights is off before early shifts (连班)
                        services.create_shift(actor=lead, person=person, date=day, shift_type=types[code])
                        made["shifts"] += 1
    agents = list(User.objects.filter(centre_id=head.centre_id, team__isnull=False, is_active=True,
                                      roles__role=Role.AGENT).distinct().order_by("id"))
    with demo_clock.at(published_at - dt.timedelta(days=7)):
        have = set(AnnualLeaveEntitlement.objects.filter(person__in=agents, year=today.year)
                   .values_list("person_id", flat=True))
        for person in agents:
            if person.pk not in have:
                services.set_annual_entitlement(actor=None, person=person, year=today.year, days=ANNUAL_DAYS)
    made["profiles"], made["scores"] = _people(agents, head=head, today=today, now=now)
    next_monday = this_monday + dt.timedelta(days=7)
    made["leave"] += _leave("agent2", "personal", next_monday + dt.timedelta(days=2), PENDING_REASON,
                            filed_at=now - dt.timedelta(hours=3), decide=False)
    made["leave"] += _leave("agent5", "sick", next_monday + dt.timedelta(days=1), APPROVED_REASON,
                            filed_at=now - dt.timedelta(days=2), decide=True)
    from kefu.workforce.demo_days import seed_demo_shift_life

    made.update(seed_demo_shift_life(head=head))
    return made


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` months before ``day`` (the 28th at most, so every month has it)."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def _people(agents: list, *, head, today: dt.date, now: dt.datetime) -> tuple[int, int]:
    """Worker profiles and last month's assessment scores of the demo agents (only those missing are added).
    Levels are looked up by code among the ladder's Level rows and left empty when there are none."""
    levels = {level.code: level for level in Level.objects.all()}
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    # the scores were entered early this month (or a few minutes ago on the month's first morning)
    entered_at = min(now - dt.timedelta(minutes=5), demo_clock.local_moment(this_month + dt.timedelta(days=2), 10))
    have_profiles = set(WorkerProfile.objects.filter(person__in=agents).values_list("person_id", flat=True))
    have_scores = set(AssessmentScore.objects.filter(person__in=agents, month=last_month)
                      .values_list("person_id", flat=True))
    profiles = scores = 0
    for index, person in enumerate(agents):
        months, level_code, vip, score = PEOPLE[index % len(PEOPLE)]
        hired_on = months_before(today, months)
        if person.pk not in have_profiles:
            with demo_clock.at(demo_clock.local_moment(hired_on, 9)):
                profile = WorkerProfile.objects.create(person=person, skills=[*SKILLS, "vip"] if vip else list(SKILLS),
                                                       hired_on=hired_on, level=levels.get(level_code))
                if person.team_id:
                    profile.shops.set(person.team.shops.all())
                record(actor=None, action=Action.CREATE, obj=profile, after=services.snapshot(profile),
                       note="demo data")
            profiles += 1
        if person.pk not in have_scores:
            with demo_clock.at(entered_at):
                row = AssessmentScore.objects.create(person=person, month=last_month, score=score, source="manual",
                                                     entered_by=head, entered_at=entered_at)
                record(actor=head, action=Action.CREATE, obj=row, after=services.snapshot(row), note="demo data")
            scores += 1
    return profiles, scores


def _too_little_rest(person, day: dt.date, shift_type, min_rest: dt.timedelta) -> bool:
    """Whether a shift of ``shift_type`` on ``day`` would leave ``person`` less than the minimum rest next to
    another shift of theirs (R-WFM-3 连班): such a day becomes a rest day of the rotation."""
    start_at, end_at = shift_moments(day, shift_type.start, shift_type.end)
    return Shift.objects.filter(person=person, leave__isnull=True, start_at__lt=end_at + min_rest,
                                end_at__gt=start_at - min_rest).exists()


def _leave(username: str, kind: str, day: dt.date, reason: str, *, filed_at: dt.datetime, decide: bool) -> int:
    person = User.objects.filter(username=username).first()
    if person is None or LeaveRequest.objects.filter(person=person, reason=reason).exists():
        return 0
    start_at = demo_clock.local_moment(day, 0)
    try:
        with demo_clock.at(filed_at):
            leave = services.request_leave(actor=person, person=person, kind=kind, start_at=start_at,
                                           end_at=start_at + dt.timedelta(days=1), reason=reason)
        if decide:
            approver = User.objects.get(username="director1" if leave.approver_role == "director" else "head1")
            with demo_clock.at(filed_at + dt.timedelta(hours=2)):
                services.approve_leave(actor=approver, leave_id=leave.pk, note="同意，注意休息")
    except ServiceError:  # e.g. a demo day the calendar makes a holiday with too little notice: skip it
        return 0
    return 1
