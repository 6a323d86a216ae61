"""Roll call API (点名, R-WFM-1): a team's published shifts of a day with their marks; leads, heads and
directors mark each person present / late / absent / on leave with a comment, from 10 minutes (a setting)
before the shift starts."""


import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, Version
from kefu.core.errors import FieldError, InvalidInput, NotAllowed
from kefu.workforce import access
from kefu.workforce.selectors import rollcall as selectors
from kefu.workforce.services.rollcall import COMMENT_MAX, mark_roll_call, roll_call_opens_at

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def team_in(teams, value: str, *, field: str = "team"):
    """A team of ``teams`` by id or name (422 naming ``field`` otherwise); None when ``value`` is empty."""
    if not value:
        return None
    team = next((t for t in teams if str(t.pk) == value or t.name == value), None)
    if team is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(field, _("No such team in your scope."))])
    return team


class MarkOut(Schema):
    status: str
    comment: str
    marked_by: str | None
    marked_at: dt.datetime
    version: int


class AttendanceState(Schema):
    check_in_at: dt.datetime | None
    late_minutes: int
    absent: bool


class RollCallRowOut(Schema):
    shift_id: int
    person: str
    person_name: str
    start_at: dt.datetime
    end_at: dt.datetime
    on_leave: bool
    roll_call_opens_at: dt.datetime
    mark: MarkOut | None
    attendance: AttendanceState | None


def _mark(mark) -> dict | None:
    if mark is None:
        return None
    return {"status": mark.status, "comment": mark.comment,
            "marked_by": mark.marked_by.username if mark.marked_by_id else None,
            "marked_at": mark.marked_at, "version": mark.version}


def _row(row, opens_at: dt.datetime) -> dict:
    s = row.shift
    a = row.attendance
    return {
        "shift_id": s.pk, "person": s.person.username, "person_name": str(s.person), "start_at": s.start_at,
        "end_at": s.end_at, "on_leave": s.on_leave, "roll_call_opens_at": opens_at, "mark": _mark(row.mark),
        "attendance": None if a is None else {"check_in_at": a.check_in_at, "late_minutes": a.late_minutes,
                                              "absent": a.absent},
    }


class RollCallFilters(Schema):
    team: str = Field("", max_length=100, description="A team's id or name (default: the caller's team)")
    date: dt.date | None = Field(None, description="Default: today")


@router.get("/roll-call", response={200: list[RollCallRowOut], **ERRORS})
def list_roll_call(request, filters: Query[RollCallFilters]):
    """The team's published shifts of the day, by start time, each with its mark and attendance."""
    if not access.may_roster(request.user):
        raise NotAllowed(_("The roll call is taken by team leads, department heads and directors."))
    teams = list(selectors.roll_call_teams(request.user))
    team = team_in(teams, filters.team)
    if team is None:
        team = next((t for t in teams if t.pk == request.user.team_id), teams[0] if teams else None)
    if team is None:
        return []
    day = filters.date or timezone.localdate()
    return [_row(row, group.opens_at)
            for group in selectors.roll_call(request.user, team=team, day=day) for row in group.rows]


class MarkIn(Schema):
    shift_id: Id
    status: str = Field(..., max_length=20, description="present|late|absent|leave")
    comment: str = Field("", max_length=COMMENT_MAX, description="点评")
    version: Version | None = Field(None, description="The mark's version, when marking again")
    arrived_at: dt.datetime | None = Field(None, description="Late only: when the person arrived (default: now)")


@router.post("/roll-call", response={200: RollCallRowOut, 201: RollCallRowOut, **ERRORS})
def mark(request, payload: MarkIn):
    """Mark one person; 201 for the first mark of the shift, 200 when it is marked again (send its version).
    Before the roll call opens → 422 with ``"rule": "R-WFM-1"``."""
    if not access.may_roster(request.user):
        raise NotAllowed(_("The roll call is taken by team leads, department heads and directors."))
    try:
        arrived_at = _aware(payload.arrived_at)
    except (OverflowError, ValueError):
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("arrived_at", _("Enter a date and time within the calendar."))]) from None
    result = mark_roll_call(actor=request.user, shift_id=payload.shift_id, status=payload.status,
                            comment=payload.comment, version=payload.version, arrived_at=arrived_at)
    shift = (selectors.roll_call_shifts(request.user, team_id=result.shift.team_id, day=result.shift.date)
             .get(pk=result.shift_id))
    body = _row(selectors.row_for(shift), roll_call_opens_at(shift))
    return Status(201 if result.version == 1 else 200, body)
