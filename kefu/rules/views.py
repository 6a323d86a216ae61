"""The rule settings page (/rules/): heads and directors read, administrators edit each row inline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.errors import ServiceError
from kefu.rules import selectors, services
from kefu.rules.forms import RuleValueForm
from kefu.rules.registry import get_def


def _groups(request, *, bound_form: RuleValueForm | None = None):
    can_change = selectors.can_change_rules(request.user)
    groups = selectors.rules_for_display(selectors.centre_id_for(request.user))
    if can_change:
        for group in groups:
            for row in group.rows:
                if bound_form is not None and bound_form.definition.key == row.key:
                    row.form = bound_form
                else:
                    row.form = RuleValueForm.for_row(row)
    return groups, can_change


@login_required
def rule_list(request):
    if not selectors.can_view_rules(request.user):
        raise PermissionDenied
    groups, can_change = _groups(request)
    return render(request, "rules/list.html", {"groups": groups, "can_change": can_change})


def _apply_errors(form: RuleValueForm, exc: ServiceError) -> None:
    for error in exc.errors:
        form.add_error("value" if error.field == "value" else None, str(error.message))
    if not exc.errors:
        form.add_error(None, str(exc.detail))


@login_required
@require_POST
def edit(request, key: str):
    try:
        definition = get_def(key)
    except KeyError:
        raise Http404 from None
    if not selectors.can_change_rules(request.user):
        raise PermissionDenied
    form = RuleValueForm(definition, request.POST)
    reset = request.POST.get("action") == "reset"
    saved = False
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            if reset:
                services.reset_rule(actor=request.user, key=key, version=version)
            else:
                services.set_rule(actor=request.user, key=key, value=form.raw_value, version=version)
            saved = True
        except ServiceError as exc:
            _apply_errors(form, exc)

    label = definition.label
    if request.headers.get("HX-Request"):
        row = selectors.rule_row(key, selectors.centre_id_for(request.user))
        row.form = RuleValueForm.for_row(row) if saved else form
        return render(request, "rules/list.html#row", {
            "row": row, "can_change": True, "saved": saved, "was_reset": saved and reset,
        })
    if saved:
        if reset:
            messages.success(request, _("“%(label)s” is back to its default.") % {"label": label})
        else:
            messages.success(request, _("“%(label)s” was saved.") % {"label": label})
        return redirect("rules:list")
    messages.error(request, _("“%(label)s” was not changed; see the errors below.") % {"label": label})
    groups, can_change = _groups(request, bound_form=form)
    return render(request, "rules/list.html", {"groups": groups, "can_change": can_change}, status=422)
