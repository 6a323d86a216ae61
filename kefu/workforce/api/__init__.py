"""Workforce API (API.md "Workforce", SPEC §4): shifts, leave requests, attendance, violations."""


import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import FieldError, InvalidInput
from kefu.org.models import Team
from kefu.rules.selectors import get_rule
from kefu.workforce import access, selectors, services
from kefu.workforce.models import ShiftType

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


# -- shifts (R-WFM-1) -------------------------------------------------------------------------------

class ShiftOut(Schema):
    id: int
    person: str
    person_name: str
    team: str | None
    date: dt.date
    kind: str
    shift_type: str | None
    start: str
    end: str
    start_at: dt.datetime
    end_at: dt.datetime
    status: str
    on_leave: bool
    leave_id: int | None
    version: int

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_person_name(obj) -> str:
        return str(obj.person)

    @staticmethod
    def resolve_team(obj) -> str | None:
        return obj.team.name if obj.team_id else None

    @staticmethod
    def resolve_shift_type(obj) -> str | None:
        return obj.shift_type.code if obj.shift_type_id else None

    @staticmethod
    def resolve_start(obj) -> str:
        return f"{obj.start:%H:%M}"

    @staticmethod
    def resolve_end(obj) -> str:
        return f"{obj.end:%H:%M}"


class ShiftIn(Schema):
    person: str = Field(..., max_length=150)
    date: dt.date
    kind: str | None = Field(None, description="day|night|custom (default: the shift type's)")
    start: dt.time | None = None
    end: dt.time | None = Field(None, description="An end not after the start is on the next day")
    shift_type: str | None = Field(None, max_length=32, description="A shift type's code (早班 …)")
    status: str = "published"
    note: str = Field("", max_length=200)


class ShiftFilters(Schema):
    team: str = ""
    person: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _team(request, value: str) -> int | None:
    if not value:
        return None
    teams = selectors.teams_for_roster(request.user)
    team = (teams.filter(pk=int(value)).first() if value.isdigit() and len(value) < 18
            else teams.filter(name=value).first())
    if team is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("team", _("No such team in your scope."))])
    return team.pk


@router.get("/shifts", response={200: list[ShiftOut], **ERRORS})
@paginate(PageNumber)
def list_shifts(request, filters: Query[ShiftFilters]):
    person_id = access.person_in_scope(request.user, filters.person).pk if filters.person else None
    return selectors.shifts(request.user, team_id=_team(request, filters.team), person_id=person_id,
                            date_from=filters.date_from, date_to=filters.date_to)


@router.post("/shifts", response={201: ShiftOut, **ERRORS})
def create_shift(request, payload: ShiftIn):
    if not access.may_roster(request.user):
        from kefu.core.errors import NotAllowed

        raise NotAllowed(_("Only team leads, department heads and directors change the roster."))
    person = access.person_in_scope(request.user, payload.person)
    shift_type = None
    if payload.shift_type:
        shift_type = ShiftType.objects.filter(centre_id=person.centre_id, code=payload.shift_type,
                                              active=True).first()
        if shift_type is None:
            raise InvalidInput(_("The request has invalid fields."),
                               errors=[FieldError("shift_type", _("No such shift type."))])
    shift = services.create_shift(actor=request.user, person=person, date=payload.date, kind=payload.kind,
                                  start=payload.start, end=payload.end, shift_type=shift_type,
                                  status=payload.status, note=payload.note)
    return Status(201, selectors.shifts(request.user).get(pk=shift.pk))


class DeleteIn(Schema):
    version: Version


@router.delete("/shifts/{int:shift_id}", response={204: None, **ERRORS})
def delete_shift(request, shift_id: Id, version: Version):
    services.delete_shift(actor=request.user, shift_id=shift_id, version=version)
    return Status(204, None)


class PublishIn(Schema):
    team: str
    date_from: dt.date
    date_to: dt.date


class PublishOut(Schema):
    published: int


@router.post("/shifts/publish", response={200: PublishOut, **ERRORS})
def publish(request, payload: PublishIn):
    team_id = _team(request, payload.team)
    if team_id is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("team", _("No such team in your scope."))])
    team = Team.objects.get(pk=team_id)
    return {"published": services.publish_shifts(actor=request.user, team=team, date_from=payload.date_from,
                                                 date_to=payload.date_to)}


# -- leave (R-WFM-4) ---------------------------------------------------------------------------------

