"""Workforce API, issue 10: the centre's shift types (R-WFM-1). Reading: anyone who rosters (leads and up);
creating and changing: heads, directors and administrators (``access.may_edit_shift_types``)."""

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
