"""Customer import and export API (R-CUS-11), mounted at ``/api/v1/customers/io``.

- ``POST /jobs`` (multipart: ``file``, ``shop``?, ``mode`` all|valid, ``on_duplicate`` skip|merge) → 202 job
- ``GET /jobs`` → the caller's imports, newest first (paginated)
- ``GET /jobs/{id}`` → the job with its progress and row report
- ``GET /jobs/{id}/report`` → the row report as xlsx
- ``GET /template`` → the xlsx import template
- ``GET /export?format=xlsx|csv&q=&grade=&…`` → the customers the caller may see (list filters)
"""


import datetime as dt

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from kefu.core.api import ErrorOut, PageNumber
from kefu.core.errors import NotAllowed
from kefu.core.http import client_ip
from kefu.customers import exporting, importing
from kefu.customers.models import ImportJob
from kefu.customers.selectors import CustomerFilters
from kefu.org.selectors import access_shop

router = Router(tags=["customers"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ReportEntry(Schema):
    row: int | None
    column: str
    message: str
    kind: str = "error"


class ImportJobOut(Schema):
    id: int
    status: str
    status_label: str
    file_name: str
    shop: str | None
    mode: str
    on_duplicate: str
    created_by: str
    total_rows: int
    processed_rows: int
    progress_pct: int
    created_count: int
    merged_count: int
    skipped_count: int
    error_count: int
    errors: list[ReportEntry]
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_shop(obj) -> str | None:
        return obj.shop.code if obj.shop_id else None

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.username

    @staticmethod
    def resolve_error_count(obj) -> int:
        return sum(1 for e in obj.errors or [] if e.get("kind", "error") == "error")


class ExportFiltersIn(Schema):
    format: str = "xlsx"
    q: str = ""
    grade: str = ""
    tier: str = ""
    owner: str = ""
    shop: str = ""
    overdue: bool | None = None
    urgency: str = ""
    importance: str = ""
    deal_status: str = ""
    need_status: str = ""
    tag: str = ""
    churn_risk: bool | None = None

    def to_filters(self) -> CustomerFilters:
        data = self.dict()
        data.pop("format")
        return CustomerFilters(**data)


@router.post("/jobs", response={202: ImportJobOut, **ERRORS})
def upload(request, file: File[UploadedFile], shop: Form[str] = "", mode: Form[str] = "all",
           on_duplicate: Form[str] = "skip"):
    """Upload an xlsx or CSV file; the import runs in the background — poll ``GET /jobs/{id}``."""
    user = request.user
    if not importing.can_import(user):
        raise NotAllowed(_("Your role may not import customers."))
    shop_obj = access_shop(user, shop) if shop else None
    job = importing.start_import(actor=user, uploaded_file=file, shop=shop_obj, mode=mode, on_duplicate=on_duplicate)
    return Status(202, ImportJob.objects.select_related("shop", "created_by").get(pk=job.pk))


@router.get("/jobs", response={200: list[ImportJobOut]})
@paginate(PageNumber)
def list_jobs(request):
    return importing.jobs_for(request.user).select_related("created_by")


@router.get("/jobs/{job_id}", response={200: ImportJobOut, **ERRORS})
def get_job(request, job_id: int):
    return importing.access_job(request.user, job_id)


@router.get("/jobs/{job_id}/report", response={200: None, **ERRORS})
def get_report(request, job_id: int):
    job = importing.access_job(request.user, job_id)
    response = HttpResponse(importing.build_report(job), content_type=importing.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"import-report-{job.pk}.xlsx")
    return response


@router.get("/template", response={200: None, **ERRORS})
def get_template(request):
    if not importing.can_import(request.user):
        raise NotAllowed(_("Your role may not import customers."))
    response = HttpResponse(importing.build_template(request.user), content_type=importing.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "客户导入模板.xlsx")
    return response


@router.get("/export", response={200: None, **ERRORS})
def export(request, filters: Query[ExportFiltersIn]):
    """The customers the caller may see, with the list's filters; phones masked unless the caller's
    role sees them in full. Recorded in the audit trail."""
    prepared = exporting.prepare_export(actor=request.user, filters=filters.to_filters(), fmt=filters.format,
                                        ip=client_ip(request))
    return exporting.as_response(prepared)
