"""The roll call page (点名, R-WFM-1): a team's shifts of a day grouped by start time, one row per person
with the four marks and a comment (点评); each row is marked over HTMX. Thin: parse, call the service,
render."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError
from kefu.workforce import access
from kefu.workforce.models import RollCallMark
from kefu.workforce.selectors import rollcall as selectors
from kefu.workforce.services.rollcall import COMMENT_MAX, mark_roll_call, roll_call_opens_at

# the buttons' words: "Late" alone reads 逾期 (overdue, of tickets); at the roll call it is 迟到
STATUSES = [
    (RollCallMark.Status.PRESENT, gettext_lazy("Present")),
    (RollCallMark.Status.LATE, pgettext_lazy("roll call", "Late")),
    (RollCallMark.Status.ABSENT, gettext_lazy("Absent")),
    (RollCallMark.Status.ON_LEAVE, gettext_lazy("On leave")),
]


class MarkForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Mark"), choices=RollCallMark.Status.choices)
    comment = forms.CharField(label=gettext_lazy("Comment (点评)"), max_length=COMMENT_MAX, required=False)
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


def _date(value: str | None, default: dt.date) -> dt.date:
    """The day asked for (its neighbours are linked, so not the calendar's first or last day)."""
    try:
        day = dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return day if dt.date.min < day < dt.date.max else default


def _teams(request):
    teams = list(selectors.roll_call_teams(request.user))
    if not teams:
        raise PermissionDenied(_("The roll call is taken by team leads, department heads and directors."))
    return teams


def _team(teams, value: str | None, default_id: int | None):
    if value:
        team = next((t for t in teams if str(t.pk) == value), None)
        if team is None:
            raise Http404(_("No such team."))
        return team
    return next((t for t in teams if t.pk == default_id), teams[0])


def _page(request, *, team, teams, day, errors: dict | None = None, status: int = 200):
    now = timezone.now()
    groups = selectors.roll_call(request.user, team=team, day=day, now=now)
    for group in groups:
        for row in group.rows:
            row.errors = (errors or {}).get(row.shift.pk, [])
    start = request.GET.get("start", "")
    shown = [g for g in groups if f"{timezone.localtime(g.start_at):%H:%M}" == start] or groups
    return render(request, "workforce/rollcall.html", {
        "teams": teams, "team": team, "day": day, "groups": groups, "shown": shown, "start": start,
        "today": timezone.localdate(), "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1), "statuses": STATUSES,
    }, status=status)


@login_required
def rollcall(request):
    teams = _teams(request)
    team = _team(teams, request.GET.get("team"), request.user.team_id)
    day = _date(request.GET.get("date"), timezone.localdate())
    return _page(request, team=team, teams=teams, day=day)


@login_required
@require_POST
def mark(request, shift_id: int):
    """Mark one person (HTMX: the row again, with the errors in it; otherwise back to the page)."""
    if not access.may_roster(request.user):
        raise PermissionDenied(_("The roll call is taken by team leads, department heads and directors."))
    form = MarkForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            mark_roll_call(actor=request.user, shift_id=shift_id, status=form.cleaned_data["status"],
                           comment=form.cleaned_data["comment"], version=form.cleaned_data["version"])
        except NotFound:
            raise Http404 from None
        except NotAllowed as exc:
            if not request.headers.get("HX-Request"):
                raise PermissionDenied(str(exc.detail)) from None
            errors = [str(exc.detail)]
        except ServiceError as exc:
            errors = [str(e.message) for e in exc.errors] or [str(exc.detail)]
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    shift = (access.shifts_in_scope(request.user).filter(pk=shift_id)
             .select_related("person", "shift_type", "leave", "roll_call", "roll_call__marked_by", "attendance")
             .first())
    if shift is None:
        raise Http404
    if request.headers.get("HX-Request"):
        row = selectors.row_for(shift)
        row.errors = errors
        return render(request, "workforce/rollcall.html#row", {
            "row": row, "is_open": timezone.now() >= roll_call_opens_at(shift), "statuses": STATUSES, "saved": not errors,
        })
    day = shift.date
    if not errors:
        messages.success(request, _("Marked: %(person)s.") % {"person": shift.person})
        return redirect(f"{reverse('workforce:rollcall')}?team={shift.team_id}&date={day:%Y-%m-%d}")
    teams = _teams(request)
    return _page(request, team=_team(teams, str(shift.team_id), None), teams=teams, day=day,
                 errors={shift.pk: errors}, status=422)
