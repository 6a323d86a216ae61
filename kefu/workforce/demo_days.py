"""The demo's last two days on the floor (R-WFM-1 … R-WFM-3), written through the services with the clock at
each moment: the lead's roll call of every shift that has started (present, so the attendance shows the
check-ins), a duty log entry of each team, yesterday's handover of 一班 written, signed off once the incoming
person checked in and acknowledged by them, and one pending shift swap next week for the leads to approve.

Only what is missing is added; a step the calendar or the rules refuse on some date is left out (the demo must
seed on any date)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kefu.core import demo_clock
from kefu.core.errors import ServiceError
from kefu.org.models import Team, User
from kefu.workforce.models import DutyLogEntry, Handover, Shift, ShiftSwap
from kefu.workforce.services import handover as handovers
from kefu.workforce.services import rollcall, swaps

DUTY_NOTES = ["系统登录正常，电话排队 3 通，已按优先级处理", "交班前核对了未结工单，2 单待客户回复"]
HANDOVER = {"equipment": "3 号工位耳机有杂音，已报 IT", "difficult_cases": "VIP 客户王先生的退款单需明早回电确认",
            "staffing": "二班小李下午请假，晚班人手 1 人"}
SWAP_REASON = "家里有事，想和同事换一天班"


def _try(fn, *args, **kwargs) -> bool:
    try:
        fn(*args, **kwargs)
    except ServiceError:
        return False
    return True


def seed_demo_shift_life(*, head) -> dict[str, int]:
    now = timezone.now()
    made = {"roll_calls": 0, "duty_log": 0, "handovers": 0, "swaps": 0}
    teams = list(Team.objects.filter(department__centre_id=head.centre_id).order_by("id"))
    started = (Shift.objects.filter(team__in=teams, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                    start_at__lte=now, start_at__gte=now - dt.timedelta(days=2), roll_call__isnull=True)
               .select_related("person", "team").order_by("start_at"))
    for shift in started:
        lead = _lead_of(shift.team, head)
        if lead.pk == shift.person_id:
            lead = head
        with demo_clock.at(shift.start_at - dt.timedelta(minutes=5)):
            made["roll_calls"] += _try(rollcall.mark_roll_call, actor=lead, shift_id=shift.pk, status="present",
                                       comment="精神饱满")
    for index, team in enumerate(teams[:2]):
        if DutyLogEntry.objects.filter(team=team).exists():
            continue
        shift = (Shift.objects.filter(team=team, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                      end_at__lte=now, start_at__gte=now - dt.timedelta(days=2))
                 .select_related("person").order_by("-end_at").first())
        if shift is not None:
            with demo_clock.at(shift.end_at - dt.timedelta(minutes=30)):
                made["duty_log"] += _try(handovers.write_duty_log, actor=shift.person,
                                         text=DUTY_NOTES[index % len(DUTY_NOTES)])
    if teams and not Handover.objects.filter(outgoing_shift__team=teams[0]).exists():
        made["handovers"] += _handover(teams[0], now)
    if not ShiftSwap.objects.filter(requester__centre_id=head.centre_id).exists():
        made["swaps"] += _swap(teams, now)
    return made


def _lead_of(team, head) -> User:
    return next((p for p in User.objects.filter(team=team, is_active=True).order_by("id") if p.has_role("lead")), head)


def _handover(team, now: dt.datetime) -> int:
    """The latest finished shift of ``team`` followed by a checked-in shift: written before its end, signed off
    and acknowledged just after."""
    ended = (Shift.objects.filter(team=team, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                  end_at__lte=now - dt.timedelta(minutes=20), start_at__gte=now - dt.timedelta(days=2))
             .select_related("person").order_by("-end_at"))
    for shift in ended[:6]:
        incoming = handovers.incoming_shifts(shift)
        if not incoming:
            continue
        try:
            with demo_clock.at(shift.end_at - dt.timedelta(minutes=10)):
                written = handovers.write_handover(actor=shift.person, shift_id=shift.pk, **HANDOVER)
            with demo_clock.at(shift.end_at + dt.timedelta(minutes=5)):
                signed = handovers.sign_off_handover(actor=shift.person, handover_id=written.pk,
                                                     version=written.version)
            with demo_clock.at(shift.end_at + dt.timedelta(minutes=15)):
                handovers.acknowledge_handover(actor=incoming[0].person, handover_id=signed.pk, version=signed.version)
        except ServiceError:
            Handover.objects.filter(outgoing_shift=shift, status=Handover.Status.DRAFT).delete()
            continue
        return 1
    return 0


def _swap(teams, now: dt.datetime) -> int:
    """A pending swap of two colleagues' day shifts next week (the first pair the rules allow)."""
    start = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    shifts = list(Shift.objects.filter(team__in=teams[:1], status=Shift.Status.PUBLISHED, leave__isnull=True,
                                       date__gte=start, date__lt=start + dt.timedelta(days=7))
                  .select_related("person", "shift_type").order_by("date", "id"))
    tried = 0
    for mine in shifts:
        for theirs in shifts:
            if theirs.person_id == mine.person_id or theirs.date == mine.date or \
                    theirs.shift_type_id != mine.shift_type_id:
                continue
            tried += 1
            if tried > 12:
                return 0
            with demo_clock.at(now - dt.timedelta(hours=1)):
                if _try(swaps.request_swap, actor=mine.person, shift_id=mine.pk, with_shift_id=theirs.pk,
                        reason=SWAP_REASON):
                    return 1
    return 0
