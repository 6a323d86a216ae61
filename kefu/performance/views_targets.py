"""Pages of the KPI targets per team and of the assessment weights' versions (R-KPI-1). Thin: parse, call the
service or selector (``kefu.performance.targets``, ``kefu.performance.weights``), render. Agents get 404."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.scope import scope_for
from kefu.performance import access, targets, weights
from kefu.performance.models_targets import TARGET_MAX, WEIGHT_MAX
from kefu.performance.scoring import WEIGHT_CODES


class TeamChoiceForm(forms.Form):
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("The centre's targets"))] + [(t.pk, t.name) for t in teams]


class TargetsForm(forms.Form):
    """One optional number per KPI: empty = the centre's target."""

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[line.kpi] = forms.IntegerField(
                label=line.label, required=False, min_value=0, max_value=TARGET_MAX,
                help_text=_("Empty: the centre's target (%(n)d).") % {"n": line.default})


def _targets_context(user, team_id):
    try:
        return targets.team_targets(user, team_id)
    except (NotFound, NotAllowed) as exc:
        raise Http404(str(exc.detail)) from None


@login_required
def kpi_targets(request):
    user = request.user
    if not access.can_review(user):
        raise Http404(_("Only team leads and managers see KPI targets."))
    teams = list(scope_for(user).teams().order_by("name"))
    params = request.POST if request.method == "POST" else request.GET
    chooser = TeamChoiceForm({"team": params.get("team") or ""}, teams=teams)
    if not chooser.is_valid():
        raise Http404(_("No such team in your scope."))
    team_id = chooser.cleaned_data["team"]
    if team_id is None and len(teams) == 1 and "team" not in params:
        team_id = teams[0].pk  # a lead: their own team
        chooser = TeamChoiceForm({"team": team_id}, teams=teams)
        chooser.is_valid()
    current = _targets_context(user, team_id)
    initial = {line.kpi: line.team_value for line in current.lines}
    form = TargetsForm(request.POST if request.method == "POST" else None, lines=current.lines, initial=initial)
    status = 200
    if request.method == "POST":
        if not current.can_edit:
            raise Http404(_("Choose one of your teams to set its targets."))
        if form.is_valid():
            try:
                targets.set_team_targets(actor=user, team_id=team_id,
                                         targets={k: v for k, v in form.cleaned_data.items() if v is not None})
            except ServiceError as exc:
                for err in exc.errors:
                    err.field = err.field.removeprefix("targets.")
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Targets saved."))
                return redirect(reverse("performance:kpi_targets") + f"?team={team_id}")
        else:
            status = 422
    rows = [{"line": line, "field": form[line.kpi]} for line in current.lines]
    return render(request, "performance/kpi_targets.html", {
        "chooser": chooser, "current": current, "form": form, "rows": rows, "team_id": team_id,
    }, status=status)


class WeightsForm(forms.Form):
    fcr = forms.IntegerField(label=gettext_lazy("First-contact resolution"), min_value=0, max_value=WEIGHT_MAX)
    sla = forms.IntegerField(label=gettext_lazy("Within the time limit"), min_value=0, max_value=WEIGHT_MAX)
    csat = forms.IntegerField(label=gettext_lazy("Satisfaction"), min_value=0, max_value=WEIGHT_MAX)
    qa = forms.IntegerField(label=gettext_lazy("QA score"), min_value=0, max_value=WEIGHT_MAX)
    discipline = forms.IntegerField(label=gettext_lazy("Discipline (100 less 25 per violation)"), min_value=0,
                                    max_value=WEIGHT_MAX)
    effective_from = forms.DateField(label=gettext_lazy("In force from"), widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=gettext_lazy("Today or later. A period uses the version in force on "
                                                            "its first day: months already begun keep theirs."))
    change_note = forms.CharField(label=gettext_lazy("Change note"), required=False, max_length=300)
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


@login_required
def assessment_weights(request):
    user = request.user
    if not access.can_review(user):
        raise Http404(_("Only team leads and managers see the assessment weights."))
    today = timezone.localdate()
    in_force = weights.in_force(today)
    versions = list(weights.versions())
    latest = versions[0].version if versions else 0
    can_edit = access.can_edit_weights(user)
    initial = {c: in_force.of(c) for c in WEIGHT_CODES} | {"effective_from": _next_month(today), "based_on": latest}
    form = WeightsForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise Http404(_("Only department heads, directors and administrators change the assessment weights."))
        if form.is_valid():
            try:
                added = weights.add_version(actor=user, **form.cleaned_data)
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Version %(v)d saved, in force from %(day)s.")
                                 % {"v": added.version, "day": added.effective_from.isoformat()})
                return redirect("performance:weights")
        else:
            status = 422
    return render(request, "performance/kpi_weights.html", {
        "form": form, "versions": versions, "in_force": in_force, "can_edit": can_edit, "today": today,
        "codes": WEIGHT_CODES,
    }, status=status)
