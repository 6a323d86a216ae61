"""3E daily log pages (R-KPI-3): the agent's form with yesterday's plan shown back, and the lead's page of
the team's logs, who has not filed, and the help requests. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.errors import NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.scope import scope_for
from kefu.performance import access, selectors, services
from kefu.performance.forms import DailyLogForm, DayForm, HelpForm, KpiForm
from kefu.performance.scoring import targets_for

LOG_FIELDS = services.LOG_FIELDS


@login_required
@require_http_methods(["GET", "POST"])
def daily_log(request):
    user = request.user
    if not access.can_file(user):
        raise Http404(_("Only agents and team leads write a 3E daily log."))
    today = timezone.localdate()
    day = selectors.my_day(user, today)
    current = day.today
    initial = {"date": today}
    if current is not None:
        initial |= {n: getattr(current, n) for n in LOG_FIELDS} | {"version": current.version}
    form = DailyLogForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            values = {n: data[n] for n in LOG_FIELDS}
            try:
                existing = selectors.my_logs(user).filter(date=data["date"]).first()
                if existing is not None:
                    services.update_daily_log(actor=user, log_id=existing.pk, version=data["version"], **values)
                else:
                    services.file_daily_log(actor=user, date=data["date"], **values)
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Daily log saved."))
                return redirect("performance:daily_log")
        else:
            status = 422
    return render(request, "performance/daily_log.html", {
        "form": form, "day": day, "today": today, "recent": selectors.my_logs(user)[:14],
    }, status=status)


@login_required
def team_logs(request):
    user = request.user
    if not access.can_review(user):
        raise Http404(_("Only team leads and managers see the team's daily logs."))
    teams = scope_for(user).teams().order_by("name")
    form = DayForm(request.GET or None, teams=teams)
    day, team_id = timezone.localdate(), None
    if form.is_valid():
        day = form.cleaned_data["date"] or day
        team_id = form.cleaned_data["team"]
    logs = list(selectors.logs_of_day(user, day, team_id=team_id))
    return render(request, "performance/team_logs.html", {
        "form": form, "day": day, "logs": logs, "missing": selectors.missing(user, day, team_id=team_id),
        "on_shift": len(selectors.on_shift(user, day, team_id=team_id)),
        "help": selectors.help_requests(user, since=day - dt.timedelta(days=7))[:50],
    })


@login_required
@require_POST
def handle_help(request, log_id: int):
    form = HelpForm(request.POST)
    try:
        services.handle_help(actor=request.user, log_id=log_id,
                             version=form.cleaned_data["version"] if form.is_valid() else None,
                             reply=request.POST.get("reply", ""))
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Answered; the agent was notified."))
    target = str(request.POST.get("next") or "")
    return redirect(target if target.startswith("/performance/daily-logs/") else "performance:team_logs")


# -- KPI (R-KPI-1) -----------------------------------------------------------------------------------

def _kpi_labels() -> dict[str, str]:
    return {
        "handled": _("Handled"), "fcr_rate": _("First-contact resolution"), "aht_seconds": _("Average handling time"),
        "sla_rate": _("Within the time limit"), "callback_rate": _("Callbacks made"), "csat": _("Satisfaction"),
        "qa_score": _("QA score"), "followups_on_time_rate": _("Follow-ups on time"), "violations": _("Violations"),
        "assessment_score": _("Assessment score"),
    }


def _display(name: str, value) -> str:
    if value is None:
        return "—"
    if name in {"fcr_rate", "sla_rate", "callback_rate", "followups_on_time_rate"}:
        return f"{value * 100:.1f}%"
    if name == "aht_seconds":
        return f"{value // 60}:{value % 60:02d}"
    return str(value)


KPI_PAGE_SIZE = 50


@lru_cache(maxsize=512)
def _target_texts(target, team_target: bool, language: str) -> tuple[str, str]:
    """The cell's tooltip and small print for a target (the same few texts on every row: built once)."""
    if team_target:
        return _("The team's target: %(n)s") % {"n": target}, _("target %(n)s") % {"n": target} + "*"
    return _("The centre's target: %(n)s") % {"n": target}, _("target %(n)s") % {"n": target}


def _cell(name: str, value, status, target, team_target: bool) -> dict:
    title, note = _target_texts(target, team_target, get_language()) if target is not None else ("", "")
    return {"name": name, "value": _display(name, value), "status": status, "target": target,
            "title": title, "note": note}


@login_required
def kpi_dashboard(request):
    from kefu.performance import kpi

    user = request.user
    form = KpiForm(request.GET or None)
    today = timezone.localdate()
    level, date_from, date_to = "agent", today.replace(day=1), today
    if form.is_valid():
        level = form.cleaned_data["level"] or level
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    try:
        rows = kpi.compute(user, level=level, date_from=date_from, date_to=date_to)
    except ServiceError as exc:
        apply_service_error(form, exc)
        rows, date_from, date_to = [], today.replace(day=1), today  # the form says what was wrong
    labels = _kpi_labels()
    if request.GET.get("format") == "xlsx":
        return _kpi_xlsx(rows, labels, level, date_from, date_to)
    book = targets_for(user, rows, level=level, on=date_from)  # each row's team's targets, one query
    # a page of rows (500 agents' 5,500 cells were 0.9 MB of HTML, half a second to render); Excel has them all
    page = Paginator(rows, KPI_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    table = [{"key": r.key, "name": r.name, "contacts": r.extra.get("contacts_by_type"),
              "cells": [_cell(c, getattr(r, c), book.status(r, c), book.target(r, c), book.is_team_target(r, c))
                        for c in kpi.COLUMNS]} for r in shown]
    chart = {"names": [r.name for r in shown], "assessment": [r.assessment_score for r in shown],
             "fcr": [None if r.fcr_rate is None else round(r.fcr_rate * 100, 1) for r in shown],
             "sla": [None if r.sla_rate is None else round(r.sla_rate * 100, 1) for r in shown],
             "trend": kpi.totals_by_day(user, date_from=date_from, date_to=date_to),
             "labels": {"assessment": str(labels["assessment_score"]), "fcr": str(labels["fcr_rate"]),
                        "sla": str(labels["sla_rate"]), "resolved": _("Resolved per day")}}
    return render(request, "performance/kpi.html", {
        "form": form, "level": level, "date_from": date_from, "date_to": date_to, "table": table, "page": page,
        "columns": [{"name": c, "label": labels[c], "help": kpi.DEFINITIONS[c]} for c in kpi.COLUMNS],
        "chart": chart, "own_only": len(rows) == 1 and rows[0].key == user.username and level == "agent",
        "weights": book.values["weights"], "can_see_targets": access.can_review(user),
        "as_of": rows[0].extra.get("as_of") if rows else None, "contacts_help": kpi.CONTACTS_DEFINITION,
    })


def _kpi_xlsx(rows, labels, level, date_from, date_to):
    from openpyxl import Workbook

    from kefu.performance import kpi

    book = Workbook()
    sheet = book.active
    sheet.title = "KPI"
    sheet.append([_("Key"), _("Name"), *[str(labels[c]) for c in kpi.COLUMNS]])
    for r in rows:
        sheet.append([r.key, r.name, *[getattr(r, c) for c in kpi.COLUMNS]])
    for index, c in enumerate(kpi.COLUMNS, start=3):
        if c.endswith("_rate"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
    notes = book.create_sheet(_("Definitions"))
    notes.append([_("KPI"), _("Definition")])
    for c in kpi.COLUMNS:
        notes.append([str(labels[c]), str(kpi.DEFINITIONS[c])])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kpi-{level}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"'
    book.save(response)
    return response
