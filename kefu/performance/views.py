"""3E daily log pages (R-KPI-3): the agent's form with yesterday's plan shown back, and the lead's page of
the team's logs, who has not filed, and the help requests. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.errors import NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.scope import scope_for
from kefu.performance import access, selectors, services
from kefu.performance.forms import DailyLogForm, DayForm, HelpForm

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
