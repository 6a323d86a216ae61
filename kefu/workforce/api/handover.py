"""Duty log and handover API (值班日志, 交接班; R-WFM-1, R-WFM-2). A handover is signed off only once an
incoming person has checked in (422 with ``"rule": "R-WFM-2"`` before); an incoming person acknowledges."""


import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import NotFound
from kefu.workforce import selectors as wfm_selectors
from kefu.workforce.api.rollcall import team_in
from kefu.workforce.models import DutyLogEntry
from kefu.workforce.selectors import handover as selectors
from kefu.workforce.services import handover as services
from kefu.workforce.services.handover import TEXT_MAX, TICKETS_MAX

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _team(request, value: str):
    """The named team among those the caller sees, else the caller's own (or their first)."""
    teams = list(wfm_selectors.teams_for_roster(request.user))
    team = team_in(teams, value)
    if team is None:
        team = next((t for t in teams if t.pk == request.user.team_id), teams[0] if teams else None)
    return team


# -- duty log ---------------------------------------------------------------------------------------------

class DutyLogOut(Schema):
    id: int
    team: str
    shift_id: int | None
    author: str
    author_name: str
    text: str
    at: dt.datetime

    @staticmethod
    def resolve_team(obj) -> str:
        return obj.team.name

    @staticmethod
    def resolve_author(obj) -> str:
        return obj.author.username

    @staticmethod
    def resolve_author_name(obj) -> str:
        return str(obj.author)


class DayFilters(Schema):
    team: str = Field("", max_length=100, description="A team's id or name (default: the caller's team)")
    date: dt.date | None = Field(None, description="Default: today")


@router.get("/duty-log", response={200: list[DutyLogOut], **ERRORS})
@paginate(PageNumber)
def list_duty_log(request, filters: Query[DayFilters]):
    """The team's duty log of the day, newest first."""
    team = _team(request, filters.team)
    if team is None:
        return DutyLogEntry.objects.none()
    return selectors.duty_log(request.user, team_id=team.pk, day=filters.date or timezone.localdate()
                              ).select_related("team")


class DutyLogIn(Schema):
    team: str = Field("", max_length=100, description="Default: the team of the caller's shift under way")
    text: str = Field(..., max_length=TEXT_MAX)


@router.post("/duty-log", response={201: DutyLogOut, **ERRORS})
def write_duty_log(request, payload: DutyLogIn):
    """A person on a shift (for its team) or a lead, head or director (for a team in scope) writes an entry."""
    team = team_in(list(wfm_selectors.teams_for_roster(request.user)), payload.team) if payload.team else None
    entry = services.write_duty_log(actor=request.user, team=team, text=payload.text)
    return Status(201, DutyLogEntry.objects.select_related("team", "author").get(pk=entry.pk))


# -- handovers (R-WFM-2) ------------------------------------------------------------------------------------

class TicketRef(Schema):
    id: int
    number: str
    title: str
    status: str


class IncomingOut(Schema):
    person: str
    person_name: str
    shift_id: int
    start_at: dt.datetime
    checked_in: bool


class HandoverOut(Schema):
    id: int
    team: str | None
    outgoing_shift_id: int
    outgoing_start_at: dt.datetime
    outgoing_end_at: dt.datetime
    author: str
    author_name: str
    equipment: str
    difficult_cases: str
    staffing: str
    tickets: list[TicketRef]
    status: str
    incoming_shift_id: int | None
    incoming: list[IncomingOut]
    signed_off_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    open_tickets: list[TicketRef] = Field(..., description="The outgoing person's unfinished tickets you can see")
    created_at: dt.datetime
    version: int


def _ticket(t) -> dict:
    return {"id": t.pk, "number": t.number, "title": t.title, "status": t.status}


def _out(card) -> dict:
    h = card.handover
    return {
        "id": h.pk, "team": h.outgoing_shift.team.name if h.outgoing_shift.team_id else None,
        "outgoing_shift_id": h.outgoing_shift_id, "outgoing_start_at": h.outgoing_shift.start_at,
        "outgoing_end_at": h.outgoing_shift.end_at, "author": h.author.username, "author_name": str(h.author),
        "equipment": h.equipment, "difficult_cases": h.difficult_cases, "staffing": h.staffing,
        "tickets": [_ticket(t) for t in h.tickets.all()], "status": h.status,
        "incoming_shift_id": h.incoming_shift_id,
        "incoming": [{"person": s.person.username, "person_name": str(s.person), "shift_id": s.pk,
                      "start_at": s.start_at, "checked_in": selectors._checked_in(s)} for s in card.incoming],
        "signed_off_at": h.signed_off_at, "acknowledged_by": h.acknowledged_by.username if h.acknowledged_by_id else None,
        "acknowledged_at": h.acknowledged_at, "open_tickets": [_ticket(t) for t in card.open_tickets],
        "created_at": h.created_at, "version": h.version,
    }


