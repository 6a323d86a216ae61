"""Announcements API (R-TIC-10), mounted at /api/v1/announcements.

Everyone lists the announcements addressed to them (unconfirmed first) and confirms them; team leads,
department heads, centre directors and administrators publish, withdraw and see who has not confirmed.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.announcements import selectors, services
from kefu.announcements.access import access_announcement
from kefu.announcements.models import Kind
from kefu.core.api import ErrorOut, Id, PageNumber, Version

router = Router(tags=["announcements"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AnnouncementTeamOut(Schema):
    id: int
    name: str


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    kind: Kind
    published_at: dt.datetime
    expires_at: dt.datetime | None
    created_by: str | None
    teams: list[AnnouncementTeamOut] = Field(..., description="Empty: everyone in the centre")
    requires_confirmation: bool
    needs_confirmation: bool = Field(..., description="Addressed to the caller, who has not confirmed it yet")
    confirmed_at: dt.datetime | None = Field(None, description="When the caller confirmed it")
    withdrawn_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_teams(obj) -> list:
        return list(obj.teams.all())

    @staticmethod
    def resolve_confirmed_at(obj):
        return obj.my_confirmed_at


class AnnouncementIn(Schema):
    title: str = Field(..., max_length=200)
    body: str
    kind: Kind = Kind.BUSINESS_CHANGE
    teams: list[Id] = Field([], description="Team ids; empty: everyone in the centre (team leads: their team)")
    expires_at: dt.datetime | None = None
    requires_confirmation: bool = True


class WithdrawIn(Schema):
    version: Version


class ConfirmOut(Schema):
    announcement: int
    confirmed_at: dt.datetime


class CountOut(Schema):
    count: int


class PersonStatusOut(Schema):
    username: str
    name: str
    team: str | None
    confirmed_at: dt.datetime | None


class StatusOut(Schema):
    announcement: int
    confirmed: int
    unconfirmed: int
    people: list[PersonStatusOut] = Field(..., description="Unconfirmed first")


def _out(request, announcement_id: int):
    return access_announcement(request.user, announcement_id)


@router.get("", response={200: list[AnnouncementOut], **ERRORS})
@paginate(PageNumber)
def list_announcements(request, unconfirmed: bool = False, include_inactive: bool = False):
    """The announcements the caller sees, those awaiting their confirmation first. ``unconfirmed=true``:
    only those; ``include_inactive=true`` (leads and above): withdrawn and expired ones too."""
    qs = selectors.for_list(request.user,
                            active_only=not (include_inactive and selectors.is_manager(request.user)))
    if unconfirmed:
        qs = qs.filter(needs_confirmation=True)
    return qs


@router.get("/unconfirmed-count", response={200: CountOut, **ERRORS})
def unconfirmed_count(request):
    return {"count": selectors.unconfirmed_for(request.user).count()}


@router.post("", response={201: AnnouncementOut, **ERRORS})
def publish(request, payload: AnnouncementIn):
    announcement = services.publish(
        actor=request.user, title=payload.title, body=payload.body, kind=payload.kind, teams=payload.teams,
        expires_at=payload.expires_at, requires_confirmation=payload.requires_confirmation)
    return Status(201, _out(request, announcement.pk))


@router.get("/{announcement_id}", response={200: AnnouncementOut, **ERRORS})
def get_announcement(request, announcement_id: Id):
    return _out(request, announcement_id)


@router.post("/{announcement_id}/confirm", response={200: ConfirmOut, **ERRORS})
def confirm(request, announcement_id: Id):
    """Confirm having read it. Idempotent: again returns the first confirmation's time."""
    read = services.confirm_read(actor=request.user, announcement_id=announcement_id)
    return {"announcement": announcement_id, "confirmed_at": read.confirmed_at}


@router.post("/{announcement_id}/withdraw", response={200: AnnouncementOut, **ERRORS})
def withdraw(request, announcement_id: Id, payload: WithdrawIn):
    services.withdraw(actor=request.user, announcement_id=announcement_id, version=payload.version)
    return _out(request, announcement_id)


@router.get("/{announcement_id}/status", response={200: StatusOut, **ERRORS})
def read_status(request, announcement_id: Id):
    """Who of its audience within the caller's scope has confirmed it (leads and above)."""
    status = selectors.read_status(request.user, announcement_id)
    return {
        "announcement": announcement_id,
        "confirmed": len(status.confirmed),
        "unconfirmed": len(status.unconfirmed),
        "people": [{"username": r.person.username, "name": str(r.person),
                    "team": r.person.team.name if r.person.team_id else None, "confirmed_at": r.confirmed_at}
                   for r in status.rows],
    }
