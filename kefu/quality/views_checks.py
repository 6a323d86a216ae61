"""The automatic checks' rules page (issue 11): QA inspectors and heads edit each check's phrases, points
and use. Thin: parse, call the service, render (422 with the field errors; 403 for other roles)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, ServiceError, page_status
from kefu.quality import access, autocheck_selectors, autocheck_services


def _errors(exc: ServiceError) -> dict:
    out: dict[str, list[str]] = {}
    for e in exc.errors:
        out.setdefault(e.field, []).append(str(e.message))
    return out


@login_required
def check_rules(request):
    user = request.user
    if not access.may_edit_scorecards(user):
        raise PermissionDenied(_("Only QA inspectors and department heads edit the automatic checks."))
    errors: dict = {}
    failed_kind = None
    status = 200
    if request.method == "POST":
        failed_kind = request.POST.get("kind", "")
        try:
            rule = autocheck_services.save_check_rule(
                actor=user, kind=failed_kind, weight=request.POST.get("weight"),
                active=bool(request.POST.get("active")), phrases=request.POST.get("phrases", ""))
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            errors = _errors(exc) or {"kind": [str(exc.detail)]}
            status = page_status(exc)
        else:
            messages.success(request, _("Saved: %(check)s.") % {"check": rule.get_kind_display()})
            return redirect("quality:checks")
    rules = autocheck_selectors.rules()
    for rule in rules:
        rule.has_phrases = rule.kind in autocheck_services.PHRASE_KINDS
        rule.phrases_text = "\n".join(rule.phrases or [])
        if rule.kind == failed_kind:
            rule.errors = errors
            rule.posted = request.POST
    return render(request, "quality/checks.html", {"rules": rules, "total": sum(r.weight for r in rules if r.active)},
                  status=status)
