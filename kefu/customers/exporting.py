"""Exporting customers to Excel (xlsx) or CSV (R-CUS-11, R-CUS-1).

Exactly the customers the caller may see, filtered as on the list page
(:func:`kefu.customers.selectors.list_customers`); phone numbers masked unless the caller's role may
see them in full; every export recorded in the audit trail as an export of personal data.

Memory stays flat whatever the size: rows are read with ``.iterator(chunk_size=2000)`` (phones and
tags prefetched per chunk, so three queries per 2,000 rows), the xlsx is written by openpyxl's
write-only mode into a temporary file that is streamed and deleted, and CSV is streamed row by row.

The headers are those of the import template (plus a few read-only columns the import ignores), so
an export can be imported again.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone

from kefu.audit.services import Action, record
from kefu.customers.importing import (
    COLUMNS,
    DEAL_LABELS,
    EXPORT_ONLY_COLUMNS,
    GENDER_LABELS,
    NEED_LABELS,
    XLSX_TYPE,
)
from kefu.customers.models import Customer, CustomerPhone, CustomerTag
from kefu.customers.selectors import CustomerFilters, list_customers
from kefu.customers.serializers import PhoneView

CHUNK_SIZE = 2000
FORMATS = ("xlsx", "csv")
LIST_JOIN = "；"

# Chinese data labels of the computed classifications (SPEC R-CUS-2, R-CUS-7).
VALUE_TIER_LABELS = {"vip": "VIP 大客户", "major": "重要客户", "normal": "普通客户", "general": "小客户", "potential_vip": "潜在大客户"}
IMPORTANCE_LABELS = {"important": "重要", "ordinary": "非重要"}
URGENCY_LABELS = {"urgent": "紧急", "soon": "缓急", "not_urgent": "不紧急", "later": "可慢"}

_HEADER_BY_KEY = {c.key: c.header for c in COLUMNS} | dict(EXPORT_ONLY_COLUMNS)
EXPORT_KEYS: tuple[str, ...] = ("id", *(c.key for c in COLUMNS), *(k for k, _h in EXPORT_ONLY_COLUMNS if k != "id"))
EXPORT_HEADERS: tuple[str, ...] = tuple(_HEADER_BY_KEY[k] for k in EXPORT_KEYS)
_WIDTHS = {"id": 10, "name": 14, "phones": 28, "email": 26, "address": 30, "notes": 30, "preferences": 20,
           "tags": 20, "last_followup_at": 18, "created_at": 18}
_DATE_KEYS = {"expected_close_date", "birthday", "next_due"}
_DATETIME_KEYS = {"last_followup_at", "created_at"}


@dataclass
class Export:
    """A prepared export: the rows are produced lazily by :meth:`rows`."""

    actor: Any
    queryset: QuerySet
    count: int
    fmt: str
    full_phones: bool
    phone_view: PhoneView

    @property
    def filename(self) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"customers-{stamp}.{self.fmt}"

    def rows(self) -> Iterator[list[Any]]:
        return iter_rows(self.queryset, self.phone_view)


def export_queryset(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """What a row needs, in three queries per chunk (customers with owner and shop; phones; tags)."""
    return qs.select_related("owner", "shop").prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.only("customer_id", "number", "position")
                 .order_by("position", "id")),
        Prefetch("tags", queryset=CustomerTag.objects.only("customer_id", "tag").order_by("id")),
    )


# what makes a spreadsheet read a cell as a formula (CSV/formula injection, OWASP)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: the organisation's local time, naive, to the minute."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)


def row_values(customer: Customer, phone_view: PhoneView) -> list[Any]:
    c = customer
    values = {
        "id": c.pk,
        "name": c.name,
        "phones": LIST_JOIN.join(phone_view.show(p.number) for p in c.phones.all()),
        "email": c.email,
        "shop": c.shop.code,
        "owner": c.owner.username if c.owner_id else "",
        "need_status": NEED_LABELS.get(c.need_status, c.need_status),
        "deal_status": DEAL_LABELS.get(c.deal_status, c.deal_status),
        "expected_close_date": c.expected_close_date,
        "expected_amount": c.expected_amount,
        "birthday": c.birthday,
        "gender": GENDER_LABELS.get(c.gender, ""),
        "region": c.region,
        "occupation": c.occupation,
        "source_channel": c.source_channel,
        "wechat": c.wechat,
        "address": c.address,
        "tags": LIST_JOIN.join(t.tag for t in c.tags.all()),
        "preferences": c.preferences,
        "notes": c.notes,
        "grade": c.grade,
        "grade_reason": c.grade_reason,
        "grade_proposed": c.grade_proposed,
        "value_tier": VALUE_TIER_LABELS.get(c.value_tier, c.value_tier),
        "importance": IMPORTANCE_LABELS.get(getattr(c, "importance", ""), ""),
        "urgency": URGENCY_LABELS.get(getattr(c, "urgency", ""), ""),
        "last_followup_at": _local(c.last_followup_at),
        "next_due": c.next_due,
        "created_at": _local(c.created_at),
    }
    return [values[k] for k in EXPORT_KEYS]


def iter_rows(qs: QuerySet[Customer], phone_view: PhoneView) -> Iterator[list[Any]]:
    for customer in export_queryset(qs).iterator(chunk_size=CHUNK_SIZE):
        yield row_values(customer, phone_view)


def _filters_for_audit(filters: CustomerFilters) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(filters).items() if v not in ("", None)}


def prepare_export(*, actor, filters: CustomerFilters, fmt: str = "xlsx", ip: str | None = None) -> Export:
    """Select the rows and record the export (R-AUD) — before any row leaves the system."""
    fmt = fmt if fmt in FORMATS else "xlsx"
    qs = list_customers(actor, filters)
    count = qs.count()
    phone_view = PhoneView(actor)
    used = _filters_for_audit(filters)
    record(actor=actor, action=Action.EXPORT, object_type="customers.customer", ip=ip,
           after={"format": fmt, "count": count, "filters": used, "phones": "full" if phone_view.full else "masked"},
           note=f"{count} rows, filters {json.dumps(used, ensure_ascii=False, default=str)}, "
                f"{fmt}, phones {'full' if phone_view.full else 'masked'}")
    return Export(actor=actor, queryset=qs, count=count, fmt=fmt, full_phones=phone_view.full, phone_view=phone_view)


# --- writers ---------------------------------------------------------------------------------------
def write_xlsx(export: Export, target) -> None:
    """Write the export to ``target`` (a path or a binary file) with openpyxl's write-only mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    for index, key in enumerate(EXPORT_KEYS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(key, 12)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    date_positions = [i for i, k in enumerate(EXPORT_KEYS) if k in _DATE_KEYS]
    datetime_positions = [i for i, k in enumerate(EXPORT_KEYS) if k in _DATETIME_KEYS]
    for values in export.rows():
        out: list[Any] = list(values)
        for i, value in enumerate(out):
            if isinstance(value, str) and value:
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith(FORMULA_STARTS):  # stays text, never a formula, also once edited in Excel
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    out[i] = cell
                else:
                    out[i] = value
        for i in date_positions:
            if out[i] is not None:
                cell = WriteOnlyCell(sheet, value=out[i])
                cell.number_format = "yyyy-mm-dd"
                out[i] = cell
        for i in datetime_positions:
            if out[i] is not None:
                cell = WriteOnlyCell(sheet, value=out[i])
                cell.number_format = "yyyy-mm-dd hh:mm"
                out[i] = cell
        sheet.append(out)
    workbook.save(target)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text  # CSV injection guard; the import strips it again
    return text


