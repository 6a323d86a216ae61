"""Survey pages (R-SAT-1): the list with the RATER and CSAT trend charts, the builder, one survey's results
and its links, and the customer's public answer page (no login, mobile-first). Thin: parse, call a service
or a selector, render."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.core.errors import NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.rules.selectors import get_rule
from kefu.surveys import access, selectors, services
from kefu.surveys.forms import RoundForm, SurveyForm, VersionForm
from kefu.surveys.models import Dimension
from kefu.surveys.settings_defs import SAMPLE_SIZE


def _fetch(request, survey_id: int, *, manage: bool = False):
    try:
        return access.access_survey(request.user, survey_id, manage=manage)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None


def _require_reader(request) -> None:
    if not access.can_read(request.user):
        raise Http404(_("No such survey."))


@login_required
def survey_list(request):
    _require_reader(request)
    user = request.user
    rater = selectors.rater_trend(user)
    csat = selectors.csat_trend(user)
    return render(request, "surveys/list.html", {
        "surveys": selectors.surveys(user)[:100], "can_manage": access.can_manage(user),
        "charts": {"rater": rater, "csat": csat,
                   "labels": {"avg": _("Average satisfaction (1–5)"), "satisfied": _("Satisfied (4–5)"),
                              "callbacks": _("Callbacks"), "answers": _("Answers")}},
        "has_rater": any(rater["answers"]), "has_csat": any(csat["callbacks"]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def survey_new(request):
    if not access.can_manage(request.user):
        raise Http404(_("No such survey."))
    form = SurveyForm(request.POST or None, questions=services.default_questions(),
                      initial={"title": _("Customer service survey")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey = services.create_survey(actor=request.user, title=data["title"], intro=data["intro"],
                                                period_start=data["period_start"], period_end=data["period_end"],
                                                questions=form.questions())
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Survey saved as a draft. Send a round of links when it is ready."))
                return redirect("surveys:detail", survey_id=survey.pk)
        else:
            status = 422
    return render(request, "surveys/form.html", {"form": form, "survey": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request, survey_id: int):
    survey = _fetch(request, survey_id, manage=True)
    questions = [{"dimension": q.dimension, "text": q.text} for q in survey.questions.all()]
    form = SurveyForm(request.POST or None, questions=questions, initial={
        "title": survey.title, "intro": survey.intro, "period_start": survey.period_start,
        "period_end": survey.period_end})
    version = VersionForm(request.POST or None, initial={"version": survey.version})
    status = 200
    if request.method == "POST":
        if form.is_valid() and version.is_valid():
            data = form.cleaned_data
            try:
                services.update_survey(
                    actor=request.user, survey_id=survey.pk, version=version.cleaned_data["version"],
                    title=data["title"], intro=data["intro"], period_start=data["period_start"],
                    period_end=data["period_end"],
                    questions=form.questions() if survey.status == survey.Status.DRAFT else None)
            except ServiceError as exc:
                apply_service_error(form, exc, request)
                status = page_status(exc)
            else:
                messages.success(request, _("Survey saved."))
                return redirect("surveys:detail", survey_id=survey.pk)
        else:
            status = 422
    return render(request, "surveys/form.html", {"form": form, "survey": survey, "version_form": version},
                  status=status)


@login_required
def survey_detail(request, survey_id: int):
    survey = _fetch(request, survey_id)
    return _render_detail(request, survey, RoundForm(initial={"size": get_rule(SAMPLE_SIZE)}))


def _render_detail(request, survey, round_form, status: int = 200):
    user = request.user
    results = selectors.results(user, survey)
    can_manage = access.can_manage(user)
    links = selectors.invitations(survey)[:200] if can_manage else []
    return render(request, "surveys/detail.html", {
        "survey": survey, "results": results, "can_manage": can_manage, "round_form": round_form,
        "links": links, "now": timezone.now(),
        "public_base": request.build_absolute_uri(reverse("surveys:answer", args=["TOKEN"])).replace("TOKEN/", ""),
        "chart": {"dimensions": results.dimensions,
                  "teams": results.teams, "codes": [d.value for d in Dimension],
                  "names": [str(d.label) for d in Dimension]},
    }, status=status)


@login_required
@require_POST
def send_round(request, survey_id: int):
    survey = _fetch(request, survey_id, manage=True)
    form = RoundForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, survey, form, status=422)
    try:
        created = services.send_invitations(actor=request.user, survey_id=survey.pk, size=form.cleaned_data["size"],
                                            seed=form.cleaned_data["seed"])
    except ServiceError as exc:
        apply_service_error(form, exc, request)
        return _render_detail(request, survey, form, status=page_status(exc))
    messages.success(request, _("%(n)d customers invited: send them their links.") % {"n": len(created)})
    return redirect("surveys:detail", survey_id=survey.pk)


@login_required
@require_POST
def close(request, survey_id: int):
    survey = _fetch(request, survey_id, manage=True)
    form = VersionForm(request.POST)
    try:
        services.close_survey(actor=request.user, survey_id=survey.pk,
                              version=form.cleaned_data["version"] if form.is_valid() else None)
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Survey closed: links not yet answered no longer work."))
    return redirect("surveys:detail", survey_id=survey.pk)


@login_required
def links_csv(request, survey_id: int):
    """The links of a survey as CSV (for the SMS or WeChat tool that sends them)."""
    survey = _fetch(request, survey_id, manage=True)
    services.record_links_export(actor=request.user, survey=survey)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-links.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow([_("Customer"), _("Ticket"), _("Link"), _("Expires at"), _("Answered at")])
    for inv in selectors.invitations(survey):
        customer = inv.customer
        writer.writerow([
            customer.name if customer else "",
            inv.ticket_id or "", request.build_absolute_uri(reverse("surveys:answer", args=[inv.token])),
            timezone.localtime(inv.expires_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(inv.answered_at).strftime("%Y-%m-%d %H:%M") if inv.answered_at else "",
        ])
    return response


# -- the customer's link ------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    """The public answer page: no login; one answer per link; a clear page when answered or expired."""
    try:
        invitation = services.open_invitation(token)
    except NotFound:
        return render(request, "surveys/public_gone.html", {"reason": "unknown"}, status=404)
    state = services.link_state(invitation)
    if state != "open":
        return render(request, "surveys/public_gone.html", {"reason": state, "survey": invitation.survey},
                      status=410 if state == "expired" else 200)
    questions = list(invitation.survey.questions.all())
    errors: dict[str, str] = {}
    chosen = {}
    status = 200
    if request.method == "POST":
        scores = {str(q.pk): request.POST.get(f"q{q.pk}", "") for q in questions}
        chosen = scores
        try:
            services.submit_answer(token=token, scores=scores, comment=request.POST.get("comment", ""))
        except ServiceError as exc:
            errors = {e.field: str(e.message) for e in exc.errors}
            if not errors or exc.rule:  # answered or expired since the page was opened
                invitation.refresh_from_db()
                state = services.link_state(invitation)
                return render(request, "surveys/public_gone.html", {"reason": state, "survey": invitation.survey},
                              status=410 if state == "expired" else 200)
            status = 422
        else:
            return render(request, "surveys/public_gone.html", {"reason": "thanks", "survey": invitation.survey})
    rows = [{"q": q, "error": errors.get(f"q{q.pk}", ""), "chosen": chosen.get(str(q.pk), ""),
             "dimension": Dimension(q.dimension).label} for q in questions]
    return render(request, "surveys/public.html", {
        "survey": invitation.survey, "rows": rows, "scale": range(1, 6), "comment": request.POST.get("comment", ""),
        "comment_error": errors.get("comment", ""), "has_errors": bool(errors),
    }, status=status)
