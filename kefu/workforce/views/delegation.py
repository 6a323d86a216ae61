"""The delegation page (R-WFM-4): an approver names a delegate for a time window, sees their delegations and
revokes one; a delegate sees what was handed to them. Thin: parse, call the service, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.org.models import User
from kefu.workforce import access
from kefu.workforce.models import Delegation
from kefu.workforce.services import delegation as services


class DelegationForm(forms.Form):
    delegate = forms.ChoiceField(label=gettext_lazy("Delegate"))
    start = forms.DateTimeField(label=gettext_lazy("From"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=gettext_lazy("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].choices = [("", "—")] + [(p.username, str(p)) for p in people]


def _candidates(user):
    """Whom the form offers: the centre's active people holding an approving role (the service checks the rank)."""
    return list(User.objects.filter(centre_id=user.centre_id, is_active=True,
                                    roles__role__in=list(access.APPROVING_RANK)).exclude(pk=user.pk)
                .distinct().order_by("username"))


@login_required
def delegation(request):
    user = request.user
    may_delegate = bool(access.approving_rank(user))
    people = _candidates(user) if may_delegate else []
    form = DelegationForm(request.POST or None, people=people) if may_delegate else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only team leads, department heads and directors hand over their approvals."))
        if form.is_valid():
            delegate = next((p for p in people if p.username == form.cleaned_data["delegate"]), None)
            try:
                services.create_delegation(actor=user, delegate=delegate, start_at=form.cleaned_data["start"],
                                           end_at=form.cleaned_data["end"], reason=form.cleaned_data["reason"])
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = page_status(exc)
            else:
                messages.success(request, _("Your approvals are handed over for that time."))
                return redirect("workforce:delegation")
        else:
            status = 422
    mine = list(Delegation.objects.filter(approver=user).select_related("delegate").order_by("-start_at")[:50])
    to_me = list(Delegation.objects.filter(delegate=user).select_related("approver").order_by("-start_at")[:50])
    return render(request, "workforce/delegation.html", {
        "form": form, "mine": mine, "to_me": to_me, "may_delegate": may_delegate,
    }, status=status)


@login_required
@require_POST
def delegation_revoke(request, delegation_id: int):
    try:
        services.revoke_delegation(actor=request.user, delegation_id=delegation_id)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The delegation was ended."))
    return redirect("workforce:delegation")
