"""The business calendar page (R-CAL): a year's holidays and adjusted working days; administrators edit."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kefu.bizcalendar import selectors, services
from kefu.bizcalendar.forms import DayForm
from kefu.core.errors import NotFound, ServiceError
from kefu.core.forms import apply_service_error

MIN_YEAR, MAX_YEAR = 1900, 2200


def _year(value: str | None) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


def _days_url(year: int) -> str:
    return f"{reverse('bizcalendar:days')}?year={year}"


def _months(year: int, special: dict[dt.date, selectors.DayInfo]) -> list[dict]:
    """A small month grid: each cell a date of the month (or None) with its kind."""
    today = timezone.localdate()
    grid = calendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in grid.monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                info = special.get(day)
                kind = info.kind if info else ("weekend" if day.weekday() >= 5 else "normal")
                cells.append({"date": day, "kind": kind, "name": info.name if info else "",
                              "today": day == today})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _page(request, year: int, form: DayForm, status: int = 200):
    items = selectors.days_in_year(year)
    context = {
        "year": year,
        "prev_year": year - 1,
        "next_year": year + 1,
        "official": selectors.has_official_schedule(year),
        "warning": selectors.missing_schedule_warning(year),
        "items": items,
        "months": _months(year, {d.date: d for d in items}),
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],  # Django's own translations
        "can_edit": services.is_calendar_admin(request.user),
        "form": form,
    }
    return render(request, "bizcalendar/days.html", context, status=status)


@login_required
@require_GET
def days_view(request):
    year = _year(request.GET.get("year"))
    initial = {"kind": "holiday"}
    if (day := _parse_date(request.GET.get("date"))) is not None:
        info = selectors.day_kind(day)
        initial = {"date": day, "kind": "workday" if not info.is_working_day else "holiday", "name": info.name}
    return _page(request, year, DayForm(initial=initial))


@login_required
@require_POST
def add_view(request):
    if not services.is_calendar_admin(request.user):
        raise PermissionDenied
    form = DayForm(request.POST)
    year = _year(request.POST.get("year"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_day(actor=request.user, date=data["date"], kind=data["kind"], name=data["name"])
        except ServiceError as exc:
            apply_service_error(form, exc, request)
        else:
            messages.success(request, _("%(date)s saved in the business calendar.")
                             % {"date": data["date"].isoformat()})
            return redirect(_days_url(data["date"].year))
    return _page(request, year, form)


@login_required
@require_POST
def delete_view(request, date: str):
    if not services.is_calendar_admin(request.user):
        raise PermissionDenied
    day = _parse_date(date)
    if day is None:
        raise Http404
    try:
        services.remove_day(actor=request.user, date=day)
    except NotFound as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("%(date)s removed from the business calendar.") % {"date": day.isoformat()})
    return redirect(_days_url(day.year))
