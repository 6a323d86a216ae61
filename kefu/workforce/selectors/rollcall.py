"""Reads of the roll call (点名, R-WFM-1): a team's published shifts of a day, grouped by start time, each
with its mark and attendance. One query for the shifts (marks and attendance joined)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from kefu.org.models import Team
from kefu.org.scope import scope_for
from kefu.rules.selectors import get_rule
from kefu.workforce import access
from kefu.workforce.models import Shift


@dataclass
class RollCallRow:
    shift: Shift
    mark: object | None
    attendance: object | None
    errors: list[str] = field(default_factory=list)


@dataclass
class RollCallGroup:
    start_at: dt.datetime
    opens_at: dt.datetime
    is_open: bool
    rows: list[RollCallRow] = field(default_factory=list)


def roll_call_teams(user) -> QuerySet[Team]:
    """The teams whose roll call the caller takes: leads their team, heads and directors their scope's."""
    if not access.may_roster(user):
        return Team.objects.none()
    return Team.objects.filter(pk__in=scope_for(user).team_ids).order_by("id")


def roll_call_shifts(user, *, team_id: int, day: dt.date) -> QuerySet[Shift]:
    return (access.shifts_in_scope(user)
            .filter(team_id=team_id, date=day, status=Shift.Status.PUBLISHED)
            .select_related("person", "shift_type", "leave", "roll_call", "roll_call__marked_by", "attendance")
            .order_by("start_at", "person_id", "id"))


def _one_to_one(obj, name: str):
    try:
        return getattr(obj, name)
    except Shift._meta.get_field(name).related_model.DoesNotExist:
        return None


def row_for(shift: Shift) -> RollCallRow:
    return RollCallRow(shift, _one_to_one(shift, "roll_call"), _one_to_one(shift, "attendance"))


def roll_call(user, *, team: Team, day: dt.date, now: dt.datetime | None = None) -> list[RollCallGroup]:
    """The team's published shifts of ``day`` grouped by their start, earliest first."""
    now = now or timezone.now()
    groups: dict[dt.datetime, RollCallGroup] = {}
    for shift in roll_call_shifts(user, team_id=team.pk, day=day):
        group = groups.get(shift.start_at)
        if group is None:
            minutes = get_rule("workforce.roll_call_minutes", centre_id=shift.person.centre_id)
            opens_at = shift.start_at - dt.timedelta(minutes=minutes)
            group = groups[shift.start_at] = RollCallGroup(shift.start_at, opens_at, now >= opens_at)
        group.rows.append(row_for(shift))
    return list(groups.values())
