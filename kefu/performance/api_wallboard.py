"""GET /api/v1/wallboard: the live wallboard's figures (大屏), for team leads and managers within their scope."""

from __future__ import annotations

from ninja import Router, Schema

from kefu.core.api import ErrorOut
from kefu.performance import wallboard

router = Router(tags=["performance"])


class ContactsOut(Schema):
    today: int
    last_week: int
    change: float | None
    hours: list[int]
    today_by_hour: list[int]
    last_week_by_hour: list[int]


class TicketsOut(Schema):
    open: int
    unassigned: int
    warning: int
    breached: int


class AgentsOut(Schema):
    on_shift: int
    on_break: int
    staff: int


class CsatOut(Schema):
    average: float | None
    callbacks: int


class CauseOut(Schema):
    cause: str
    today: int
    week: int


class ScopeOut(Schema):
    level: str
    team_ids: list[int]


class WallboardOut(Schema):
    at: str
    scope: ScopeOut
    contacts: ContactsOut
    tickets: TicketsOut
    agents: AgentsOut
    csat: CsatOut
    causes: list[CauseOut]


@router.get("/wallboard", response={200: WallboardOut, 401: ErrorOut, 404: ErrorOut})
def wallboard_figures(request):
    """Contacts today so far against the same time on the same weekday last week (and per local hour), open,
    unassigned, near-limit (warning) and past-limit (breached) tickets, agents on shift and on a break now,
    CSAT of the callbacks made today (1–5) and the week's top complaint causes with today's count. A lead sees
    their team; agents get 404."""
    return wallboard.board(request.user)
