"""API of the business calendar (API.md "Calendar", SPEC R-CAL), mounted at /api/v1/calendar."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from kefu.bizcalendar import selectors, services
from kefu.core.api import ErrorOut

router = Router(tags=["calendar"])

MIN_YEAR, MAX_YEAR = 1900, 2200


class DayOut(Schema):
    date: dt.date
    kind: Literal["holiday", "workday"]
    name: str
    source: Literal["official", "custom"]


class YearOut(Schema):
    year: int
    official_schedule: bool
    warning: str | None = None
    items: list[DayOut]


class DayIn(Schema):
    date: dt.date
    kind: Literal["holiday", "workday"]
    name: str


class CheckOut(Schema):
    date: dt.date
    is_working_day: bool
    kind: Literal["holiday", "workday", "weekend", "normal"]
    name: str
    source: Literal["official", "custom", "default"]


def _day_out(info: selectors.DayInfo) -> dict:
    return {"date": info.date, "kind": info.kind, "name": info.name, "source": info.source}


@router.get("/days", response={200: YearOut, 422: ErrorOut})
def list_days(request, year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR)):  # noqa: B008
    """The holidays and adjusted working days in force for a year (default: this year)."""
    year = year or timezone.localdate().year
    return {
        "year": year,
        "official_schedule": selectors.has_official_schedule(year),
        "warning": selectors.missing_schedule_warning(year),
        "items": [_day_out(d) for d in selectors.days_in_year(year)],
    }


@router.post("/days", response={201: DayOut, 403: ErrorOut, 422: ErrorOut})
def set_day(request, payload: DayIn):
    """Administrators: add a day or override the packaged schedule for that date."""
    services.set_day(actor=request.user, date=payload.date, kind=payload.kind, name=payload.name)
    return Status(201, _day_out(selectors.day_kind(payload.date)))


@router.delete("/days/{date}", response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def remove_day(request, date: dt.date):
    """Administrators: remove an override; the packaged schedule (or the weekend rule) applies again."""
    services.remove_day(actor=request.user, date=date)
    return Status(204, None)


@router.get("/check", response={200: CheckOut, 422: ErrorOut})
def check_day(request, date: dt.date):
    """What the calendar says about one date: working day or not, and why."""
    info = selectors.day_kind(date)
    return {"date": info.date, "is_working_day": info.is_working_day, "kind": info.kind,
            "name": info.name, "source": info.source}
