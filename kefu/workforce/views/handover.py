"""The duty log and handover page (值班日志, 交接班; R-WFM-1, R-WFM-2): a team's day, the duty log newest
first, the handovers of the day with the incoming people, their check-in and the outgoing person's open
tickets; the outgoing person writes, edits and signs off, an incoming person acknowledges. Thin: parse,
call a service or selector, render."""

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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.workforce import selectors as wfm_selectors
from kefu.workforce.selectors import handover as selectors
from kefu.workforce.services import handover as services
from kefu.workforce.services.handover import TEXT_MAX


class DutyLogForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Entry"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class HandoverForm(forms.Form):
    handover_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    equipment = forms.CharField(label=gettext_lazy("Equipment state"), max_length=TEXT_MAX, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    difficult_cases = forms.CharField(label=gettext_lazy("Difficult cases"), max_length=TEXT_MAX, required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))
    tickets = forms.TypedMultipleChoiceField(label=gettext_lazy("My open tickets to hand over"), required=False,
                                             coerce=int, widget=forms.CheckboxSelectMultiple)
    other_tickets = forms.CharField(
        label=gettext_lazy("Other tickets (numbers, separated by commas)"), max_length=1000, required=False,
        help_text=gettext_lazy("e.g. KF20261204-0001"))
    staffing = forms.CharField(label=gettext_lazy("Staffing changes"), max_length=TEXT_MAX, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, pickable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tickets"].choices = [(t.pk, f"{t.number} {t.title}") for t in pickable]


def _date(value: str | None, default: dt.date) -> dt.date:
    """The day asked for (its neighbours are linked, so not the calendar's first or last day)."""
    try:
        day = dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
    return day if dt.date.min < day < dt.date.max else default


def _team(request, value: str | None):
    teams = list(wfm_selectors.teams_for_roster(request.user))
    if not teams:
        raise Http404(_("You belong to no team."))
    if value:
        team = next((t for t in teams if str(t.pk) == value), None)
        if team is None:
            raise Http404(_("No such team."))
        return team, teams
    return next((t for t in teams if t.pk == request.user.team_id), teams[0]), teams


def _page_url(team_id, day: dt.date, tab: str = "") -> str:
    url = f"{reverse('workforce:handover')}?team={team_id}&date={day:%Y-%m-%d}"
    return f"{url}&tab={tab}" if tab else url


def _handover_form(request, shift, data=None):
    pickable = selectors.pickable_tickets(request.user)
    handover = shift.outgoing_handover if shift is not None else None
    initial = {}
    if handover is not None:
        linked = list(handover.tickets.all())
        pickable = pickable + [t for t in linked if t.pk not in {p.pk for p in pickable}]
        initial = {"handover_id": handover.pk, "version": handover.version, "equipment": handover.equipment,
                   "difficult_cases": handover.difficult_cases, "staffing": handover.staffing,
                   "tickets": [t.pk for t in linked]}
    return HandoverForm(data, pickable=pickable, initial=initial), handover


def _my_shift(request):
    shift = selectors.my_outgoing_shift(request.user)
    if shift is not None:
        shift.outgoing_handover = getattr(shift, "handover_out", None)  # fetched by select_related
    return shift


def _render(request, *, team, teams, day, tab="", duty_form=None, handover_form=None, status=200):
    now = timezone.now()
    handovers = list(selectors.handovers(request.user, team_id=team.pk, day=day)[:100])
    my_shift = _my_shift(request)
    if handover_form is None and my_shift is not None and (
            my_shift.outgoing_handover is None or my_shift.outgoing_handover.status == "draft"):
        handover_form, _h = _handover_form(request, my_shift)
    may_write_log = (services.may_manage_team(request.user, team.pk) or (
        my_shift is not None and my_shift.team_id == team.pk and my_shift.start_at <= now < my_shift.end_at))
    return render(request, "workforce/handover.html", {
        "team": team, "teams": teams, "day": day, "tab": tab or "log",
        "entries": list(selectors.duty_log(request.user, team_id=team.pk, day=day)[:200]),
        "cards": selectors.handover_cards(request.user, handovers),
        "duty_form": duty_form or (DutyLogForm() if may_write_log else None),
        "handover_form": handover_form, "my_shift": my_shift,
        "today": timezone.localdate(), "prev_day": day - dt.timedelta(days=1), "next_day": day + dt.timedelta(days=1),
    }, status=status)


@login_required
def handover(request):
    team, teams = _team(request, request.GET.get("team"))
    day = _date(request.GET.get("date"), timezone.localdate())
    return _render(request, team=team, teams=teams, day=day, tab=request.GET.get("tab", ""))


@login_required
@require_POST
def duty_log_new(request):
    team, teams = _team(request, request.POST.get("team"))
    form = DutyLogForm(request.POST)
    if form.is_valid():
        try:
            services.write_duty_log(actor=request.user, team=team, text=form.cleaned_data["text"])
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _render(request, team=team, teams=teams, day=timezone.localdate(), duty_form=form,
                           status=page_status(exc))
        messages.success(request, _("The duty log entry was saved."))
        return redirect(_page_url(team.pk, timezone.localdate()))
    return _render(request, team=team, teams=teams, day=timezone.localdate(), duty_form=form, status=422)


def _ticket_ids(request, form) -> list[int]:
    """The ticked tickets and the typed numbers, each looked up within the caller's scope."""
    from kefu.tickets.access import tickets_in_scope

    ids = list(form.cleaned_data.get("tickets") or [])
    numbers = [n.strip() for n in (form.cleaned_data.get("other_tickets") or "").replace("，", ",").split(",")
               if n.strip()]
    if numbers:
        found = dict(tickets_in_scope(request.user).filter(number__in=numbers).values_list("number", "pk"))
        missing = [n for n in numbers if n not in found]
        if missing:
            form.add_error("other_tickets", _("No such ticket in your scope: %(numbers)s.")
                           % {"numbers": ", ".join(missing)})
        ids += [found[n] for n in numbers if n in found]
    return ids


@login_required
@require_POST
def handover_save(request):
    """Write (or edit) the handover of the caller's shift."""
    shift = _my_shift(request)
    form, handover = _handover_form(request, shift, request.POST)
    team_id = shift.team_id if shift is not None else request.user.team_id
    team, teams = _team(request, str(team_id) if team_id else None)
    day = shift.date if shift is not None else timezone.localdate()
    if form.is_valid():
        ids = _ticket_ids(request, form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if handover is None:
                services.write_handover(actor=request.user, shift_id=shift.pk if shift else None,
                                        equipment=data["equipment"], difficult_cases=data["difficult_cases"],
                                        staffing=data["staffing"], ticket_ids=ids)
            else:
                services.edit_handover(actor=request.user, handover_id=handover.pk, version=data["version"],
                                       equipment=data["equipment"], difficult_cases=data["difficult_cases"],
                                       staffing=data["staffing"], ticket_ids=ids)
        except NotFound:
            raise Http404 from None
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _render(request, team=team, teams=teams, day=day, tab="handover", handover_form=form,
                           status=page_status(exc))
        messages.success(request, _("The handover was saved."))
        return redirect(_page_url(team.pk, day, "handover"))
    return _render(request, team=team, teams=teams, day=day, tab="handover", handover_form=form, status=422)


@login_required
@require_POST
def handover_action(request, handover_id: int, action: str):
    """Sign off (the outgoing person) or acknowledge (an incoming person)."""
    if action not in ("sign-off", "acknowledge"):
        raise Http404
    handover = selectors.handovers(request.user).filter(pk=handover_id).first()
    if handover is None:
        raise Http404
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    service = services.sign_off_handover if action == "sign-off" else services.acknowledge_handover
    try:
        service(actor=request.user, handover_id=handover_id, version=version)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        reasons = " ".join(str(e.message) for e in exc.errors)
        messages.error(request, f"{exc.detail} {reasons}".strip())
    else:
        messages.success(request, _("The handover was signed off.") if action == "sign-off"
                         else _("The handover was acknowledged."))
    return redirect(_page_url(handover.outgoing_shift.team_id, handover.outgoing_shift.date, "handover"))
