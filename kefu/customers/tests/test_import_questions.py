"""What the import questions instead of accepting (issue 8, item 8; R-CUS-11, R-ERR): a landline whose
leading 0 a spreadsheet dropped, numbers outside the mobile allocation, formulas and error values
(#VALUE!, #REF!, #DIV/0!) — each refused on its row and column with the reason, nothing written in
"all or nothing" mode; exports keep text that starts like a formula from becoming one."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kefu.core.testing import zh
from kefu.customers import exporting, importing
from kefu.customers.models import Customer, CustomerPhone, ImportJob
from kefu.customers.selectors import CustomerFilters

pytestmark = pytest.mark.django_db
H = importing.HEADERS
HEADER = [H["name"], H["phones"], H["notes"]]


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _xlsx_bytes(rows: list[list], cached: dict[str, str] | None = None) -> bytes:
    """An xlsx as openpyxl writes it; ``cached`` gives formula cells the value a spreadsheet program
    stored with them ("C3" → "#VALUE!"), as LibreOffice and Excel do."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not cached:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                for ref, value in cached.items():
                    kind = ' t="e"' if value.startswith("#") else ""
                    xml = re.sub(rf'<c r="{ref}"><f>(.*?)</f><v\s*/>', rf'<c r="{ref}"{kind}><f>\1</f><v>{value}</v>', xml)
                data = xml.encode()
            target.writestr(name, data)
    return out.getvalue()


def _csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def run(demo, django_capture_on_commit_callbacks):
    def go(content: bytes, name: str, mode: str = "all") -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = importing.start_import(actor=demo.users["agent1"], uploaded_file=SimpleUploadedFile(name, content),
                                         shop=demo.shops["tmall"], mode=mode)
        job.refresh_from_db()
        return job

    return go


def _errors(job) -> dict[tuple[int, str], str]:
    return {(e["row"], e["column"]): e["message"] for e in job.errors if e["kind"] == "error"}


# --- phone numbers ------------------------------------------------------------------------------------
def test_r_cus_11_a_number_cell_that_lost_the_landlines_leading_zero_refuses_the_row(run):
    job = run(_xlsx_bytes([["张三", 216210008, ""], ["李四", "13800138000", ""]]), "a.xlsx")
    assert job.status == ImportJob.Status.REFUSED
    assert _errors(job) == {(2, H["phones"]): zh(
        "“%(phone)s” was stored as a number, so its leading 0 was lost (%(landline)s?); format the column as text "
        "and enter the number again.", phone="216210008", landline="0216210008")}
    assert not Customer.objects.exists() and not CustomerPhone.objects.exists()


def test_r_cus_11_in_valid_rows_mode_only_the_questioned_row_is_left_out(run):
    job = run(_xlsx_bytes([["张三", 216210008, ""], ["李四", "13800138000", ""], ["王五", "12012345678", ""],
                           ["赵六", "0216210008", ""]]), "a.xlsx", mode="valid")
    assert job.status == ImportJob.Status.DONE and job.created_count == 2
    assert set(_errors(job)) == {(2, H["phones"]), (4, H["phones"])}
    assert sorted(CustomerPhone.objects.values_list("number", flat=True)) == ["0216210008", "13800138000"]


@pytest.mark.parametrize(("cell", "says"), [
    ("216210008", "0216210008"), ("12012345678", "120"), ("1.38001E+10", "1.38001E+10"),
    ("138****1234", "138****1234")])
def test_r_cus_11_csv_phones_are_questioned_by_the_shared_validator(run, cell, says):
    job = run(_csv_bytes([["张三", cell, ""]]), "a.csv")
    assert job.status == ImportJob.Status.REFUSED
    [((row, column), message)] = _errors(job).items()
    assert (row, column) == (2, H["phones"]) and says in message
    assert not Customer.objects.exists()


# --- formulas and error values ----------------------------------------------------------------------------
def test_r_cus_11_formula_cells_are_refused_never_read_as_empty(run):
    content = _xlsx_bytes([["张三", "13800138000", "=1+1 备注"], ["李四", "13800138001", "=SUM(1,2)"],
                           ["王五", "13800138002", "正常备注"]], cached={"C2": "#VALUE!", "C3": "3"})
    job = run(content, "f.xlsx")
    assert job.status == ImportJob.Status.REFUSED
    errors = _errors(job)
    assert set(errors) == {(2, H["notes"]), (3, H["notes"])}
    assert errors[(2, H["notes"])] == zh(
        "The cell holds a formula (%(formula)s), not a value; copy the column and paste it as values, or start the "
        "text with an apostrophe (').", formula="=1+1 备注")
    assert not Customer.objects.exists()


def test_r_cus_11_a_formula_without_a_stored_value_on_the_last_row_is_still_reported(run):
    job = run(_xlsx_bytes([["张三", "13800138000", ""], ["=A2", "13800138001", ""]]), "f.xlsx", mode="valid")
    assert job.created_count == 1 and set(_errors(job)) == {(3, H["name"])}
    assert list(Customer.objects.values_list("name", flat=True)) == ["张三"]


@pytest.mark.parametrize("error", ["#VALUE!", "#REF!", "#DIV/0!", "#N/A"])
def test_r_cus_11_error_values_are_refused_from_xlsx_and_csv(run, error):
    # openpyxl writes "#VALUE!" as an error cell, as Excel does for a failed formula without its formula
    for content, name in ((_xlsx_bytes([["张三", "13800138000", error]]), "e.xlsx"),
                          (_csv_bytes([["张三", "13800138000", error]]), "e.csv")):
        job = run(content, name)
        assert job.status == ImportJob.Status.REFUSED, name
        assert _errors(job) == {(2, H["notes"]): zh(
            "The cell holds the spreadsheet error %(error)s instead of a value; correct it in the file.", error=error)}
    assert not Customer.objects.exists()


def test_r_cus_11_a_csv_formula_is_refused_and_an_apostrophe_keeps_it_as_text(run):
    job = run(_csv_bytes([["张三", "13800138000", "=1+1 abc"]]), "f.csv")
    assert job.status == ImportJob.Status.REFUSED and set(_errors(job)) == {(2, H["notes"])}
    assert not Customer.objects.exists()
    job = run(_csv_bytes([["张三", "13800138000", "'=1+1 abc"]]), "f.csv")
    assert job.status == ImportJob.Status.DONE
    assert Customer.objects.get().notes == "=1+1 abc"


# --- exports: text that starts like a formula stays text ------------------------------------------------------
@pytest.mark.parametrize("note", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB"])
def test_r_sec_exports_keep_formula_like_text_as_text(demo, make_customer, note):
    make_customer(name="甲", phones=["13800138000"], notes=note)
    actor = demo.users["head1"]
    text = exporting.export_bytes(actor=actor, filters=CustomerFilters(), fmt="csv").decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row[H["notes"]] == "'" + note
    content = exporting.export_bytes(actor=actor, filters=CustomerFilters(), fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    column = [c.value for c in sheet[1]].index(H["notes"]) + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == note and cell.data_type == "s" and cell.quotePrefix
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