class LeaveOut(Schema):
    id: int
    person: str
    kind: str
    start: dt.datetime = Field(..., alias="start_at")
    end: dt.datetime = Field(..., alias="end_at")
    days: int
    reason: str
    status: str
    approver_role: str
    touches_holiday: bool
    filed_by: str
    manager_approved: bool
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    needs_certificate: bool = Field(..., description="Sick leave of a full day or more without a certificate yet")
    has_certificate: bool
    certificate_due: dt.date | None = Field(None, description="The first day back: the certificate is due by then")
    certificate_flagged: bool = Field(False, description="The certificate was not uploaded by its due day")
    version: int

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_needs_certificate(obj, context) -> bool:
        request = context["request"]
        days = getattr(request, "_kefu_certificate_days", None)
        if days is None:
            days = request._kefu_certificate_days = get_rule("workforce.sick_certificate_days",
                                                             centre_id=request.user.centre_id)
        return obj.needs_certificate(days)

    @staticmethod
    def resolve_has_certificate(obj) -> bool:
        return bool(obj.certificate)

    @staticmethod
    def resolve_certificate_flagged(obj) -> bool:
        return obj.certificate_flagged_at is not None and not obj.certificate

    @staticmethod
    def resolve_filed_by(obj) -> str:
        return obj.filed_by.username

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class LeaveIn(Schema):
    person: str | None = Field(None, max_length=150, description="Default: the caller")
    kind: str = Field(..., description="personal|special_personal|sick|annual|other")
    start: str = Field(..., max_length=40, description="YYYY-MM-DD (from 00:00) or an ISO 8601 datetime")
    end: str = Field(..., max_length=40, description="YYYY-MM-DD (until the end of that day) or an ISO 8601 datetime")
    reason: str = Field(..., max_length=500)


