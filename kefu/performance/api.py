"""Performance API (API.md "KPI, daily logs and reports"): the 3E daily log (R-KPI-3)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id, PageNumber, Version
from kefu.core.errors import NotAllowed
from kefu.performance import access, selectors, services
from kefu.performance import kpi as kpi_module

router = Router(tags=["performance"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
TEXT = 5000


class DailyLogIn(Schema):
    date: dt.date
    products: str = Field("", max_length=TEXT)
    discussed: str = Field("", max_length=TEXT)
    solved: str = Field("", max_length=TEXT)
    open: str = Field("", max_length=TEXT)
    help_needed: str = Field("", max_length=TEXT)
    plan: str = Field("", max_length=TEXT)


class DailyLogPatch(Schema):
    version: Version
    products: str | None = Field(None, max_length=TEXT)
    discussed: str | None = Field(None, max_length=TEXT)
    solved: str | None = Field(None, max_length=TEXT)
    open: str | None = Field(None, max_length=TEXT)
    help_needed: str | None = Field(None, max_length=TEXT)
    plan: str | None = Field(None, max_length=TEXT)


class DailyLogOut(Schema):
    id: int
    person: str = Field(..., alias="person.username")
    date: dt.date
    products: str
    discussed: str
    solved: str
    open: str
    help_needed: str
    plan: str
    help_handled_at: dt.datetime | None
    help_reply: str
    version: int


class MissingLogPersonOut(Schema):
    username: str
    name: str
    team: str | None


class DayFilter(Schema):
    date: dt.date | None = None
    team: int | None = Field(None, ge=1, le=2**31 - 1)


@router.post("/daily-logs", response={201: DailyLogOut, **ERRORS})
def file_log(request, payload: DailyLogIn):
    log = services.file_daily_log(actor=request.user, **payload.dict())
    return Status(201, log)


@router.get("/daily-logs", response={200: list[DailyLogOut], **ERRORS})
@paginate(PageNumber)
def list_logs(request, filters: Query[DayFilter]):
    """Managers: the logs of a day in their scope (default today); everyone else: their own logs."""
    if access.can_review(request.user):
        return selectors.logs_of_day(request.user, filters.date or timezone.localdate(), team_id=filters.team)
    qs = selectors.my_logs(request.user).select_related("person")
    return qs.filter(date=filters.date) if filters.date else qs


@router.get("/daily-logs/missing", response={200: list[MissingLogPersonOut], **ERRORS})
@paginate(PageNumber)
def missing(request, filters: Query[DayFilter]):
    if not access.can_review(request.user):
        raise NotAllowed(_("Only team leads and managers see who has not filed."))
    people = selectors.missing(request.user, filters.date or timezone.localdate(), team_id=filters.team)
    return [{"username": p.username, "name": str(p), "team": p.team.name if p.team_id else None} for p in people]


@router.patch("/daily-logs/{int:log_id}", response={200: DailyLogOut, **ERRORS})
def update_log(request, log_id: Id, payload: DailyLogPatch):
    values = {k: v for k, v in payload.dict().items() if k != "version" and v is not None}
    return services.update_daily_log(actor=request.user, log_id=log_id, version=payload.version, **values)


class HelpIn(Schema):
    version: Version
    reply: str = Field("", max_length=TEXT)


@router.post("/daily-logs/{int:log_id}/help", response={200: DailyLogOut, **ERRORS})
def handle_help(request, log_id: Id, payload: HelpIn):
    return services.handle_help(actor=request.user, log_id=log_id, version=payload.version, reply=payload.reply)


# -- KPI (R-KPI-1) -----------------------------------------------------------------------------------

class KpiFilter(Schema):
    level: str = Field("agent", description="agent | team | shop")
    date_from: dt.date | None = Field(None, description="Default: the first day of this month.")
    date_to: dt.date | None = Field(None, description="Default: today.")


class KpiOut(Schema):
    key: str = Field(..., description="The username, the team's name or the shop code.")
    name: str
    handled: int
    fcr_rate: float | None
    aht_seconds: int | None
    sla_rate: float | None
    callback_rate: float | None
    csat: float | None
    qa_score: float | None
    followups_on_time_rate: float | None
    violations: int | None
    assessment_score: float | None


def period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return date_from or today.replace(day=1), date_to or today


@router.get("/kpi", response={200: list[KpiOut], **ERRORS})
@paginate(PageNumber)
def kpi(request, filters: Query[KpiFilter]):
    """Rates are decimals from 0 to 1, ``null`` when there is nothing to divide by (R-KPI-1)."""
    date_from, date_to = period(filters.date_from, filters.date_to)
    rows = kpi_module.compute(request.user, level=filters.level, date_from=date_from, date_to=date_to)
    return [row.as_dict() for row in rows]


from kefu.performance import api_reports  # noqa: E402 - the reports (R-KPI-2) under the same prefix

router.add_router("/", api_reports.router)

from kefu.performance import api_wallboard  # noqa: E402 - the live wallboard (大屏)

router.add_router("/", api_wallboard.router)
