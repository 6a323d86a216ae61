"""Pages of issue 10: the shift plan proposal (start, progress by HTMX polling, the draft week with its
coverage, edit, discard, publish), shift types, copying a week on the roster and publishing its drafts.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.scope import scope_for
from kefu.workforce import access, selectors, services
from kefu.workforce.models import PlanProposal, ShiftKind, ShiftType
from kefu.workforce.selectors import planning as plan_selectors
from kefu.workforce.services import planning

# -- forms -------------------------------------------------------------------------------------------------


class ProposalForm(forms.Form):
    team = forms.ChoiceField(label=gettext_lazy("Team"))
    week = forms.DateField(label=gettext_lazy("Week of (Monday)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(t.pk), t.name) for t in teams]


class DraftShiftForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Who"))
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    shift_type = forms.ChoiceField(label=gettext_lazy("Shift type"))

    def __init__(self, *args, people=(), shift_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.username, str(p)) for p in people]
        self.fields["shift_type"].choices = [
            (t.code, f"{t.name} {t.start:%H:%M}–{t.end:%H:%M}") for t in shift_types]


class ShiftTypeForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ShiftKind.choices)
    start = forms.TimeField(label=gettext_lazy("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=gettext_lazy("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    work_type = forms.CharField(label=gettext_lazy("Work type / skill"), max_length=50, required=False)
    headcount = forms.IntegerField(label=gettext_lazy("Headcount per team"), min_value=0, max_value=1000,
                                   initial=0)


class CopyWeekForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput())
    from_week = forms.DateField(label=gettext_lazy("Copy the week of"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    to_week = forms.DateField(label=gettext_lazy("to the week of"), widget=forms.DateInput(attrs={"type": "date"}))


class PublishWeekForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput())
    week = forms.DateField(widget=forms.HiddenInput())


# -- the proposal pages ------------------------------------------------------------------------------------

def _manager(request) -> None:
    if not access.may_roster(request.user):
        raise PermissionDenied(_("Only team leads, department heads and directors change the roster."))


def _next_monday() -> dt.date:
    today = timezone.localdate()
    return selectors.week_start(today) + dt.timedelta(days=7)


@login_required
def plan(request):
    """Start a proposal for a team's week; the recent proposals; the centre's shift types."""
    _manager(request)
    teams = list(selectors.teams_for_roster(request.user).filter(pk__in=scope_for(request.user).team_ids))
    form = ProposalForm(request.POST or None, teams=teams,
                        initial={"week": _next_monday(), "team": str(request.user.team_id or "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            team = access.team_for_roster(request.user, int(form.cleaned_data["team"]))
            proposal = planning.start_proposal(actor=request.user, team=team, week_start=form.cleaned_data["week"])
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = page_status(exc)
        else:
            messages.success(request, _("The proposal is being built."))
            return redirect("workforce:plan_detail", proposal_id=proposal.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "workforce/plan.html", {
        "form": form, "proposals": plan_selectors.recent_proposals(request.user),
        "shift_types": plan_selectors.shift_types(request.user),
        "type_form": ShiftTypeForm() if access.may_edit_shift_types(request.user) else None,
    }, status=status)


def _proposal(request, proposal_id: int) -> PlanProposal:
    try:
        return planning.proposal_for_manager(request.user, proposal_id)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None


def _detail_context(request, proposal: PlanProposal, add_form=None) -> dict:
    week = plan_selectors.proposal_week(proposal)
    people = [row.person for row in week.rows if row.person.team_id == proposal.team_id]
    shift_types = list(ShiftType.objects.filter(centre_id=request.user.centre_id, active=True))
    return {
        "proposal": proposal, "week": week, "coverage": plan_selectors.coverage(proposal, week),
        "active": proposal.status in planning.ACTIVE,
        "add_form": add_form or DraftShiftForm(people=people, shift_types=shift_types,
                                               initial={"date": proposal.week_start}),
    }


@login_required
def plan_detail(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    return render(request, "workforce/plan_detail.html", _detail_context(request, proposal))


@login_required
def plan_progress(request, proposal_id: int):
    """HTMX: the progress bar while the job runs; once it has finished, the page reloads."""
    proposal = _proposal(request, proposal_id)
    response = render(request, "workforce/plan_progress.html", {"proposal": proposal,
                                                                "active": proposal.status in planning.ACTIVE})
    if proposal.status not in planning.ACTIVE:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def plan_action(request, proposal_id: int, action: str):
    if action not in ("publish", "discard"):
        raise Http404
    _proposal(request, proposal_id)
    try:
        if action == "publish":
            result = planning.publish_proposal(actor=request.user, proposal_id=proposal_id)
            messages.success(request, _("Published: %(n)s shifts; %(people)s people told.")
                             % {"n": result.published, "people": len(result.notified)})
        else:
            planning.discard_proposal(actor=request.user, proposal_id=proposal_id)
            messages.success(request, _("The proposal was discarded."))
    except ServiceError as exc:
        messages.error(request, " ".join([str(exc.detail), *(str(e.message) for e in exc.errors)]))
    return redirect("workforce:plan_detail", proposal_id=proposal_id)


@login_required
@require_POST
def plan_shift_add(request, proposal_id: int):
    proposal = _proposal(request, proposal_id)
    context = _detail_context(request, proposal)
    form = DraftShiftForm(request.POST)
    form.fields["person"].choices = context["add_form"].fields["person"].choices
    form.fields["shift_type"].choices = context["add_form"].fields["shift_type"].choices
    status = 422
    if form.is_valid():
        try:
            person = access.person_in_scope(request.user, form.cleaned_data["person"])
            shift_type = ShiftType.objects.get(centre_id=request.user.centre_id, code=form.cleaned_data["shift_type"])
            planning.add_draft_shift(actor=request.user, proposal_id=proposal.pk, person=person,
                                     date=form.cleaned_data["date"], shift_type=shift_type)
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = page_status(exc)
        else:
            messages.success(request, _("The draft shift was added."))
            return redirect("workforce:plan_detail", proposal_id=proposal.pk)
    context["add_form"] = form
    return render(request, "workforce/plan_detail.html", context, status=status)


@login_required
@require_POST
def plan_shift_remove(request, proposal_id: int, shift_id: int):
    _proposal(request, proposal_id)
    try:
        planning.remove_draft_shift(actor=request.user, proposal_id=proposal_id, shift_id=shift_id)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The draft shift was removed."))
    return redirect("workforce:plan_detail", proposal_id=proposal_id)


@login_required
@require_POST
def shift_type_new(request):
    if not access.may_edit_shift_types(request.user):
        raise PermissionDenied(_("Shift types are set by department heads, directors and administrators."))
    form = ShiftTypeForm(request.POST)
    if form.is_valid():
        try:
            planning.create_shift_type(actor=request.user, centre=request.user.centre, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The shift type was added."))
            return redirect("workforce:plan")
    return render(request, "workforce/plan.html", {
        "form": ProposalForm(teams=selectors.teams_for_roster(request.user), initial={"week": _next_monday()}),
        "proposals": plan_selectors.recent_proposals(request.user),
        "shift_types": plan_selectors.shift_types(request.user), "type_form": form,
    }, status=422)


@login_required
@require_POST
def shift_type_toggle(request, shift_type_id: int):
    """Switch a shift type on or off (heads and above)."""
    shift_type = ShiftType.objects.filter(pk=shift_type_id, centre_id=request.user.centre_id).first()
    if shift_type is None:
        raise Http404
    version = request.POST.get("version") or ""
    try:
        planning.update_shift_type(actor=request.user, shift_type_id=shift_type.pk,
                                   version=int(version) if version.isdigit() and len(version) < 10 else None,
                                   active=not shift_type.active)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    return redirect("workforce:plan")


# -- the roster's actions ------------------------------------------------------------------------------------

@login_required
def staffing(request):
    """HTMX fragment of the roster: the staffing advice of a team's day (Erlang C) over its shifts."""
    from kefu.workforce.selectors.staffing import day_advice

    try:
        team = access.team_for_roster(request.user, int(request.GET.get("team") or 0))
    except (NotAllowed, ValueError):
        raise PermissionDenied(_("Only team leads, department heads and directors change the roster.")) from None
    try:
        day = dt.date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        day = timezone.localdate()
    if not 1 < day.year < 9999:  # the weeks of history and the next day stay within the calendar
        day = timezone.localdate()
    advice = day_advice(team=team, day=day, centre_id=request.user.centre_id)
    return render(request, "workforce/_staffing.html", {"staffing": advice, "chart": advice.chart()})


