"""Reads of the workforce app: rosters, schedules, the approval inbox, violations (SPEC §4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from kefu.bizcalendar.selectors import DayInfo, days_in_year, has_official_schedule
from kefu.org.scope import scope_for
from kefu.workforce import access
from kefu.workforce.models import LeaveRequest, Shift, Violation


def shifts(user, *, team_id: int | None = None, person_id: int | None = None, date_from: dt.date | None = None,
           date_to: dt.date | None = None) -> QuerySet[Shift]:
    qs = access.shifts_in_scope(user)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if person_id:
        qs = qs.filter(person_id=person_id)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("person", "team", "shift_type", "leave").order_by("date", "start_at", "id")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class RosterRow:
    person: object
    cells: list[list[Shift]] = field(default_factory=list)


@dataclass
class Roster:
    team: object
    days: list[DayInfo]
    rows: list[RosterRow]
    headcount: list[int]


def teams_for_roster(user):
    """The teams whose roster the caller sees (agents: their own)."""
    scope = scope_for(user)
    ids = set(scope.team_ids)
    if user.team_id:
        ids.add(user.team_id)
    from kefu.org.models import Team

    return Team.objects.filter(pk__in=ids).order_by("id")


def week_roster(user, team, monday: dt.date, days: int = 7) -> Roster:
    """People × days of ``team`` with their shifts; holidays and 调休 from the business calendar; a shift freed
    by approved leave is kept and flagged (``on_leave``) so the grid shows the gap. Two queries."""
    from kefu.org.models import User

    day_list = [monday + dt.timedelta(days=i) for i in range(days)]
    people = list(User.objects.filter(team=team, is_active=True).order_by("id"))
    rows = {p.pk: RosterRow(p, [[] for _ in day_list]) for p in people}
    # the grid reads the person and the shift type; the leave only as ``leave_id`` (on_leave): no joins of the
    # leave request and the team, whose 125 extra objects a week cost more than the query (bench/README.md)
    week = (shifts(user, team_id=team.pk, date_from=day_list[0], date_to=day_list[-1])
            .select_related(None).select_related("person", "shift_type"))
    for shift in week:
        row = rows.get(shift.person_id)
        if row is None:  # someone who has left the team since
            row = rows[shift.person_id] = RosterRow(shift.person, [[] for _ in day_list])
        row.cells[(shift.date - monday).days].append(shift)
    headcount = [sum(1 for r in rows.values() for s in r.cells[i] if not s.on_leave) for i in range(len(day_list))]
    return Roster(team=team, days=calendar_days(day_list), rows=list(rows.values()), headcount=headcount)


def calendar_days(day_list: list[dt.date]) -> list[DayInfo]:
    """What the business calendar says about each day (R-CAL): one look-up per year, not per day."""
    special = {info.date: info for year in sorted({d.year for d in day_list}) for info in days_in_year(year)}
    return [special.get(d) or _plain(d) for d in day_list]


def _plain(day: dt.date) -> DayInfo:
    weekend = day.weekday() >= 5
    return DayInfo(day, not weekend, "weekend" if weekend else "normal", "",
                   "official" if has_official_schedule(day.year) else "default")


def my_shifts(user, date_from: dt.date, date_to: dt.date) -> QuerySet[Shift]:
    return shifts(user, person_id=user.pk, date_from=date_from, date_to=date_to)


def leave_requests(user) -> QuerySet[LeaveRequest]:
    return access.leave_in_scope(user).select_related("person", "filed_by", "decided_by")


def my_leave(user) -> QuerySet[LeaveRequest]:
    return leave_requests(user).filter(person=user)


def approval_inbox(user) -> QuerySet[LeaveRequest]:
    """Pending leave the caller decides: by their role (R-WFM-4), within their scope, never their own."""
    roles = [role for role, allowed in access.APPROVER_ROLES.items() if user.role_codes & allowed]
    return (leave_requests(user).filter(status=LeaveRequest.Status.PENDING, approver_role__in=roles)
            .exclude(person=user).order_by("start_at", "id"))


def violations(user) -> QuerySet[Violation]:
    return access.violations_in_scope(user).select_related("person", "recorded_by", "shift").order_by("-at", "-id")
