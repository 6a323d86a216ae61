"""The level ladder's API (客服等级, R-ORG-3): the levels with their criteria and base pay, level applications and
their decision, assessment scores entered by heads. Paths are relative to /api/v1/."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import FieldError, InvalidInput
from kefu.workforce import access
from kefu.workforce.models import Level, LevelApplication
from kefu.workforce.selectors import ladder as selectors
from kefu.workforce.services import ladder as services

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LevelOut(Schema):
    code: str
    name: str
    rank: int
    base_pay: str = Field(..., description="CNY, two decimal places")
    min_months: int
    clean_months: int = Field(..., description="No violation within the last N months")
    min_score: str
    approver_role: str = Field(..., description="lead|head|director")
    skills: list[str]
    version: int

    @staticmethod
    def resolve_base_pay(obj) -> str:
        return f"{obj.base_pay:.2f}"

    @staticmethod
    def resolve_min_score(obj) -> str:
        return f"{obj.min_score:.2f}"


@router.get("/levels", response={200: list[LevelOut], **ERRORS})
def list_levels(request):
    return list(selectors.levels())


class CriterionOut(Schema):
    code: str
    label: str
    required: str
    actual: str
    met: bool


class ApplicationOut(Schema):
    id: int
    person: str
    person_name: str
    from_level: str | None
    level: str
    status: str
    criteria: list[CriterionOut]
    note: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str
    created_at: dt.datetime
    version: int

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_person_name(obj) -> str:
        return str(obj.person)

    @staticmethod
    def resolve_from_level(obj) -> str | None:
        return obj.from_level.code if obj.from_level_id else None

    @staticmethod
    def resolve_level(obj) -> str:
        return obj.level.code

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.username if obj.decided_by_id else None


class ApplicationFilters(Schema):
    status: str = Field("", max_length=20)
    inbox: bool = Field(False, description="Only the pending applications the caller decides")


@router.get("/level-applications", response={200: list[ApplicationOut], **ERRORS})
@paginate(PageNumber)
def list_applications(request, filters: Query[ApplicationFilters]):
    if filters.inbox:
        return [application for application, _on_behalf in selectors.applications_to_decide(request.user)]
    qs = selectors.applications(request.user)
    if filters.status:
        if filters.status not in LevelApplication.Status.values:
            raise InvalidInput(_("The request has invalid fields."), errors=[FieldError(
                "status", _("Choose one of: %(expected)s.") % {"expected": ", ".join(LevelApplication.Status.values)})])
        qs = qs.filter(status=filters.status)
    return qs


class ApplicationIn(Schema):
    level: str | None = Field(None, max_length=20, description="The next level's code (default: the next level)")
    note: str = Field("", max_length=300)


@router.post("/level-applications", response={201: ApplicationOut, **ERRORS})
def apply(request, payload: ApplicationIn):
    level = None
    if payload.level:
        level = Level.objects.filter(code=payload.level).first()
        if level is None:
            raise InvalidInput(_("The request has invalid fields."),
                               errors=[FieldError("level", _("No such level."))])
    application = services.apply_for_level(actor=request.user, level=level, note=payload.note)
    return Status(201, selectors.applications(request.user).get(pk=application.pk))


class LevelDecisionIn(Schema):
    version: Version | None = None
    note: str = Field("", max_length=300)


def _out(request, application):
    return (LevelApplication.objects.select_related("person", "level", "from_level", "decided_by")
            .get(pk=application.pk))


@router.post("/level-applications/{int:application_id}/approve", response={200: ApplicationOut, **ERRORS})
def approve(request, application_id: Id, payload: LevelDecisionIn | None = None):
    payload = payload or LevelDecisionIn()
    application = services.approve_application(actor=request.user, application_id=application_id,
                                               version=payload.version, note=payload.note)
    return _out(request, application)


@router.post("/level-applications/{int:application_id}/reject", response={200: ApplicationOut, **ERRORS})
def reject(request, application_id: Id, payload: LevelDecisionIn | None = None):
    payload = payload or LevelDecisionIn()
    application = services.reject_application(actor=request.user, application_id=application_id,
                                              version=payload.version, note=payload.note)
    return _out(request, application)


class ScoreIn(Schema):
    person: str = Field(..., max_length=150)
    month: str = Field(..., max_length=7, description="YYYY-MM")
    score: float = Field(..., description="0–100")


class ScoreOut(Schema):
    person: str
    month: str
    score: str

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_month(obj) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_score(obj) -> str:
        return f"{obj.score:.2f}"


def parse_month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError("month", _("Enter a month as YYYY-MM."))]) from None


@router.post("/assessment-scores", response={201: ScoreOut, **ERRORS})
def set_score(request, payload: ScoreIn):
    if not (request.user.is_superuser or request.user.role_codes & services.SCORE_ROLES):
        from kefu.core.errors import NotAllowed

        raise NotAllowed(_("Only department heads and directors enter assessment scores."))
    person = access.person_in_scope(request.user, payload.person)
    row = services.set_assessment_score(actor=request.user, person=person, month=parse_month(payload.month),
                                        score=payload.score)
    row.person = person
    return Status(201, row)
