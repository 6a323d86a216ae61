"""Calibration sessions (校准) through the API, mounted under /api/v1/qa/calibrations (issue 11).

QA inspectors and department heads of the centre take part: a QA inspector or head opens a session on a
few tickets (they score the reference), adds tickets, and every inspector scores each ticket blind — they
read back only their own scores. The spread per item and per inspector against the reference is shown to
the reference scorer, the session's creator and heads, and to an inspector once they scored every ticket
(before that → 403). Thin: every change goes through ``kefu.quality.services``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber
from kefu.core.errors import NotAllowed
from kefu.quality import access, selectors, services
from kefu.quality.models import CalibrationSession

router = Router(tags=["quality"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

Points = Annotated[int, Field(ge=0, le=100)]
Code = Annotated[str, Field(max_length=40)]


class CalibrationSessionOut(Schema):
    id: int
    name: str
    scorecard_id: int
    scorecard_version: int
    reference: str = Field(..., description="The username whose scores are the reference")
    created_by: str
    created_at: dt.datetime
    closed: bool
    ticket_ids: list[int]
    ticket_count: int
    scored_by_me: int = Field(..., description="How many of its tickets the caller scored")
    submitted: bool = Field(..., description="The caller scored every ticket (the spread is then open to them)")

    @staticmethod
    def resolve_scorecard_version(obj: CalibrationSession) -> int:
        return obj.scorecard.version

    @staticmethod
    def resolve_reference(obj: CalibrationSession) -> str:
        return obj.reference.username

    @staticmethod
    def resolve_created_by(obj: CalibrationSession) -> str:
        return obj.created_by.username

    @staticmethod
    def resolve_ticket_ids(obj: CalibrationSession) -> list[int]:
        return [t.pk for t in obj.tickets.all()]

    @staticmethod
    def resolve_submitted(obj: CalibrationSession) -> bool:
        return obj.ticket_count > 0 and obj.scored_by_me >= obj.ticket_count


class CalibrationMyScoreOut(Schema):
    ticket_id: int
    code: str
    points: int
    failed: bool


class CalibrationDetailOut(CalibrationSessionOut):
    my_scores: list[CalibrationMyScoreOut] = Field(..., description="The caller's own scores only (blind)")

    @staticmethod
    def resolve_my_scores(obj: CalibrationSession) -> list[dict]:
        return [{"ticket_id": s.ticket_id, "code": s.item.code, "points": s.points, "failed": s.failed}
                for s in obj.my_scores]


class CalibrationIn(Schema):
    name: Annotated[str, Field(max_length=200)]
    ticket_ids: list[Id] = Field(..., max_length=200)
    scorecard_id: Id | None = None


class CalibrationTicketsIn(Schema):
    ticket_ids: list[Id] = Field(..., max_length=200)


class CalibrationScoreIn(Schema):
    ticket_id: Id
    scores: dict[Code, Points] = Field(..., description="Points per item code, from 0 to the item's weight")
    critical_failed: list[Code] = Field([], description="Critical items failed")


class CalibrationScoredOut(Schema):
    session_id: int
    ticket_id: int
    score: int
    submitted: bool


class CalibrationItemSpreadOut(Schema):
    code: str
    name: str
    spread: float | None = Field(..., description="Highest − lowest points over the inspectors, averaged "
                                                   "over the tickets")


class CalibrationInspectorOut(Schema):
    inspector: str
    name: str
    deviation: float | None = Field(..., description="Mean absolute difference from the reference's points")
    items: dict[str, float]


class CalibrationSpreadOut(Schema):
    session_id: int
    reference: str
    items: list[CalibrationItemSpreadOut]
    inspectors: list[CalibrationInspectorOut]
    scored_by: list[str] = Field(..., description="The usernames who scored in the session")


def _session(request, session_id: int) -> CalibrationSession:
    return selectors.calibration_detail(request.user, session_id)


@router.get("", response={200: list[CalibrationSessionOut], **ERRORS})
@paginate(PageNumber)
def list_calibrations(request):
    """The centre's calibration sessions, newest first (QA inspectors and heads)."""
    if not access.may_review(request.user):
        raise NotAllowed(_("Only QA inspectors and department heads take part in calibration."))
    return selectors.calibration_list(request.user)


@router.post("", response={201: CalibrationDetailOut, **ERRORS})
def create_calibration(request, payload: CalibrationIn):
    """A QA inspector or head opens a session on tickets of their scope; they score the reference."""
    session = services.create_calibration(actor=request.user, name=payload.name, ticket_ids=payload.ticket_ids,
                                          scorecard_id=payload.scorecard_id)
    return Status(201, _session(request, session.pk))


@router.get("/{session_id}", response={200: CalibrationDetailOut, **ERRORS})
def get_calibration(request, session_id: Id):
    return _session(request, session_id)


@router.post("/{session_id}/tickets", response={200: CalibrationDetailOut, **ERRORS})
def add_tickets(request, session_id: Id, payload: CalibrationTicketsIn):
    """The session's creator (or a head) adds tickets to an open session."""
    services.add_calibration_tickets(actor=request.user, session_id=session_id, ticket_ids=payload.ticket_ids)
    return _session(request, session_id)


@router.post("/{session_id}/scores", response={200: CalibrationScoredOut, **ERRORS})
def score(request, session_id: Id, payload: CalibrationScoreIn):
    """The caller's blind scores of one ticket of the session (again: replaces their earlier ones)."""
    total = services.score_calibration(actor=request.user, session_id=session_id, ticket_id=payload.ticket_id,
                                       scores=payload.scores, critical_failed=payload.critical_failed)
    session = access.access_calibration(request.user, session_id)
    return {"session_id": session_id, "ticket_id": payload.ticket_id, "score": total,
            "submitted": selectors.calibration_submitted(session, request.user)}


@router.get("/{session_id}/spread", response={200: CalibrationSpreadOut, **ERRORS})
def spread(request, session_id: Id):
    """The spread per item and per inspector against the reference (after the caller scored every ticket,
    or for the reference scorer, the creator and heads)."""
    user = request.user
    session = access.access_calibration(user, session_id)
    if not access.may_see_spread(user, session, submitted=selectors.calibration_submitted(session, user)):
        raise NotAllowed(_("Score every ticket of the session first: the spread is shown after you submitted."))
    data = selectors.calibration_spread(session)
    return {"session_id": session.pk, "reference": session.reference.username,
            "items": [{"code": d["item"].code, "name": d["item"].name, "spread": d["spread"]} for d in data["items"]],
            "inspectors": [{"inspector": d["username"], "name": d["name"], "deviation": d["deviation"],
                            "items": d["items"]} for d in data["inspectors"]],
            "scored_by": data["scored_by_usernames"]}