def _roster_url(team_id, week: dt.date) -> str:
    from django.urls import reverse

    return f"{reverse('workforce:roster')}?team={team_id}&week={week:%Y-%m-%d}"


@login_required
@require_POST
def copy_week(request):
    form = CopyWeekForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the week to copy and the week to copy it to."))
        return redirect("workforce:roster")
    data = form.cleaned_data
    try:
        result = planning.copy_week(actor=request.user, team=access.team_for_roster(request.user, data["team"]),
                                    from_week=data["from_week"], to_week=data["to_week"])
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, " ".join([str(exc.detail), *(str(e.message) for e in exc.errors)]))
        return redirect(_roster_url(data["team"], data["from_week"]))
    messages.success(request, _("%(n)s shifts copied as drafts: check them, then publish.") % {"n": len(result.created)})
    for s in result.skipped:
        messages.warning(request, _("Skipped %(person)s on %(date)s: %(reason)s.")
                         % {"person": s.person, "date": f"{s.date:%Y-%m-%d}", "reason": s.reason})
    return redirect(_roster_url(data["team"], selectors.week_start(data["to_week"])))


@login_required
@require_POST
def publish_week(request):
    form = PublishWeekForm(request.POST)
    if not form.is_valid():
        raise Http404
    week = selectors.week_start(form.cleaned_data["week"])
    try:
        team = access.team_for_roster(request.user, form.cleaned_data["team"])
        n = services.publish_shifts(actor=request.user, team=team, date_from=week,
                                    date_to=week + dt.timedelta(days=6))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    messages.success(request, _("%(n)s draft shifts published.") % {"n": n})
    return redirect(_roster_url(team.pk, week))