def _moment(errors: list[FieldError], field: str, text: str, *, end: bool) -> dt.datetime | None:
    text = (text or "").strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time()))
        return _aware(dt.datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        errors.append(FieldError(field, _("Enter a date as YYYY-MM-DD or a date and time as YYYY-MM-DDTHH:MM.")))
        return None


def leave_moments(start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    """Dates alone mean whole days: from 00:00 of ``start`` to 24:00 of ``end``."""
    errors: list[FieldError] = []
    start_at = _moment(errors, "start", start, end=False)
    end_at = _moment(errors, "end", end, end=True)
    if errors:
        raise InvalidInput(_("The request has invalid fields."), errors=errors)
    return start_at, end_at


@router.post("/leave-requests", response={201: LeaveOut, **ERRORS})
def request_leave(request, payload: LeaveIn):
    person = access.person_in_scope(request.user, payload.person)
    start_at, end_at = leave_moments(payload.start, payload.end)
    leave = services.request_leave(actor=request.user, person=person, kind=payload.kind, start_at=start_at,
                                   end_at=end_at, reason=payload.reason)
    return Status(201, selectors.leave_requests(request.user).get(pk=leave.pk))


class LeaveFilters(Schema):
    status: str = ""
    person: str = ""
    inbox: bool = False


@router.get("/leave-requests", response={200: list[LeaveOut], **ERRORS})
@paginate(PageNumber)
def list_leave(request, filters: Query[LeaveFilters]):
    qs = selectors.approval_inbox(request.user) if filters.inbox else selectors.leave_requests(request.user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.person:
        qs = qs.filter(person=access.person_in_scope(request.user, filters.person))
    return qs.order_by("-created_at", "-id")


@router.get("/leave-requests/{int:leave_id}", response={200: LeaveOut, **ERRORS})
def get_leave(request, leave_id: Id):
    return selectors.leave_requests(request.user).get(pk=access.access_leave(request.user, leave_id).pk)


class LeaveDecisionIn(Schema):
    version: Version | None = None
    note: str = Field("", max_length=300)


@router.post("/leave-requests/{int:leave_id}/approve", response={200: LeaveOut, **ERRORS})
def approve_leave(request, leave_id: Id, payload: LeaveDecisionIn | None = None):
    payload = payload or LeaveDecisionIn()
    leave = services.approve_leave(actor=request.user, leave_id=leave_id, version=payload.version, note=payload.note)
    return selectors.leave_requests(request.user).filter(pk=leave.pk).first() or leave  # a delegate: outside own scope


@router.post("/leave-requests/{int:leave_id}/reject", response={200: LeaveOut, **ERRORS})
def reject_leave(request, leave_id: Id, payload: LeaveDecisionIn | None = None):
    payload = payload or LeaveDecisionIn()
    leave = services.reject_leave(actor=request.user, leave_id=leave_id, version=payload.version, note=payload.note)
    return selectors.leave_requests(request.user).filter(pk=leave.pk).first() or leave  # a delegate: outside own scope


class CancelIn(Schema):
    version: Version | None = None


@router.post("/leave-requests/{int:leave_id}/cancel", response={200: LeaveOut, **ERRORS})
def cancel_leave(request, leave_id: Id, payload: CancelIn | None = None):
    payload = payload or CancelIn()
    leave = services.cancel_leave(actor=request.user, leave_id=leave_id, version=payload.version)
    return selectors.leave_requests(request.user).get(pk=leave.pk)


# -- attendance and violations (R-WFM-5, R-ORG-4) ----------------------------------------------------

class AttendanceIn(Schema):
    person: str = Field(..., max_length=150)
    shift_id: Id
    check_in_at: dt.datetime
    check_out_at: dt.datetime | None = None


class AttendanceOut(Schema):
    id: int
    person: str
    shift_id: int
    check_in_at: dt.datetime
    check_out_at: dt.datetime | None
    late_minutes: int
    violation: bool
    violation_id: int | None
    version: int


@router.post("/attendance", response={201: AttendanceOut, **ERRORS})
def record_attendance(request, payload: AttendanceIn):
    if not access.may_roster(request.user):
        from kefu.core.errors import NotAllowed

        raise NotAllowed(_("Only team leads, department heads and directors record attendance."))
    person = access.person_in_scope(request.user, payload.person)
    result = services.record_attendance(actor=request.user, person=person, shift_id=payload.shift_id,
                                        check_in_at=_aware(payload.check_in_at),
                                        check_out_at=_aware(payload.check_out_at))
    a = result.attendance
    return Status(201, {
        "id": a.pk, "person": person.username, "shift_id": a.shift_id, "check_in_at": a.check_in_at,
        "check_out_at": a.check_out_at, "late_minutes": a.late_minutes, "violation": result.violation is not None,
        "violation_id": result.violation.pk if result.violation else None, "version": a.version,
    })


def _attendance_out(attendance, violation) -> dict:
    return {
        "id": attendance.pk, "person": attendance.person.username, "shift_id": attendance.shift_id,
        "check_in_at": attendance.check_in_at, "check_out_at": attendance.check_out_at,
        "late_minutes": attendance.late_minutes, "violation": violation is not None,
        "violation_id": violation.pk if violation else None, "version": attendance.version,
    }


@router.post("/attendance/check-in", response={201: AttendanceOut, **ERRORS})
def check_in(request):
    """The caller checks in for their shift under way or starting within the hour (R-WFM-5)."""
    result = services.check_in(actor=request.user)
    return Status(201, _attendance_out(result.attendance, result.violation))


@router.post("/attendance/check-out", response={200: AttendanceOut, **ERRORS})
def check_out(request):
    attendance = services.check_out(actor=request.user)
    return _attendance_out(attendance, attendance.shift.violations.filter(kind="late").first())


class ViolationOut(Schema):
    id: int
    person: str
    kind: str
    rule: str
    evidence: str
    shift_id: int | None
    recorded_by: str | None
    at: dt.datetime

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return obj.recorded_by.username if obj.recorded_by_id else None


class ViolationIn(Schema):
    person: str = Field(..., max_length=150)
    rule: str = Field(..., max_length=20)
    kind: str = "other"
    evidence: str = Field(..., max_length=5000)


@router.get("/violations", response={200: list[ViolationOut], **ERRORS})
@paginate(PageNumber)
def list_violations(request, person: str = ""):
    qs = selectors.violations(request.user)
    if person:
        qs = qs.filter(person=access.person_in_scope(request.user, person))
    return qs


@router.post("/violations", response={201: ViolationOut, **ERRORS})
def create_violation(request, payload: ViolationIn):
    person = access.person_in_scope(request.user, payload.person)
    violation = services.record_violation(actor=request.user, person=person, rule=payload.rule, kind=payload.kind,
                                          evidence=payload.evidence)
    return Status(201, selectors.violations(request.user).get(pk=violation.pk))


# the parts of the workforce API kept in their own modules (mounted here, at the same prefix)
from kefu.workforce.api import attendance, delegation, handover, ladder, planning, rollcall, swaps  # noqa: E402

for _part in (attendance, delegation, handover, ladder, planning, rollcall, swaps):
    router.add_router("/", _part.router)
