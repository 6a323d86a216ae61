"""Import and export pages (R-CUS-11): upload form, template download, job progress (HTMX polling)
with the row report, and the export of the customer list. Thin: parse, call the service, render."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.core.errors import NotAllowed, NotFound, ServiceError
from kefu.core.forms import apply_service_error
from kefu.core.http import client_ip
from kefu.customers import exporting, importing
from kefu.customers.forms import CustomerFilterForm
from kefu.customers.models import ImportJob
from kefu.customers.selectors import CustomerFilters
from kefu.org.selectors import people_in_scope, shops_in_scope

REPORT_ROWS_ON_PAGE = 500


class RadioList(forms.RadioSelect):
    template_name = "customers/_radio_list.html"


MODE_CHOICES = [
    (ImportJob.Mode.ALL_OR_NOTHING, gettext_lazy(
        "All or nothing: if any row has an error, nothing is imported and you get the list of errors to correct.")),
    (ImportJob.Mode.VALID_ONLY, gettext_lazy(
        "Valid rows only: the correct rows are imported now; the rows with errors are listed so you can fix "
        "and upload them again.")),
]
DUPLICATE_CHOICES = [
    (ImportJob.OnDuplicate.SKIP, gettext_lazy(
        "Skip: a customer whose phone number or e-mail is already in the shop is left out (and listed).")),
    (ImportJob.OnDuplicate.MERGE, gettext_lazy(
        "Merge: fill in the existing customer's empty fields and add new phone numbers and tags; nothing "
        "already filled in is overwritten.")),
]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
        help_text=gettext_lazy("Use the template's columns. At most 200,000 rows and 20 MB."),
    )
    shop = forms.ChoiceField(
        label=gettext_lazy("Shop"), required=False,
        help_text=gettext_lazy("Choose a shop to put every row into it; or leave it to the file's "
                               "店铺代码 (shop code) column."),
    )
    mode = forms.ChoiceField(label=gettext_lazy("If some rows have errors"), choices=MODE_CHOICES,
                             widget=RadioList, initial=ImportJob.Mode.ALL_OR_NOTHING)
    on_duplicate = forms.ChoiceField(label=gettext_lazy("Customers already in the archive"),
                                     choices=DUPLICATE_CHOICES, widget=RadioList,
                                     initial=ImportJob.OnDuplicate.SKIP)

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop"].choices = [("", _("From the file's shop code column")),
                                       *[(s.code, f"{s.name} ({s.code})") for s in shops]]
        self.fields["shop"].widget.attrs["class"] = "form-select"


def _require_importer(user) -> None:
    if not importing.can_import(user):
        raise PermissionDenied(_("Your role may not import customers."))


@login_required
def import_start(request):
    user = request.user
    _require_importer(user)
    shops = list(shops_in_scope(user))
    form = ImportForm(request.POST or None, request.FILES or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shop = next((s for s in shops if s.code == data["shop"]), None)
        try:
            job = importing.start_import(actor=user, uploaded_file=data["file"], shop=shop, mode=data["mode"],
                                         on_duplicate=data["on_duplicate"])
        except ServiceError as exc:
            apply_service_error(form, exc, request)
        else:
            return redirect("customers:import_status", job_id=job.pk)
    jobs = importing.jobs_for(user)[:10]
    return render(request, "customers/import.html", {"form": form, "jobs": jobs})


@login_required
def import_template(request):
    _require_importer(request.user)
    response = HttpResponse(importing.build_template(request.user), content_type=importing.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "客户导入模板.xlsx")
    return response


def _job(request, job_id: int) -> ImportJob:
    try:
        return importing.access_job(request.user, job_id)
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.detail)) from None


@login_required
def import_status(request, job_id):
    job = _job(request, job_id)
    if request.GET.get("download") == "xlsx":
        response = HttpResponse(importing.build_report(job), content_type=importing.XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"import-report-{job.pk}.xlsx")
        return response
    entries = job.errors or []
    context = {
        "job": job,
        "running": job.status in {ImportJob.Status.PENDING, ImportJob.Status.RUNNING},
        "entries": entries[:REPORT_ROWS_ON_PAGE],
        "entries_total": len(entries),
        "error_total": sum(1 for e in entries if e.get("kind", "error") == "error"),
        "report_limit": REPORT_ROWS_ON_PAGE,
    }
    template = "customers/import_status.html#progress" if request.headers.get("HX-Request") \
        else "customers/import_status.html"
    return render(request, template, context)


@login_required
def export(request):
    """The customers of the list page's filters (same query string) as xlsx (default) or CSV."""
    user = request.user
    form = CustomerFilterForm(request.GET or None, shops=shops_in_scope(user), people=people_in_scope(user))
    filters = CustomerFilters()
    if form.is_bound:
        if not form.is_valid():
            # Never widen an export silently: a filter that does not apply refuses it.
            return HttpResponse(_("The filters are not valid: %(fields)s.") % {"fields": ", ".join(form.errors)},
                                status=400, content_type="text/plain; charset=utf-8")
        filters = CustomerFilters(**{k: v for k, v in form.cleaned_data.items() if v not in ("", None)})
    fmt = request.GET.get("format", "xlsx")
    export_ = exporting.prepare_export(actor=user, filters=filters, fmt=fmt, ip=client_ip(request))
    return exporting.as_response(export_)
