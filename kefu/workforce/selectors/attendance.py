"""The attendance board (R-WFM-5): per month, per person of a team — shifts, worked, late, absences, breaks and
away minutes, leave days, violations — with team totals, and the team trend over the last months for the
charts. A fixed number of queries whatever the team's size.

Figures of a month (local time):
- shifts: the person's published shifts of the team dated in the month, not freed by leave;
- due: those that have started by now (a shift still to come is neither worked nor missed);
- worked: shifts with a check-in; late: check-ins after the start (count and minutes);
- absences: shifts recorded absent (旷工) by the absence job;
- breaks (暂停接单) begun in the month, and the away minutes: their time within the person's shifts and
  outside approved leave (R-WFM-5), up to now for a break still under way;
- leave days: approved leave within the month, begun days counted whole (as the leave form counts them);
- violations: recorded in the month (R-ORG-4);
- attendance rate: worked / due.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import FieldError, InvalidInput, NotAllowed, NotFound
from kefu.org.scope import scope_for
from kefu.workforce import access
from kefu.workforce.models import AwayPeriod, LeaveRequest, Shift, Violation
from kefu.workforce.selectors.duty import away_seconds

TREND_MONTHS = 6


def parse_month(value: str | None, *, default: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` → the first day of that month (422 naming ``month`` otherwise); empty → this month."""
    if not value:
        return (default or timezone.localdate()).replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-"))
        if not 2 <= year <= 9998:  # the trend reaches months back, the month's end one ahead
            raise ValueError
        return dt.date(year, month, 1)
    except ValueError:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("month", _("Give a month as YYYY-MM."))]) from None


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_moments(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(next_month(month), dt.time.min), tz)
    return start, end


def board_teams(user):
    """The teams whose board the caller sees: leads and up, the teams of their scope (as for the roster)."""
    if not access.may_roster(user):
        raise NotAllowed(_("Only team leads, department heads and directors see the attendance board."))
    from kefu.org.models import Team

    return Team.objects.filter(pk__in=scope_for(user).team_ids).order_by("id")


def team_for_board(user, value: str | None):
    """The team asked for (its id or name), or the caller's own, or their first; 404 outside the scope."""
    teams = list(board_teams(user))
    if not teams:
        raise NotFound(_("No such team."))
    if not value:
        return next((t for t in teams if t.pk == user.team_id), teams[0])
    team = next((t for t in teams if str(t.pk) == value or t.name == value), None)
    if team is None:
        raise NotFound(_("No such team."))
    return team


@dataclass
class PersonMonth:
    person: object
    shifts: int = 0
    due: int = 0
    worked: int = 0
    late: int = 0
    late_minutes: int = 0
    absences: int = 0
    breaks: int = 0
    away_seconds: int = 0
    leave_days: int = 0
    violations: int = 0

    @property
    def away_minutes(self) -> int:
        return self.away_seconds // 60

    @property
    def attendance_rate(self) -> float | None:
        return round(100 * self.worked / self.due, 1) if self.due else None


@dataclass
class MonthBoard:
    team: object
    month: dt.date
    rows: list[PersonMonth]
    totals: PersonMonth = field(default_factory=lambda: PersonMonth(None))


def _leave_days(start_at: dt.datetime, end_at: dt.datetime) -> int:
    seconds = (end_at - start_at).total_seconds()
    return max(1, math.ceil(seconds / 86400)) if seconds > 0 else 0


