"""A report as an Excel workbook (R-KPI-2): Chinese headers, a summary sheet, then one sheet per section (the
charts' data are sections too), numbers written as numbers, rates formatted as percentages."""

from __future__ import annotations

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _

from kefu.performance.reports import labels

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGE = "zh-hans"
_BAD = re.compile(r"[\[\]:*?/\\]")


def workbook_bytes(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override(LANGUAGE):
        book = Workbook()
        summary = book.active
        summary.title = _sheet(labels.section("headline"), set())
        summary.append([labels.column("figure"), labels.column("value")])
        summary.append([_("Period"), data.get("period", "")])
        summary.append([labels.column("team"), "、".join(t["name"] for t in data.get("teams", []))])
        if data.get("weights"):
            summary.append([labels.column("weights_version"), data["weights"].get("version")])
        for key, raw in (data.get("headline") or {}).items():
            summary.append([labels.column(key), raw])
            if key in labels.RATES:
                summary.cell(row=summary.max_row, column=2).number_format = "0.0%"
        used = {summary.title}
        for section in data.get("sections", []):
            sheet = book.create_sheet(_sheet(labels.section(section["key"]), used))
            used.add(sheet.title)
            columns = section["columns"]
            sheet.append([labels.column(c) for c in columns])
            for row in section["rows"]:
                sheet.append([labels.value(c, row.get(c)) for c in columns])
            for index, c in enumerate(columns, start=1):
                if c in labels.RATES:
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.number_format = "0.0%"
        for sheet in book.worksheets:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(title: str, used: set[str]) -> str:
    base = _BAD.sub(" ", title)[:28] or "Sheet"
    name, n = base, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    return name


def filename(data: dict) -> str:
    return f"report-{data.get('kind', '')}-{data.get('period', '')}.xlsx"
