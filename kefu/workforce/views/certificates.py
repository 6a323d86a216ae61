"""The medical certificate upload of a sick leave (R-WFM-4): the person (or whoever filed it, or a manager of the
person) uploads it; a missing-certificate flag is cleared. Thin: parse, call the service, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import NotAllowed, NotFound, ServiceError, page_status
from kefu.core.forms import apply_service_error
from kefu.workforce import access
from kefu.workforce.services import certificates as services


class CertificateForm(forms.Form):
    certificate = forms.FileField(label=gettext_lazy("Medical certificate (PDF, JPEG or PNG)"))


@login_required
def certificate(request, leave_id: int):
    try:
        leave = access.access_leave(request.user, leave_id)
    except NotFound:
        raise Http404 from None
    form = CertificateForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.upload_certificate(actor=request.user, leave_id=leave.pk,
                                            upload=form.cleaned_data["certificate"])
            except NotAllowed as exc:
                raise PermissionDenied(str(exc.detail)) from None
            except ServiceError as exc:
                apply_service_error(form, exc)
                status = page_status(exc)
            else:
                messages.success(request, _("The medical certificate was uploaded."))
                return redirect("workforce:certificate", leave_id=leave.pk)
        else:
            status = 422
    return render(request, "workforce/leave_certificate.html", {"leave": leave, "form": form}, status=status)
