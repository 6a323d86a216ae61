"""Shift swaps (API.md "Workforce", R-WFM-3): ask, list, approve, refuse, cancel."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.workforce.selectors import swaps as selectors
from kefu.workforce.services import swaps as services

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class SwapShiftOut(Schema):
    id: int
    person: str
    date: dt.date
    start_at: dt.datetime
    end_at: dt.datetime
    work_type: str

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_work_type(obj) -> str:
        return obj.shift_type.work_type if obj.shift_type_id else ""


class SwapOut(Schema):
    id: int
    requester: str
    counterpart: str
    shift_id: int
    with_shift_id: int
    shift: SwapShiftOut
    with_shift: SwapShiftOut
    reason: str
    status: str
    requester_lead_approved_by: str | None
    counterpart_lead_approved_by: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    payback_for: int | None = Field(None, alias="payback_for_id")
    paid_back: bool
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_requester(obj) -> str:
        return obj.requester.username

    @staticmethod
    def resolve_counterpart(obj) -> str:
        return obj.counterpart.username

    @staticmethod
    def resolve_requester_lead_approved_by(obj) -> str | None:
        return obj.requester_lead_approved_by.username if obj.requester_lead_approved_by_id else None

    @staticmethod
    def resolve_counterpart_lead_approved_by(obj) -> str | None:
        return obj.counterpart_lead_approved_by.username if obj.counterpart_lead_approved_by_id else None

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class SwapIn(Schema):
    shift_id: Id = Field(..., description="Your shift")
    with_shift_id: Id = Field(..., description="The colleague's shift you take instead")
    reason: str = Field(..., max_length=300)
    payback_for: Id | None = Field(None, description="The earlier swap this one pays back (还班)")


class SwapFilters(Schema):
    status: str = Field("", max_length=20)
    inbox: bool = Field(False, description="Only the swaps waiting for the caller's approval")
    owed: bool = Field(False, description="Only approved swaps not paid back yet (还班)")


def _one(request, swap_id: int):
    return selectors.swaps(request.user).get(pk=swap_id)


@router.post("/shift-swaps", response={201: SwapOut, **ERRORS})
def request_swap(request, payload: SwapIn):
    swap = services.request_swap(actor=request.user, shift_id=payload.shift_id, with_shift_id=payload.with_shift_id,
                                 reason=payload.reason, payback_for_id=payload.payback_for)
    return Status(201, _one(request, swap.pk))


@router.get("/shift-swaps", response={200: list[SwapOut], **ERRORS})
@paginate(PageNumber)
def list_swaps(request, filters: Query[SwapFilters]):
    if filters.inbox:
        qs = selectors.swap_inbox(request.user)
    elif filters.owed:
        qs = selectors.owed_paybacks(request.user, mine=False)
    else:
        qs = selectors.swaps(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("/shift-swaps/{int:swap_id}", response={200: SwapOut, **ERRORS})
def get_swap(request, swap_id: Id):
    from kefu.workforce import access

    return _one(request, access.access_swap(request.user, swap_id).pk)


class SwapDecisionIn(Schema):
    version: Version
    note: str = Field("", max_length=300)


class SwapCancelIn(Schema):
    version: Version


@router.post("/shift-swaps/{int:swap_id}/approve", response={200: SwapOut, **ERRORS})
def approve_swap(request, swap_id: Id, payload: SwapDecisionIn):
    swap = services.approve_swap(actor=request.user, swap_id=swap_id, version=payload.version, note=payload.note)
    return _one(request, swap.pk)


@router.post("/shift-swaps/{int:swap_id}/reject", response={200: SwapOut, **ERRORS})
def reject_swap(request, swap_id: Id, payload: SwapDecisionIn):
    swap = services.reject_swap(actor=request.user, swap_id=swap_id, version=payload.version, note=payload.note)
    return _one(request, swap.pk)


@router.post("/shift-swaps/{int:swap_id}/cancel", response={200: SwapOut, **ERRORS})
def cancel_swap(request, swap_id: Id, payload: SwapCancelIn):
    swap = services.cancel_swap(actor=request.user, swap_id=swap_id, version=payload.version)
    return _one(request, swap.pk)
