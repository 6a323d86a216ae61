"""Weekly QA summaries (R-QA-3): the list and one summary's page, where a head or QA inspector edits the
drafted text and publishes it. Thin: parse, call the service or selector, render (422 with the field errors,
403 for a role that may not, 404 outside the scope)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.quality import access, summary_selectors, summary_services


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def summaries(request):
    return render(request, "quality/summaries.html", {
        "summaries": list(summary_selectors.summaries(request.user)[:60]),
        "can_edit": access.may_edit_scorecards(request.user),
    })


@login_required
def summary(request, summary_id: int):
    user = request.user
    try:
        found = summary_selectors.summary(user, summary_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    errors: dict = {}
    status = 200
    text = found.text
    if request.method == "POST":
        text = request.POST.get("text", "")
        publish = request.POST.get("action") == "publish"
        call = summary_services.publish_summary if publish else summary_services.save_summary
        try:
            call(actor=user, summary_id=found.pk, text=text, version=_int(request.POST.get("version")))
        except NotFound as exc:
            raise Http404(str(exc.detail)) from None
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.detail)) from None
        except ServiceError as exc:
            for e in exc.errors:
                errors.setdefault(e.field, []).append(str(e.message))
            if not errors:
                errors["text"] = [str(exc.detail)]
            status = page_status(exc)
        else:
            messages.success(request, _("The summary was published; agents and leads were told.") if publish
                             else _("The summary was saved."))
            return redirect("quality:summary", found.pk)
    return render(request, "quality/summary.html", {
        "summary": found, "figures": found.figures, "text": text, "errors": errors,
        "can_edit": access.may_edit_scorecards(user),
    }, status=status)