def _one(request, handover_id: int) -> dict:
    handover = selectors.handovers(request.user).select_related("outgoing_shift__team").filter(pk=handover_id).first()
    if handover is None:
        raise NotFound(_("No such handover."))
    return _out(selectors.handover_cards(request.user, [handover])[0])


class HandoverFilters(Schema):
    team: str = Field("", max_length=100, description="A team's id or name")
    date: dt.date | None = Field(None, description="The outgoing shift's day")


@router.get("/handovers", response={200: list[HandoverOut], **ERRORS})
def list_handovers(request, filters: Query[HandoverFilters]):
    """The handovers of the teams the caller sees (the team's and day's when given), newest first, at most 100."""
    team = team_in(list(wfm_selectors.teams_for_roster(request.user)), filters.team) if filters.team else None
    rows = list(selectors.handovers(request.user, team_id=team.pk if team else None, day=filters.date)
                .select_related("outgoing_shift__team")[:100])
    return [_out(card) for card in selectors.handover_cards(request.user, rows)]


@router.get("/handovers/{int:handover_id}", response={200: HandoverOut, **ERRORS})
def get_handover(request, handover_id: Id):
    return _one(request, handover_id)


class ShiftHandoverIn(Schema):
    shift_id: Id | None = Field(None, description="Your outgoing shift (default: the one under way or just ended)")
    equipment: str = Field("", max_length=TEXT_MAX)
    difficult_cases: str = Field("", max_length=TEXT_MAX)
    staffing: str = Field("", max_length=TEXT_MAX)
    ticket_ids: list[Id] = Field(default_factory=list, max_length=TICKETS_MAX,
                                 description="Tickets you can see, linked to the difficult cases")


@router.post("/handovers", response={201: HandoverOut, **ERRORS})
def write_handover(request, payload: ShiftHandoverIn):
    handover = services.write_handover(actor=request.user, shift_id=payload.shift_id, equipment=payload.equipment,
                                       difficult_cases=payload.difficult_cases, staffing=payload.staffing,
                                       ticket_ids=payload.ticket_ids)
    return Status(201, _one(request, handover.pk))


class HandoverEditIn(Schema):
    version: Version
    equipment: str = Field("", max_length=TEXT_MAX)
    difficult_cases: str = Field("", max_length=TEXT_MAX)
    staffing: str = Field("", max_length=TEXT_MAX)
    ticket_ids: list[Id] = Field(default_factory=list, max_length=TICKETS_MAX)


@router.put("/handovers/{int:handover_id}", response={200: HandoverOut, **ERRORS})
def edit_handover(request, handover_id: Id, payload: HandoverEditIn):
    """The outgoing person edits their handover until it is signed off (send the version you read)."""
    services.edit_handover(actor=request.user, handover_id=handover_id, version=payload.version,
                           equipment=payload.equipment, difficult_cases=payload.difficult_cases,
                           staffing=payload.staffing, ticket_ids=payload.ticket_ids)
    return _one(request, handover_id)


class HandoverVersionIn(Schema):
    version: Version


@router.post("/handovers/{int:handover_id}/sign-off", response={200: HandoverOut, **ERRORS})
def sign_off(request, handover_id: Id, payload: HandoverVersionIn):
    """422 with ``"rule": "R-WFM-2"`` until an incoming person has checked in."""
    services.sign_off_handover(actor=request.user, handover_id=handover_id, version=payload.version)
    return _one(request, handover_id)


@router.post("/handovers/{int:handover_id}/acknowledge", response={200: HandoverOut, **ERRORS})
def acknowledge(request, handover_id: Id, payload: HandoverVersionIn):
    """An incoming person only (403 for others)."""
    services.acknowledge_handover(actor=request.user, handover_id=handover_id, version=payload.version)
    return _one(request, handover_id)
