"""Workforce API, issue 10: the centre's shift types (R-WFM-1): reading for anyone who rosters (leads and up),
creating and changing for heads, directors and administrators (``access.may_edit_shift_types``); shift plan
proposals (start, progress, publish, discard) and copying a week, for the leads and heads of the team."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, Version
from kefu.core.errors import NotAllowed
from kefu.workforce import access
from kefu.workforce.selectors import planning as selectors
from kefu.workforce.services import planning as services

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ShiftTypeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    start: str
    end: str
    crosses_midnight: bool
    breaks: list
    work_type: str
    headcount: int
    active: bool
    version: int

    @staticmethod
    def resolve_start(obj) -> str:
        return f"{obj.start:%H:%M}"

    @staticmethod
    def resolve_end(obj) -> str:
        return f"{obj.end:%H:%M}"


class ShiftTypeIn(Schema):
    code: str = Field(..., max_length=32, description="Letters, digits, - and _")
    name: str = Field(..., max_length=50)
    kind: str = Field("day", description="day|night|custom")
    start: dt.time
    end: dt.time = Field(..., description="An end not after the start is on the next day")
    breaks: list[list[str]] = Field(default_factory=list, max_length=10, description='e.g. [["12:00", "13:00"]]')
    work_type: str = Field("", max_length=50)
    headcount: int = Field(0, ge=0, le=1000)
    active: bool = True


class ShiftTypePatch(Schema):
    version: Version
    name: str | None = Field(None, max_length=50)
    kind: str | None = None
    start: dt.time | None = None
    end: dt.time | None = None
    breaks: list[list[str]] | None = Field(None, max_length=10)
    work_type: str | None = Field(None, max_length=50)
    headcount: int | None = Field(None, ge=0, le=1000)
    active: bool | None = None


@router.get("/shift-types", response={200: list[ShiftTypeOut], **ERRORS})
def list_shift_types(request):
    if not access.may_roster(request.user):
        raise NotAllowed(_("Only team leads, department heads and directors read the shift types."))
    return list(selectors.shift_types(request.user))


@router.post("/shift-types", response={201: ShiftTypeOut, **ERRORS})
def create_shift_type(request, payload: ShiftTypeIn):
    shift_type = services.create_shift_type(actor=request.user, centre=request.user.centre, **payload.dict())
    return Status(201, shift_type)


@router.patch("/shift-types/{int:shift_type_id}", response={200: ShiftTypeOut, **ERRORS})
def update_shift_type(request, shift_type_id: Id, payload: ShiftTypePatch):
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    changes = {k: v for k, v in changes.items() if v is not None}
    return services.update_shift_type(actor=request.user, shift_type_id=shift_type_id, version=version, **changes)


# -- shift plan proposals and copying a week (issue 10) ----------------------------------------------------

def _team_id(request, value: str) -> int:
    from kefu.core.errors import FieldError, InvalidInput
    from kefu.workforce.selectors import teams_for_roster

    teams = teams_for_roster(request.user)
    value = (value or "").strip()
    team = (teams.filter(pk=int(value)).first() if value.isdigit() and len(value) < 18
            else teams.filter(name=value).first() if value else None)
    if team is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("team", _("No such team in your scope."))])
    return team.pk


class ProposalIn(Schema):
    team: str = Field(..., max_length=100, description="The team's id or name")
    week_start: dt.date = Field(..., description="The Monday of a week that has not begun")


class ProposalOut(Schema):
    id: int
    team: str
    week_start: dt.date
    status: str
    progress: int
    message: str
    shifts: int
    shortfall_agent_hours: float | None
    version: int

    @staticmethod
    def resolve_team(obj) -> str:
        return obj.team.name

    @staticmethod
    def resolve_shifts(obj) -> int:
        return obj.shifts.count()

    @staticmethod
    def resolve_shortfall_agent_hours(obj) -> float | None:
        return (obj.summary or {}).get("shortfall_agent_hours")


class ProposalActionIn(Schema):
    version: Version | None = None


@router.post("/plan-proposals", response={201: ProposalOut, **ERRORS})
def start_proposal(request, payload: ProposalIn):
    """Queue a proposal for the team's week; poll ``GET /plan-proposals/{id}`` for its progress."""
    team = access.team_for_roster(request.user, _team_id(request, payload.team))
    return Status(201, services.start_proposal(actor=request.user, team=team, week_start=payload.week_start))


@router.get("/plan-proposals/{int:proposal_id}", response={200: ProposalOut, **ERRORS})
def get_proposal(request, proposal_id: Id):
    return services.proposal_for_manager(request.user, proposal_id)


@router.post("/plan-proposals/{int:proposal_id}/publish", response={200: ProposalOut, **ERRORS})
def publish_proposal(request, proposal_id: Id, payload: ProposalActionIn | None = None):
    payload = payload or ProposalActionIn()
    return services.publish_proposal(actor=request.user, proposal_id=proposal_id, version=payload.version).proposal


@router.post("/plan-proposals/{int:proposal_id}/discard", response={200: ProposalOut, **ERRORS})
def discard_proposal(request, proposal_id: Id, payload: ProposalActionIn | None = None):
    payload = payload or ProposalActionIn()
    return services.discard_proposal(actor=request.user, proposal_id=proposal_id, version=payload.version)


class CopyWeekIn(Schema):
    team: str = Field(..., max_length=100, description="The team's id or name")
    from_week: dt.date
    to_week: dt.date


class SkippedOut(Schema):
    person: str
    date: dt.date
    reason: str


class CopyWeekOut(Schema):
    created: list[int]
    skipped: list[SkippedOut]


@router.post("/shifts/copy-week", response={200: CopyWeekOut, **ERRORS})
def copy_week(request, payload: CopyWeekIn):
    """The team's shifts of one week as drafts of another (publish with ``POST /shifts/publish``)."""
    team = access.team_for_roster(request.user, _team_id(request, payload.team))
    result = services.copy_week(actor=request.user, team=team, from_week=payload.from_week, to_week=payload.to_week)
    return {"created": [s.pk for s in result.created],
            "skipped": [{"person": s.person.username, "date": s.date, "reason": str(s.reason)} for s in result.skipped]}
