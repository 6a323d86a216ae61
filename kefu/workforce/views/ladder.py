"""The level ladder page (客服等级, R-ORG-3): the caller's level and the next level's criteria as a checklist with
the apply button and their history; the applications the caller decides; for heads, their people's levels and
the assessment score form; the levels with their base pay and criteria (heads edit them). Thin: parse, call a
service or selector, render."""

from __future__ import annotations

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
from kefu.workforce import access
from kefu.workforce.api.ladder import parse_month
from kefu.workforce.selectors import ladder as selectors
from kefu.workforce.services import ladder as services


class ScoreForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Who"))
    month = forms.CharField(label=gettext_lazy("Month"), max_length=7,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    score = forms.DecimalField(label=gettext_lazy("Assessment score"), max_digits=5, decimal_places=2)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.username, str(p)) for p in people]


class LevelForm(forms.Form):
    base_pay = forms.DecimalField(label=gettext_lazy("Base pay"), max_digits=10, decimal_places=2, min_value=0)
    min_months = forms.IntegerField(label=gettext_lazy("Months of service"), min_value=0, max_value=600)
    clean_months = forms.IntegerField(label=gettext_lazy("Months without a violation"), min_value=0, max_value=600)
    min_score = forms.DecimalField(label=gettext_lazy("Assessment score"), max_digits=5, decimal_places=2,
                                   min_value=0, max_value=100)
    approver_role = forms.ChoiceField(label=gettext_lazy("Approved by"), choices=[
        ("lead", gettext_lazy("Team lead")), ("head", gettext_lazy("Department head")),
        ("director", gettext_lazy("Centre director"))])
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


def _may_score(user) -> bool:
    return bool(user.is_superuser or user.role_codes & services.SCORE_ROLES)


def _page(request, *, score_form: ScoreForm | None = None, status: int = 200):
    user = request.user
    may_score = _may_score(user)
    people = selectors.people_levels(user) if may_score else []
    if may_score and score_form is None:
        score_form = ScoreForm(people=[row.person for row in people],
                               initial={"month": f"{timezone.localdate():%Y-%m}"})
    levels = list(selectors.levels())
    view = selectors.ladder_for(user) if services.may_apply(user) else None  # the ladder is the agents'
    for level in [*levels, view.next_level if view else None]:
        if level is not None:
            level.approver_text = selectors.approver_label(level.approver_role)
    return render(request, "workforce/ladder.html", {
        "view": view,
        "history": list(selectors.my_applications(user)[:50]) if view else [],
        "to_decide": selectors.applications_to_decide(user),
        "team_applications": list(selectors.applications(user).exclude(person=user)[:100])
        if access.is_manager(user) else [],
        "people": people, "score_form": score_form, "may_score": may_score,
        "levels": levels,
        "level_forms": [(level, LevelForm(initial={
            "base_pay": level.base_pay, "min_months": level.min_months, "clean_months": level.clean_months,
            "min_score": level.min_score, "approver_role": level.approver_role, "version": level.version},
            prefix=f"level{level.pk}")) for level in levels] if may_score else [],
    }, status=status)


@login_required
def ladder(request):
    return _page(request)


def _error_message(request, exc: ServiceError) -> None:
    details = " ".join(str(e.message) for e in exc.errors)
    messages.error(request, f"{exc.detail} {details}".strip())


@login_required
@require_POST
def ladder_apply(request):
    note = (request.POST.get("note") or "")[:300]
    try:
        services.apply_for_level(actor=request.user, note=note)
    except ServiceError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("Your application was sent."))
    return redirect("workforce:ladder")


@login_required
@require_POST
def ladder_decide(request, application_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise Http404
    version = request.POST.get("version")
    service = services.approve_application if decision == "approve" else services.reject_application
    try:
        service(actor=request.user, application_id=application_id,
                version=int(version) if version and version.isdigit() and len(version) < 10 else None,
                note=(request.POST.get("note") or "")[:300])
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("Application approved.") if decision == "approve" else _("Application refused."))
    return redirect("workforce:approvals" if request.POST.get("next") == "approvals" else "workforce:ladder")


@login_required
@require_POST
def ladder_score(request):
    if not _may_score(request.user):
        raise PermissionDenied(_("Only department heads and directors enter assessment scores."))
    people = [row.person for row in selectors.people_levels(request.user)]
    form = ScoreForm(request.POST, people=people)
    if form.is_valid():
        try:
            services.set_assessment_score(
                actor=request.user, person=next(p for p in people if p.username == form.cleaned_data["person"]),
                month=parse_month(form.cleaned_data["month"]), score=form.cleaned_data["score"])
        except ServiceError as exc:
            apply_service_error(form, exc)
            return _page(request, score_form=form, status=page_status(exc))
        messages.success(request, _("The assessment score was saved."))
        return redirect("workforce:ladder")
    return _page(request, score_form=form, status=422)


@login_required
@require_POST
def ladder_level(request, level_id: int):
    if not _may_score(request.user):
        raise PermissionDenied(_("Only department heads and directors change the level criteria."))
    form = LevelForm(request.POST, prefix=f"level{level_id}")
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}")
        return redirect("workforce:ladder")
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.update_level(actor=request.user, level_id=level_id, version=version, **data)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("The level was saved."))
    return redirect("workforce:ladder")
