"""Shift swap pages (R-WFM-3): my swaps and the form to ask for one (its rule checks shown live, HTMX), the
swaps waiting for the lead's approval, pay-backs owed (还班). Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.workforce import access
from kefu.workforce.selectors import swaps as selectors
from kefu.workforce.services import swaps as services


def _shift_label(shift, *, person: bool = False) -> str:
    start = timezone.localtime(shift.start_at)
    end = timezone.localtime(shift.end_at)
    kind = shift.shift_type.name if shift.shift_type_id else shift.get_kind_display()
    work_type = f" · {shift.shift_type.work_type}" if shift.shift_type_id and shift.shift_type.work_type else ""
    who = f"{shift.person} · " if person else ""
    return f"{who}{date_format(start, 'Y-m-d D H:i')}–{end:%H:%M} {kind}{work_type}"


class SwapForm(forms.Form):
    shift_id = forms.TypedChoiceField(label=gettext_lazy("My shift"), coerce=int)
    with_shift_id = forms.TypedChoiceField(label=gettext_lazy("A colleague's shift instead"), coerce=int)
    payback_for = forms.TypedChoiceField(label=gettext_lazy("Pays back (还班)"), coerce=int, required=False,
                                         empty_value=None)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, mine=(), theirs=(), paybacks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift_id"].choices = [("", "—")] + [(s.pk, _shift_label(s)) for s in mine]
        self.fields["with_shift_id"].choices = [("", "—")] + [(s.pk, _shift_label(s, person=True)) for s in theirs]
        self.fields["payback_for"].choices = [("", _("No: a new swap"))] + [
            (w.pk, _("%(person)s took my shift %(day)s") % {"person": w.requester, "day": f"{w.shift.date:%Y-%m-%d}"})
            for w in paybacks]
        if not paybacks:
            self.fields["payback_for"].widget = forms.HiddenInput()


class DecisionForm(forms.Form):
    note = forms.CharField(max_length=300, required=False)
    version = forms.IntegerField(required=False)


def _form(request, data=None) -> SwapForm:
    user = request.user
    return SwapForm(data, mine=list(selectors.my_upcoming_shifts(user)),
                    theirs=selectors.colleague_upcoming_shifts(user), paybacks=list(selectors.payback_choices(user)))


def _ask(request, form: SwapForm, *, check_only: bool):
    data = form.cleaned_data
    if check_only:
        return services.plan_swap(requester=request.user, shift_id=data.get("shift_id"),
                                  with_shift_id=data.get("with_shift_id"), reason=data.get("reason") or "",
                                  payback_for_id=data.get("payback_for"))
    return services.request_swap(actor=request.user, shift_id=data["shift_id"], with_shift_id=data["with_shift_id"],
                                 reason=data["reason"], payback_for_id=data.get("payback_for"))


@login_required
def swaps(request):
    """My swaps and the form to ask for one; the swaps waiting for my approval; pay-backs owed."""
    user = request.user
    form = _form(request, request.POST or None)
    plan = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _ask(request, form, check_only=False)
        except ServiceError as exc:
            apply_service_error(form, exc)
            status = page_status(exc)
            plan = _ask(request, form, check_only=True)
        else:
            messages.success(request, _("Your shift swap was asked; it waits for the team leads' approval."))
            return redirect("workforce:swaps")
    elif request.method == "POST":
        status = 422
    may_approve = bool(user.role_codes & access.SWAP_APPROVER_ROLES)
    context = {
        "form": form, "plan": plan,
        "mine": list(selectors.my_swaps(user)[:100]),
        "inbox": list(selectors.swap_inbox(user)[:200]) if may_approve else [],
        "may_approve": may_approve,
        "owed": list(selectors.owed_paybacks(user, mine=not may_approve)[:200]),
    }
    return render(request, "workforce/swaps.html", context, status=status)


@login_required
def swap_check(request):
    """HTMX: the rule checks of the swap form as it stands, before submitting (R-WFM-3)."""
    form = _form(request, request.GET or None)
    form.is_valid()
    plan = None
    if form.cleaned_data.get("shift_id") and form.cleaned_data.get("with_shift_id"):
        plan = _ask(request, form, check_only=True)
        if not form.cleaned_data.get("reason"):  # not written yet: no error before submitting
            plan.errors = [e for e in plan.errors if e.field != "reason"]
    return render(request, "workforce/_swap_checks.html", {"plan": plan})


@login_required
@require_POST
def swap_decide(request, swap_id: int, decision: str):
    actions = {"approve": services.approve_swap, "reject": services.reject_swap, "cancel": services.cancel_swap}
    if decision not in actions:
        raise Http404
    form = DecisionForm(request.POST)
    form.is_valid()
    kwargs = {"actor": request.user, "swap_id": swap_id, "version": form.cleaned_data.get("version")}
    if decision != "cancel":
        kwargs["note"] = form.cleaned_data.get("note") or ""
    try:
        swap = actions[decision](**kwargs)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None
    except ServiceError as exc:
        messages.error(request, " ".join([str(exc.detail), *(str(e.message) for e in exc.errors[1:])]))
    else:
        done = {
            "approve": _("The shift swap is approved: the shifts have changed hands.") if swap.status == "approved"
            else _("Your approval is recorded; the swap waits for the other team's lead."),
            "reject": _("The shift swap was refused."),
            "cancel": _("The shift swap was cancelled."),
        }
        messages.success(request, done[decision])
    return redirect("workforce:swaps")
