"""Who is on duty now, from the roster (R-WFM-1, R-TIC-3), who is on a break (暂停接单, R-WFM-5) and who may
take a skill that a level gates (R-ORG-3). Read by automatic assignment of tickets and by the desk.

- on shift: a PUBLISHED shift covers the moment (start ≤ now < end), it was not freed by leave and no
  approved leave covers the moment;
- on a break: a break (AwayPeriod) began and has not ended by the moment, and its shift is not over;
- a skill is gated when a level lists it in ``Level.skills``: then only people whose level ranks at least
  as high as the lowest such level may take it; an ungated skill is allowed to everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kefu.workforce.models import AwayPeriod, LeaveRequest, Level, Shift, WorkerProfile


def _published():
    return Shift.objects.filter(status=Shift.Status.PUBLISHED)


def on_shift_person_ids(now: dt.datetime, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people (of ``person_ids``, or everyone) whose published shift covers ``now``, not freed by leave and
    not under approved leave. One query."""
    leave = LeaveRequest.objects.filter(person_id=OuterRef("person_id"), status=LeaveRequest.Status.APPROVED,
                                        start_at__lte=now, end_at__gt=now)
    qs = _published().filter(leave__isnull=True, start_at__lte=now, end_at__gt=now).exclude(Exists(leave))
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return set(qs.values_list("person_id", flat=True))


def rostered_today_person_ids(now: dt.datetime, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people (of ``person_ids``) with any published shift touching the local day of ``now`` (freed by leave
    or not): a centre whose people have none works without a roster. One query."""
    day = timezone.localdate(now)
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    end = start + dt.timedelta(days=1)
    qs = _published().filter(start_at__lt=end, end_at__gt=start)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return set(qs.values_list("person_id", flat=True).distinct())


def on_break_person_ids(now: dt.datetime, person_ids: Iterable[int] | None = None) -> set[int]:
    """The people on a break (暂停接单) at ``now``; a break still open when its shift has ended does not count
    (it ends with the shift). One query."""
    qs = AwayPeriod.objects.filter(Q(end_at__isnull=True) & _shift_not_over(now) | Q(end_at__gt=now),
                                   start_at__lte=now)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return set(qs.values_list("person_id", flat=True))


def open_break(person, now: dt.datetime | None = None) -> AwayPeriod | None:
    """The person's break under way (not ended, its shift not over at ``now``), if any."""
    now = now or timezone.now()
    return (AwayPeriod.objects.filter(_shift_not_over(now), person=person, end_at__isnull=True)
            .order_by("-start_at").first())


def _shift_not_over(now: dt.datetime) -> Q:
    """A break's shift has not ended at ``now`` (a break without a shift — its shift deleted — is taken as is)."""
    return Q(shift__isnull=True) | Q(shift__end_at__gt=now)


def current_shift(person, now: dt.datetime) -> Shift | None:
    """The person's published shift covering ``now`` (not freed by leave)."""
    return (_published().filter(person=person, leave__isnull=True, start_at__lte=now, end_at__gt=now)
            .order_by("start_at").first())


def skill_min_rank(skill: str) -> int | None:
    """The rank of the lowest level that gates ``skill`` (None: the skill is open to everyone). One query; the
    ladder has a handful of levels, so the JSON list is read in Python (SQLite has no JSON containment)."""
    ranks = [rank for rank, skills in Level.objects.values_list("rank", "skills") if skill in (skills or [])]
    return min(ranks) if ranks else None


def people_allowed_skill(skill: str, person_ids: Iterable[int]) -> set[int]:
    """The subset of ``person_ids`` allowed to take ``skill`` (R-ORG-3: e.g. only silver and above take VIP
    customers). Two queries at most."""
    ids = set(person_ids)
    if not ids:
        return set()
    rank = skill_min_rank(skill)
    if rank is None:
        return ids
    return set(WorkerProfile.objects.filter(person_id__in=ids, level__rank__gte=rank)
               .values_list("person_id", flat=True))


@dataclass(frozen=True)
class DeskDuty:
    """What the desk's toggle shows for one person."""

    on_shift: bool
    break_since: dt.datetime | None
    break_minutes: int

    @property
    def on_break(self) -> bool:
        return self.break_since is not None


def desk_duty(person, now: dt.datetime) -> DeskDuty:
    shift = current_shift(person, now) is not None
    period = open_break(person, now)
    if period is None:
        return DeskDuty(shift, None, 0)
    return DeskDuty(shift, period.start_at, max(0, int((now - period.start_at).total_seconds() // 60)))


def _overlaps(start: dt.datetime, end: dt.datetime, spans) -> list[tuple[dt.datetime, dt.datetime]]:
    out = []
    for s, e in spans:
        lo, hi = max(start, s), min(end, e)
        if lo < hi:
            out.append((lo, hi))
    return out


def _merged(spans) -> list[tuple[dt.datetime, dt.datetime]]:
    out: list[list[dt.datetime]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def away_seconds(start: dt.datetime, end: dt.datetime, shifts, leaves=()) -> int:
    """The seconds of the break ``start``–``end`` that fall within the ``shifts`` (pairs of moments) and outside
    approved ``leaves`` (pairs of moments): the time away from the post (R-WFM-5)."""
    total = 0
    for lo, hi in _merged(_overlaps(start, end, shifts)):
        covered = sum((e - s).total_seconds() for s, e in _merged(_overlaps(lo, hi, leaves)))
        total += (hi - lo).total_seconds() - covered
    return max(0, int(total))
