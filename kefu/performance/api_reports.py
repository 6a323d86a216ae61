"""Reports API (API.md "KPI, daily logs and reports", R-KPI-2): ``GET /reports/daily?date=&team=``,
``/reports/weekly?week=YYYY-Www``, ``/reports/monthly?month=YYYY-MM`` → the report as JSON, or with
``?format=xlsx`` the Excel file. The report is the period's snapshot when there is one (the published version,
else the newest), computed on the spot otherwise (``snapshot`` is then null). ``POST /reports/{kind}/snapshots``
queues a new version; ``POST /reports/snapshots/{id}/publish`` publishes one."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kefu.core.api import ErrorOut, Id
from kefu.core.errors import FieldError, InvalidInput
from kefu.performance.reports import build, coverage, excel, parse_period, snapshots

router = Router(tags=["reports"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
TEAM = Field(None, ge=1, le=2**31 - 1)
XLSX = {"responses": {200: {"description": "The report (JSON), or with format=xlsx the Excel file.", "content": {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string",
                                                                                       "format": "binary"}}}}}}


class DailyQuery(Schema):
    date: str | None = Field(None, description="YYYY-MM-DD; default yesterday.")
    team: int | None = TEAM
    format: str | None = Field(None, description="xlsx for the Excel file")


class WeeklyQuery(Schema):
    week: str | None = Field(None, description="ISO week YYYY-Www; default last week.")
    team: int | None = TEAM
    format: str | None = None


class MonthlyQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM; default last month.")
    team: int | None = TEAM
    format: str | None = None


class SnapshotOut(Schema):
    id: int
    version: int
    state: str
    progress: int
    published: bool
    generated_at: str
    generated_by: str | None


class ReportOut(Schema):
    kind: str
    period: str
    date_from: str
    date_to: str
    teams: list[dict]
    headline: dict
    sections: list[dict]
    charts: dict
    snapshot: SnapshotOut | None = None


class SnapshotIn(Schema):
    period: str | None = Field(None, max_length=10, description="2026-12-08, 2026-W50 or 2026-12")
    team: int | None = TEAM


def _report(request, kind: str, value: str | None, team: int | None, fmt: str | None):
    if fmt not in (None, "", "json", "xlsx"):
        raise InvalidInput(_("The request has invalid fields."), errors=[FieldError("format", _("Choose json or xlsx."))])
    cover = coverage(request.user, team)
    period = parse_period(kind, value)
    snap = snapshots.current(snapshots.versions(period, cover))
    data = dict(snap.data) if snap else build(request.user, period, cover)
    data["snapshot"] = snapshots.meta(snap)
    if fmt == "xlsx":
        response = HttpResponse(excel.workbook_bytes(data), content_type=excel.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{excel.filename(data)}"'
        return response
    return data


@router.get("/reports/daily", response={200: ReportOut, **ERRORS}, openapi_extra=XLSX)
def daily(request, q: Query[DailyQuery]):
    return _report(request, "daily", q.date, q.team, q.format)


@router.get("/reports/weekly", response={200: ReportOut, **ERRORS}, openapi_extra=XLSX)
def weekly(request, q: Query[WeeklyQuery]):
    return _report(request, "weekly", q.week, q.team, q.format)


@router.get("/reports/monthly", response={200: ReportOut, **ERRORS}, openapi_extra=XLSX)
def monthly(request, q: Query[MonthlyQuery]):
    return _report(request, "monthly", q.month, q.team, q.format)


@router.post("/reports/{kind}/snapshots", response={202: SnapshotOut, **ERRORS})
def request_snapshot(request, kind: str, payload: SnapshotIn):
    """Compute a new version of the report in the background; poll ``GET /reports/snapshots/{id}``."""
    snap = snapshots.request_report(actor=request.user, kind=kind, period=payload.period, team_id=payload.team)
    return Status(202, snapshots.meta(snap))


@router.get("/reports/snapshots/{int:snapshot_id}", response={200: SnapshotOut, **ERRORS})
def snapshot(request, snapshot_id: Id):
    return snapshots.meta(snapshots.get(request.user, snapshot_id))


@router.post("/reports/snapshots/{int:snapshot_id}/publish", response={200: SnapshotOut, **ERRORS})
def publish(request, snapshot_id: Id):
    return snapshots.meta(snapshots.publish(actor=request.user, snapshot_id=snapshot_id))


from kefu.performance import api_targets  # noqa: E402 - KPI targets per team and the assessment weights

router.add_router("/", api_targets.router)