def monthly(user, team, month: dt.date, *, now: dt.datetime | None = None) -> MonthBoard:
    """The board of ``team`` for ``month`` (its first day). Five queries whatever the team's size."""
    from kefu.org.models import User

    now = now or timezone.now()
    start, end = month_moments(month)
    last_day = next_month(month) - dt.timedelta(days=1)
    shifts = list(Shift.objects.filter(team=team, status=Shift.Status.PUBLISHED, date__gte=month, date__lte=last_day)
                  .select_related("person", "attendance").order_by("person_id", "start_at"))
    people = {p.pk: p for p in User.objects.filter(team=team, is_active=True).order_by("id")}  # query 2
    for shift in shifts:
        people.setdefault(shift.person_id, shift.person)
    ids = list(people)
    rows = {pk: PersonMonth(person) for pk, person in people.items()}
    worked_spans: dict[int, list] = defaultdict(list)
    for shift in shifts:
        row = rows[shift.person_id]
        if shift.leave_id is not None:
            continue
        worked_spans[shift.person_id].append((shift.start_at, shift.end_at))
        row.shifts += 1
        attendance = getattr(shift, "attendance", None)
        if shift.start_at > now:
            continue  # not due yet: an early check-in does not count as worked before the shift starts
        row.due += 1
        if attendance is None:
            continue
        if attendance.check_in_at is not None:
            row.worked += 1
            if attendance.late_minutes:
                row.late += 1
                row.late_minutes += attendance.late_minutes
        elif attendance.absent:
            row.absences += 1
    leaves: dict[int, list] = defaultdict(list)
    for person_id, s, e in LeaveRequest.objects.filter(  # query 3
            person_id__in=ids, status=LeaveRequest.Status.APPROVED, start_at__lt=end, end_at__gt=start,
    ).values_list("person_id", "start_at", "end_at"):
        leaves[person_id].append((s, e))
        rows[person_id].leave_days += _leave_days(max(s, start), min(e, end))
    for period in AwayPeriod.objects.filter(person_id__in=ids, start_at__lt=end, start_at__gte=start):  # query 4
        row = rows[period.person_id]
        row.breaks += 1
        row.away_seconds += away_seconds(period.start_at, period.end_at or max(now, period.start_at),
                                         worked_spans[period.person_id], leaves[period.person_id])
    for person_id, n in (Violation.objects.filter(person_id__in=ids, at__gte=start, at__lt=end)  # query 5
                         .values_list("person_id").annotate(n=Count("id")).values_list("person_id", "n")):
        rows[person_id].violations = n
    board = MonthBoard(team, month, list(rows.values()))
    for row in board.rows:
        for name in ("shifts", "due", "worked", "late", "late_minutes", "absences", "breaks", "away_seconds",
                     "leave_days", "violations"):
            setattr(board.totals, name, getattr(board.totals, name) + getattr(row, name))
    return board


def trend(teams, month: dt.date, *, months: int = TREND_MONTHS, now: dt.datetime | None = None) -> dict:
    """Per team, per month of the ``months`` up to ``month``: attendance rate (%) and late arrivals, for the
    charts. One query for all the teams."""
    now = now or timezone.now()
    first = month
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    labels, m = [], first
    while m <= month:
        labels.append(m)
        m = next_month(m)
    teams = list(teams)
    rows = (Shift.objects.filter(team__in=teams, status=Shift.Status.PUBLISHED, leave__isnull=True,
                                 date__gte=first, date__lt=next_month(month), start_at__lte=now)
            .annotate(m=TruncMonth("date")).values("team_id", "m")
            .annotate(due=Count("id"), worked=Count("id", filter=Q(attendance__check_in_at__isnull=False)),
                      late=Count("id", filter=Q(attendance__late_minutes__gt=0)),
                      late_minutes=Sum("attendance__late_minutes")))
    figures = {(r["team_id"], r["m"]): r for r in rows}
    series = []
    for team in teams:
        rate, late, late_minutes = [], [], []
        for m in labels:
            r = figures.get((team.pk, m))
            rate.append(round(100 * r["worked"] / r["due"], 1) if r and r["due"] else None)
            late.append(r["late"] if r else 0)
            late_minutes.append((r["late_minutes"] or 0) if r else 0)
        series.append({"team": team.name, "rate": rate, "late": late, "late_minutes": late_minutes})
    return {"months": [f"{m:%Y-%m}" for m in labels], "teams": series}