def iter_csv(export: Export, *, encoding: str = "utf-8-sig") -> Iterator[bytes]:
    """The export as CSV, in pieces of about a chunk of rows; UTF-8 with BOM so Excel reads the Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADERS)
    first = True
    for n, values in enumerate(export.rows(), start=1):
        writer.writerow([_csv_text(v) for v in values])
        if n % 500 == 0:
            yield _take(buffer, encoding, first)
            first = False
    yield _take(buffer, encoding, first)


def _take(buffer: io.StringIO, encoding: str, first: bool) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    if encoding == "utf-8-sig" and not first:
        return text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def as_response(export: Export) -> HttpResponse:
    """A download: CSV streamed as it is produced, xlsx built in a temporary file and streamed."""
    if export.fmt == "csv":
        response = StreamingHttpResponse(iter_csv(export), content_type="text/csv; charset=utf-8")
    else:
        target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes (and so deletes) it
        write_xlsx(export, target)
        target.seek(0)
        response = FileResponse(target, content_type=XLSX_TYPE)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Export-Count"] = str(export.count)
    response["Cache-Control"] = "no-store"
    return response


def export_bytes(*, actor, filters: CustomerFilters, fmt: str = "xlsx") -> bytes:
    """The whole export in memory (scripts and tests)."""
    export = prepare_export(actor=actor, filters=filters, fmt=fmt)
    if export.fmt == "csv":
        return b"".join(iter_csv(export))
    buffer = io.BytesIO()
    write_xlsx(export, buffer)
    return buffer.getvalue()
