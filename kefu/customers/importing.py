"""Importing customers from Excel (xlsx) and CSV (R-CUS-11).

Flow: :func:`start_import` checks the caller and the upload, stores the file under
``DATA_DIR/imports`` and creates an :class:`ImportJob`; after the commit a Huey task runs
:func:`run_import`, which

1. reads the file (xlsx: openpyxl read-only; CSV: UTF-8 with or without BOM, else GB18030, the
   encoding Chinese Excel saves CSV in) and finds the header row (Chinese headers of the template,
   or the English keys, so an export can be imported again);
2. checks every row and collects a report of ``{"row", "column", "message", "kind"}`` — ``row`` is
   the spreadsheet row number (the header is row 1), ``column`` the header as written in the file,
   ``kind`` "error" or "notice"; phone numbers go through the one validator of the API and the
   pages (``kefu.core.phones.check_phone``: MIIT mobile ranges; a number cell whose landline lost
   its leading 0 is refused, naming the number it probably was); formula cells and error values
   (#VALUE!, #REF!, …) are refused with the reason, never read as empty;
3. in mode ``all`` writes nothing when any row has an error (status ``refused``); in mode ``valid``
   writes the valid rows and reports the others;
4. writes in batches of :data:`BATCH_SIZE` rows, one transaction per batch, updating
   ``processed_rows`` after each batch so the progress bar moves.

Transactions: one per batch, so that a 100,000-row import does not hold SQLite's write lock for the
whole run. The whole file is checked before the first batch is written, so a refusal writes nothing.
If the job crashes part-way (database down, process killed), the batches already committed stay,
the job is marked ``failed`` with a message saying how many customers were created, and the summary
audit event lists their ids; importing the same file again with "skip duplicates" skips the rows
already in the archive (rows without phone or e-mail cannot be recognised and would be created again).

New customers are written by a bulk path that computes exactly what
:func:`kefu.customers.services.create_customer` computes (grade proposal, next_due, pinyin, pool
clock, phones with reversed numbers, tags, grade history) — a test compares both field by field.
Instead of one audit event per customer it records one summarising event per job (with the ids of
the created customers); the job row itself stays as the record of what was imported. Merges into
existing customers are audited one by one, like any change.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from kefu.audit.services import Action, changed, record, snapshot
from kefu.core.concurrency import bump_version
from kefu.core.errors import FieldError, InvalidInput, NotAllowed, NotFound
from kefu.core.phones import check_phone
from kefu.customers.access import can_act_on
from kefu.customers.choices import DealStatus, Gender, Grade, NeedStatus
from kefu.customers.grading import CustomerRules, load_rules, next_due, propose_grade
from kefu.customers.models import Customer, CustomerPhone, CustomerTag, GradeChange, ImportJob
from kefu.customers.names import pinyin_forms
from kefu.customers.services import MAX_TAGS, _last_contact_date
from kefu.customers.validation import NumberProblem, clean_expected_amount
from kefu.org.models import Shop, User
from kefu.org.roles import Role
from kefu.org.scope import scope_for

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
BATCH_SIZE = 2000
MAX_REPORTED = 10_000  # report entries kept on the job; the message gives the full count
HEADER_SEARCH_ROWS = 10  # the header row may follow a title row or two
IN_CHUNK = 500  # values per SQL "IN (…)"

IMPORT_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN})
ERROR, NOTICE = "error", "notice"


# --- the columns ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header of the template and the export (a data label, not a UI string)
    help: str  # explanation on the 说明 sheet of the template
    example: Any = ""
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "必填。客户姓名，最多 100 个字。", "示例客户", ("客户姓名", "客户名称", "名字"), 100),
    Column("phones", "手机号", "可填多个号码，用“；”或“,”分隔；手机号或带区号的固定电话，如 13800138000、010-65529988。"
           "同一店铺内已有相同号码的客户视为重复。请把本列设为“文本”格式，否则固定电话开头的 0 会丢失。",
           "13800138000；010-65529988",
           ("手机", "电话", "联系电话", "手机号码", "电话号码", "phone", "mobile")),
    Column("email", "邮箱", "电子邮箱，可空。同一店铺内已有相同邮箱的客户视为重复。", "demo@example.com",
           ("电子邮箱", "邮件", "e-mail", "mail"), 254),
    Column("shop", "店铺代码", "店铺代码，如 tmall。导入时选择了店铺则本列不用，所有行都导入所选店铺。", "tmall",
           ("店铺", "shop_code")),
    Column("owner", "负责人", "负责客服的用户名（登录名）；空则为导入人。须是你可以分配的人，且服务该店铺。", "agent1",
           ("负责人用户名", "负责客服", "owner_username")),
    Column("need_status", "需求状况", "目标 / 潜在 / 死亡（也可填 target / latent / dead）；空为“潜在”。", "目标",
           ("需求",)),
    Column("deal_status", "成交状态", "已成交 / 谈判中 / 潜在（也可填 won / negotiating / prospect）；空为“潜在”。", "谈判中"),
    Column("expected_close_date", "预计成交日期", "日期，格式 YYYY-MM-DD（如 2026-11-23）；也可为 Excel 日期或 2026/11/23。",
           "2027-01-15"),
    Column("expected_amount", "预计成交金额", "人民币元，数字，不能为负数。", 50000, ("预计金额", "金额")),
    Column("birthday", "生日", "日期，格式 YYYY-MM-DD。", "1990-05-01", ("出生日期",)),
    Column("gender", "性别", "男 / 女，可空。", "男"),
    Column("region", "地区", "如 上海、广东深圳，最多 100 个字。", "上海", ("区域", "城市"), 100),
    Column("occupation", "职业", "最多 100 个字。", "工程师", (), 100),
    Column("source_channel", "来源渠道", "客户从哪里来，如 天猫旗舰店、老客户介绍，最多 50 个字。", "老客户介绍",
           ("来源", "渠道"), 50),
    Column("wechat", "微信", "微信号，最多 64 个字。", "demo_wx", ("微信号",), 64),
    Column("address", "地址", "最多 300 个字。", "上海市浦东新区示例路 1 号", ("联系地址",), 300),
    Column("tags", "标签", "多个标签用“；”或“,”分隔，每个最多 50 个字，最多 30 个。", "家电；老客户", ("标签（多个）",)),
    Column("preferences", "偏好", "客户的偏好，自由填写。", "喜欢电话联系", ("喜好",)),
    Column("notes", "备注", "自由填写。", "这是示例行，导入时会被跳过", ("说明",)),
    Column("grade", "等级", "A–E，可空：空则按需求状况和预计成交日期自动建议（R-CUS-3）。", "", ("客户等级",)),
    Column("grade_reason", "等级理由", "填写的等级与系统建议不同时必填。", "", ("理由",), 300),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = {c.key: c.header for c in COLUMNS}

# Columns an export adds that an import ignores without comment (so an export imports cleanly).
EXPORT_ONLY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "客户编号"),
    ("grade_proposed", "建议等级"),
    ("value_tier", "价值分层"),
    ("importance", "重要性"),
    ("urgency", "紧急程度"),
    ("last_followup_at", "最近跟进"),
    ("next_due", "下次跟进"),
    ("created_at", "建档时间"),
)

NEED_LABELS = {NeedStatus.TARGET: "目标", NeedStatus.LATENT: "潜在", NeedStatus.DEAD: "死亡"}
DEAL_LABELS = {DealStatus.WON: "已成交", DealStatus.NEGOTIATING: "谈判中", DealStatus.PROSPECT: "潜在"}
GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}

_NEED_IN = {**{v: k for k, v in NEED_LABELS.items()}, **{k.value: k.value for k in NeedStatus},
            "目标客户": "target", "潜在客户": "latent", "死亡客户": "dead"}
_DEAL_IN = {**{v: k for k, v in DEAL_LABELS.items()}, **{k.value: k.value for k in DealStatus},
            "成交": "won", "谈判": "negotiating"}
_GENDER_IN = {"男": "m", "女": "f", "m": "m", "f": "f", "male": "m", "female": "f", "男性": "m", "女性": "f"}

_PAREN = re.compile(r"[（(][^）)]*[）)]")
_HEADER_NOISE = re.compile(r"[\s*＊:：_\-]+")
_LIST_SEP = re.compile(r"[;；,，、|\n]+")


def _norm_header(text: Any) -> str:
    return _HEADER_NOISE.sub("", _PAREN.sub("", str(text or "").strip().lower()))


HEADER_LOOKUP: dict[str, str] = {}
for _col in COLUMNS:
    for _name in (_col.header, _col.key, *_col.aliases):
        HEADER_LOOKUP.setdefault(_norm_header(_name), _col.key)
IGNORED_HEADERS = frozenset(_norm_header(n) for pair in EXPORT_ONLY_COLUMNS for n in pair)

EXAMPLE = {c.key: c.example for c in COLUMNS}


# --- who may import ---------------------------------------------------------------------------------
def can_import(user) -> bool:
    """Agents (into their own name and shops), leads, heads, directors and administrators; not QA."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role_codes & IMPORT_ROLES)


def access_job(user, job_id: int) -> ImportJob:
    """The job if the caller started it, or may act on the person who did (a lead for their team…)."""
    job = ImportJob.objects.select_related("created_by", "shop").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such import."))
    if job.created_by_id == user.pk or user.is_superuser:
        return job
    scope = scope_for(user)
    if can_import(user) and scope.is_wider_than_self and scope.can_act_on_person(job.created_by):
        return job
    raise NotFound(_("No such import."))


def jobs_for(user):
    return ImportJob.objects.filter(created_by=user).select_related("shop").order_by("-created_at", "-id")


# --- starting --------------------------------------------------------------------------------------
def _kind_of(file_name: str) -> str:
    lower = file_name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    if lower.endswith(".xls"):
        raise InvalidInput(_("The file cannot be imported."), errors=[FieldError(
            "file", _("Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV."))])
    raise InvalidInput(_("The file cannot be imported."), errors=[FieldError(
        "file", _("Only .xlsx and .csv files can be imported."))])


def start_import(*, actor, uploaded_file, shop=None, mode: str = ImportJob.Mode.ALL_OR_NOTHING,
                 on_duplicate: str = ImportJob.OnDuplicate.SKIP) -> ImportJob:
    """Check the caller and the upload, store the file and queue the job (it runs after the commit)."""
    if not can_import(actor):
        raise NotAllowed(_("Your role may not import customers."))
    errors: list[FieldError] = []
    if uploaded_file is None:
        raise InvalidInput(_("The file cannot be imported."), errors=[FieldError("file", _("Choose a file."))])
    file_name = Path(str(getattr(uploaded_file, "name", "") or "upload")).name[:255]
    kind = _kind_of(file_name)
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        errors.append(FieldError("file", _("The file is larger than %(mb)s MB; split it into smaller files.")
                                 % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}))
    if size == 0:
        errors.append(FieldError("file", _("The file is empty.")))
    if shop is not None and not scope_for(actor).can_see_shop(shop.pk):
        raise NotAllowed(_("This shop is outside your scope."))
    if mode not in ImportJob.Mode.values:
        errors.append(FieldError("mode", _("Choose one of: %(expected)s.") % {"expected": ", ".join(ImportJob.Mode.values)}))
    if on_duplicate not in ImportJob.OnDuplicate.values:
        errors.append(FieldError("on_duplicate", _("Choose one of: %(expected)s.")
                                 % {"expected": ", ".join(ImportJob.OnDuplicate.values)}))
    if errors:
        raise InvalidInput(_("The file cannot be imported."), errors=errors)

    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{kind}"
    written = 0
    with path.open("wb") as out:
        for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else [uploaded_file.read()]:
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                out.close()
                path.unlink(missing_ok=True)
                raise InvalidInput(_("The file cannot be imported."), errors=[FieldError(
                    "file", _("The file is larger than %(mb)s MB; split it into smaller files.")
                    % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})])
            out.write(chunk)
    with transaction.atomic():
        job = ImportJob.objects.create(created_by=actor, shop=shop, file_name=file_name, file_path=str(path),
                                       mode=mode, on_duplicate=on_duplicate)
        job_id = job.pk
        transaction.on_commit(lambda: run_import_task(job_id))
    return job


@db_task()
def run_import_task(job_id: int) -> None:
    run_import(job_id)


# --- reading ---------------------------------------------------------------------------------------
class FileProblem(Exception):
    """The file as a whole cannot be imported (unreadable, no header, too many rows…)."""


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(_("The file's text encoding could not be recognised; save it as CSV (UTF-8).")) from None


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    text = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", "\t", ";"], key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [_csv_formula(v) for v in values]
    except csv.Error as exc:
        raise FileProblem(_("The CSV file is damaged: %(reason)s") % {"reason": exc}) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The rows of the first sheet that is not the template's instructions. Read with calamine (Rust,
    about ten times faster than openpyxl on 100,000 rows) when it is installed, else with openpyxl;
    both give the same values: None for empty cells, int for whole numbers."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is in requirements.txt
        return _xlsx_rows_openpyxl(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = [n for n in workbook.sheet_names if n.strip().lower() not in {"说明", "instructions"}]
        sheet_name = (names or workbook.sheet_names)[0]
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - calamine raises its own errors for every kind of broken file
        raise FileProblem(_("This is not a readable .xlsx file.")) from None
    finally:
        with contextlib.suppress(Exception):
            workbook.close()
    values = (tuple(_calamine_value(v) for v in row) for row in rows)
    problems = _xlsx_problem_cells(path, sheet_name)  # calamine reads formulas and errors as empty
    return enumerate(_with_problem_cells(values, problems) if problems else values, start=1)


# --- formulas and error values (issue 8): refused with a reason, never read as empty -----------------
ERROR_VALUES = frozenset({"#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                          "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#GETTING_DATA",
                          "#DATA!", "#EXTERNAL!", "#PYTHON!", "ERR:502", "ERR:504", "ERR:522", "ERR:523"})
_SCAN_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ProblemCell:
    """A cell whose value cannot be imported: a formula (``kind`` "formula") or a spreadsheet error
    value such as #VALUE! ("error"); ``text`` is what the file holds."""

    kind: str
    text: str

    def __str__(self) -> str:
        return self.text

    def reason(self) -> str:
        if self.kind == "formula":
            return _("The cell holds a formula (%(formula)s), not a value; copy the column and paste it as "
                     "values, or start the text with an apostrophe (').") % {"formula": self.text[:60]}
        return _("The cell holds the spreadsheet error %(error)s instead of a value; correct it in the file.") \
            % {"error": self.text[:30]}


def _cell_problem(value: Any) -> ProblemCell | None:
    if isinstance(value, ProblemCell):
        return value
    if isinstance(value, str) and value.strip().upper() in ERROR_VALUES:
        return ProblemCell("error", value.strip())
    return None


def _csv_formula(value: str) -> Any:
    """A CSV cell starting with "=" is a formula to every spreadsheet that opens the file (our export
    writes "'=" for text that starts so, and the import takes the apostrophe off again)."""
    return ProblemCell("formula", value.strip()) if value.lstrip().startswith("=") else value


def _xlsx_problem_cells(path: Path, sheet_name: str) -> dict[tuple[int, int], ProblemCell]:
    """(row, column) → formula or error cells of the sheet, both counted from 1. A quick scan of the
    worksheets' XML finds whether there are any; only then openpyxl reads the sheet with formulas."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if not any(_has_formula_or_error(archive, n) for n in names):
                return {}
    except (zipfile.BadZipFile, OSError, KeyError):
        return {}
    from openpyxl import load_workbook

    found: dict[tuple[int, int], ProblemCell] = {}
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()
        for cells in sheet.iter_rows():
            for cell in cells:
                kind = getattr(cell, "data_type", None)
                if kind == "f" or (kind == "e" and cell.value is not None):
                    text = str(cell.value if kind == "e" or str(cell.value).startswith("=") else f"={cell.value}")
                    found[(cell.row, cell.column)] = ProblemCell("formula" if kind == "f" else "error", text)
    finally:
        workbook.close()
    return found


def _has_formula_or_error(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether a worksheet's XML has a formula element (<f>, <x:f …>) or an error cell (t="e"). Plain
    substring searches (fast) with a check of the byte after "<f"/":f" (<family …> is no formula)."""
    tail = b""
    with archive.open(name) as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            buffer = tail + chunk
            if b't="e"' in buffer or b"t='e'" in buffer:
                return True
            for needle in (b"<f", b":f"):
                at = buffer.find(needle)
                while at != -1:
                    if buffer[at + 2:at + 3] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                        return True
                    at = buffer.find(needle, at + 2)
            tail = chunk[-8:]
    return False


def _with_problem_cells(rows: Iterable[tuple[Any, ...]], problems: dict[tuple[int, int], ProblemCell]
                        ) -> Iterator[tuple[Any, ...]]:
    by_row: dict[int, dict[int, ProblemCell]] = defaultdict(dict)
    for (r, c), cell in problems.items():
        by_row[r][c - 1] = cell
    last = max(by_row)
    number = 0
    for number, values in enumerate(rows, start=1):
        yield _patched(values, by_row.get(number))
    for number_ in range(number + 1, last + 1):  # rows calamine left out: only formulas without a value
        yield _patched((), by_row.get(number_))


def _patched(values: tuple[Any, ...], cells: dict[int, ProblemCell] | None) -> tuple[Any, ...]:
    if not cells:
        return values
    out = list(values) + [None] * (max(cells) + 1 - len(values))
    for index, cell in cells.items():
        out[index] = cell
    return tuple(out)


def _calamine_value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _xlsx_rows_openpyxl(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileProblem(_("This is not a readable .xlsx file.")) from None
    try:
        sheets = [ws for ws in workbook.worksheets if ws.title.strip().lower() not in {"说明", "instructions"}]
        sheet = (sheets or workbook.worksheets)[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
        problems = _xlsx_problem_cells(path, sheet.title)
        rows = sheet.iter_rows(values_only=True)
        yield from enumerate(_with_problem_cells(rows, problems) if problems else rows, start=1)
    finally:
        workbook.close()


def _file_rows(path: Path) -> Iterator[tuple[int, Any]]:
    kind = "xlsx" if path.suffix.lower() in {".xlsx", ".xlsm"} else "csv"
    if kind == "xlsx" and path.exists():
        with path.open("rb") as fh:
            magic = fh.read(4)
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileProblem(_("Old Excel files (.xls) cannot be read; save the file as .xlsx or CSV."))
    if not path.exists():
        raise FileProblem(_("The uploaded file is no longer there; upload it again."))
    return _xlsx_rows(path) if kind == "xlsx" else _csv_rows(path)


# --- cell values -----------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, ProblemCell):
        return value.text
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
            text = text[1:]  # an export's guard against formulas (CSV injection), undone
        return text
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _date(value: Any) -> dt.date:
    """Excel date cells, "2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日", 20261123, or an
    Excel serial day number. Raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            return dt.datetime.strptime(str(int(value)), "%Y%m%d").date()  # noqa: DTZ007 - a date only
        if 1 <= value < 2958466:
            from openpyxl.utils.datetime import from_excel

            return from_excel(value).date()
        raise ValueError(value)
    text = _text(value).split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise ValueError(text)


_AMOUNT_NOISE = re.compile(r"[\s,，¥￥元]|rmb|cny", re.IGNORECASE)


def _amount(value: Any) -> Decimal:
    """A spreadsheet cell as a Decimal, rounded to cents (Excel floats such as 0.30000000000000004);
    whether it fits the column is for the shared check (``validation.clean_expected_amount``)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        amount = Decimal(_AMOUNT_NOISE.sub("", _text(value)))  # may raise InvalidOperation
    if amount.is_finite() and amount.adjusted() < 20:  # far too large ones stay as they are, to be refused
        amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return amount


def _split(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SEP.split(text) if part.strip()]


# --- rows --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Row:
    number: int
    name: str = ""
    phones: list[str] = field(default_factory=list)
    email: str = ""
    shop: Shop | None = None
    owner_username: str = ""
    owner: User | None = None
    need_status: str = NeedStatus.LATENT
    deal_status: str = DealStatus.PROSPECT
    expected_close_date: dt.date | None = None
    expected_amount: Decimal | None = None
    birthday: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    grade: str = ""
    grade_proposed: str = ""
    grade_reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # gender, region, occupation, … (non-empty only)
    valid: bool = True
    matches: list[int] = field(default_factory=list)  # ids of archive customers sharing a phone or e-mail

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`services.create_customer` for this row."""
        return {"name": self.name, "phones": list(self.phones), "email": self.email, "shop": self.shop,
                "owner": self.owner, "need_status": self.need_status, "deal_status": self.deal_status,
                "expected_close_date": self.expected_close_date, "expected_amount": self.expected_amount,
                "birthday": self.birthday, "tags": list(self.tags), "grade": self.grade or None,
                "grade_reason": self.grade_reason, **self.extra}


EXTRA_FIELDS = ("gender", "region", "occupation", "source_channel", "wechat", "address", "preferences", "notes")


class Report:
    """The row report: every error and notice, kept up to :data:`MAX_REPORTED` entries."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.error_count = 0
        self.notice_count = 0
        self.rows_with_errors: set[int] = set()

    def add(self, row: int | None, column: str, message: str, kind: str = ERROR) -> None:
        if kind == ERROR:
            self.error_count += 1
            if row is not None:
                self.rows_with_errors.add(row)
        else:
            self.notice_count += 1
        if len(self.entries) < MAX_REPORTED:
            self.entries.append({"row": row, "column": column, "message": str(message), "kind": kind})

    @property
    def truncated(self) -> bool:
        return self.error_count + self.notice_count > len(self.entries)

    def sorted_entries(self) -> list[dict[str, Any]]:
        return sorted(self.entries, key=lambda e: (e["row"] is not None, e["row"] or 0))


class Checker:
    """Checks rows against the columns found in the file, the caller's scope and the rules."""

    def __init__(self, *, actor, job_shop: Shop | None, columns: dict[str, tuple[int, str]], report: Report,
                 today: dt.date):
        self.actor = actor
        self.scope = scope_for(actor)
        self.job_shop = job_shop
        self.columns = columns  # key → (index in the row, header as written)
        self.report = report
        self.today = today
        centre_shops = Shop.objects.filter(centre_id=actor.centre_id) if actor.centre_id else Shop.objects.all()
        self.shops = {s.code.lower(): s for s in centre_shops}
        self._rules: dict[int | None, CustomerRules] = {}

    def header(self, key: str) -> str:
        return self.columns[key][1] if key in self.columns else HEADERS[key]

    def rules(self, centre_id: int | None) -> CustomerRules:
        if centre_id not in self._rules:
            self._rules[centre_id] = load_rules(centre_id)
        return self._rules[centre_id]

    def error(self, row: Row, key: str, message: str) -> None:
        row.valid = False
        self.report.add(row.number, self.header(key), message)

    def parse(self, number: int, values) -> Row | None:
        """A row of the file as cleaned values, or None when the row is empty."""
        cells: dict[str, Any] = {}
        for key, (index, _header) in self.columns.items():
            value = values[index] if index < len(values) else None
            if value is not None and value != "":
                cells[key] = value
        if not any(_text(v) for v in cells.values()):
            return None
        row = Row(number=number)
        problems = {key: problem for key, value in cells.items() if (problem := _cell_problem(value))}
        for key, problem in problems.items():  # formulas and #VALUE!-like cells: refused, never read as empty
            del cells[key]
            if key != "shop" or self.job_shop is None:  # the shop column is unused when a shop was chosen
                self.error(row, key, problem.reason())
        text = {key: _text(value) for key, value in cells.items()}
        if self._is_example(text):
            self.report.add(number, "", _("The template's example row was skipped."), NOTICE)
            return None

        row.name = text.get("name", "")
        if not row.name and "name" in problems:
            pass
        elif not row.name:
            self.error(row, "name", _("A name is required."))
        elif len(row.name) > 100:
            self.error(row, "name", _("At most %(n)s characters.") % {"n": 100})

        # the one phone validator of the API and the pages; a number cell may have lost a leading 0
        number_cell = isinstance(cells.get("phones"), int | float) and not isinstance(cells.get("phones"), bool)
        for raw in _split(text.get("phones", "")):
            checked = check_phone(raw, number_cell=number_cell)
            if not checked.ok:
                self.error(row, "phones", checked.error)
            elif checked.number not in row.phones:
                row.phones.append(checked.number)

        email = text.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(row, "email", _("“%(email)s” is not an e-mail address.") % {"email": text["email"]})
            else:
                row.email = email

        if "shop" not in problems or self.job_shop is not None:
            self._parse_shop(row, text)
        row.owner_username = text.get("owner", "")

        for key, mapping in (("need_status", _NEED_IN), ("deal_status", _DEAL_IN)):
            if key in text:
                value = mapping.get(text[key].lower())
                if value is None:
                    labels = NEED_LABELS if key == "need_status" else DEAL_LABELS
                    self.error(row, key, _("Choose one of: %(expected)s.") % {"expected": " / ".join(labels.values())})
                else:
                    setattr(row, key, value)

        for key in ("expected_close_date", "birthday"):
            if key in cells:
                try:
                    setattr(row, key, _date(cells[key]))
                except (ValueError, OverflowError):
                    self.error(row, key, _("“%(value)s” is not a date; write it as YYYY-MM-DD.")
                               % {"value": text[key]})
        if row.birthday is not None and row.birthday > self.today:
            self.error(row, "birthday", _("A birthday cannot be in the future."))

        if "expected_amount" in cells:
            try:
                amount = _amount(cells["expected_amount"])
            except (InvalidOperation, ValueError):
                self.error(row, "expected_amount", _("“%(value)s” is not an amount.") % {"value": text["expected_amount"]})
            else:
                try:  # the same check as the API and the pages (R-ERR)
                    row.expected_amount = clean_expected_amount(amount)
                except NumberProblem as problem:
                    self.error(row, "expected_amount", problem.message)

        if "gender" in text:
            gender = _GENDER_IN.get(text["gender"].lower())
            if gender is None:
                self.error(row, "gender", _("Choose one of: %(expected)s.") % {"expected": "男 / 女"})
            else:
                row.extra["gender"] = gender
        for key in ("region", "occupation", "source_channel", "wechat", "address", "preferences", "notes"):
            if text.get(key):
                limit = COLUMN_BY_KEY[key].max_length
                if limit and len(text[key]) > limit:
                    self.error(row, key, _("At most %(n)s characters.") % {"n": limit})
                else:
                    row.extra[key] = text[key]

        tags: list[str] = []
        for tag in _split(text.get("tags", "")):
            if len(tag) > 50:
                self.error(row, "tags", _("A tag has at most 50 characters."))
            elif tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            self.error(row, "tags", _("At most %(n)s tags.") % {"n": MAX_TAGS})
        row.tags = tags

        row.grade_reason = text.get("grade_reason", "")[:300]
        if "grade" in text:
            grade = text["grade"].upper().removesuffix("级").removesuffix("类").strip()
            if grade not in Grade.values:
                self.error(row, "grade", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Grade.values)})
            else:
                row.grade = grade
        if row.shop is not None:
            row.grade_proposed = propose_grade(self.rules(row.shop.centre_id), need_status=row.need_status,
                                               expected_close_date=row.expected_close_date, today=self.today)
            if row.grade and row.grade != row.grade_proposed and not row.grade_reason:
                self.error(row, "grade_reason" if "grade_reason" in self.columns else "grade",
                           _("Give a reason when the grade differs from the proposed grade %(grade)s.")
                           % {"grade": row.grade_proposed})
        return row

    def _is_example(self, text: dict[str, str]) -> bool:
        return text.get("name") == EXAMPLE["name"] and text.get("phones") == EXAMPLE["phones"]

    def _parse_shop(self, row: Row, text: dict[str, str]) -> None:
        if self.job_shop is not None:
            row.shop = self.job_shop
            return
        code = text.get("shop", "")
        if not code:
            self.error(row, "shop", _("Give the shop code, or choose a shop for the whole file."))
            return
        shop = self.shops.get(code.lower())
        if shop is None:
            self.error(row, "shop", _("No shop has the code “%(code)s”.") % {"code": code})
        elif not self.scope.can_see_shop(shop.pk):
            self.error(row, "shop", _("The shop “%(code)s” is outside your scope.") % {"code": code})
        else:
            row.shop = shop

    def check_owners(self, rows: list[Row]) -> None:
        """Owners by username: must exist, be active, be people the caller may assign to, and serve
        the row's shop (as :func:`services.create_customer` checks)."""
        names = sorted({r.owner_username for r in rows if r.owner_username})
        people: dict[str, User] = {}
        for chunk in _chunks(names, IN_CHUNK):
            people.update((u.username, u) for u in User.objects.filter(username__in=chunk))
        for row in rows:
            if not row.owner_username:
                row.owner = self.actor
                continue
            person = people.get(row.owner_username)
            if person is None:
                self.error(row, "owner", _("No person has the username “%(username)s”.")
                           % {"username": row.owner_username})
            elif not person.is_active:
                self.error(row, "owner", _("%(person)s is no longer active.") % {"person": person})
            elif person.pk != self.actor.pk and not self.scope.can_act_on_person(person):
                self.error(row, "owner", _("You may assign customers only to people of your team."))
            elif row.shop is not None and not scope_for(person).can_see_shop(row.shop.pk):
                self.error(row, "owner", _("%(person)s does not serve this shop.") % {"person": person})
            else:
                row.owner = person

    def check_in_file_duplicates(self, rows: list[Row]) -> None:
        """The same phone or e-mail twice in the file (within a shop): the later row is an error."""
        seen: dict[tuple, int] = {}
        for row in rows:
            if not row.valid or row.shop is None:
                continue
            keys = [(row.shop.pk, "p", n) for n in row.phones] + ([(row.shop.pk, "e", row.email)] if row.email else [])
            clashes = [(k, seen[k]) for k in keys if k in seen]
            for key, first in clashes:
                if key[1] == "p":
                    self.error(row, "phones", _("The phone number %(phone)s is already in row %(row)s.")
                               % {"phone": key[2], "row": first})
                else:
                    self.error(row, "email", _("The e-mail %(email)s is already in row %(row)s.")
                               % {"email": key[2], "row": first})
            if not clashes:
                for key in keys:
                    seen[key] = row.number


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def archive_matches(rows: Iterable[Row]) -> dict[int, list[int]]:
    """Row number → ids of customers of the same shop sharing a phone number or the e-mail."""
    rows = list(rows)
    phones: dict[int, set[str]] = defaultdict(set)
    emails: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        phones[row.shop.pk].update(row.phones)
        if row.email:
            emails[row.shop.pk].add(row.email)
    by_phone: dict[tuple[int, str], set[int]] = defaultdict(set)
    by_email: dict[tuple[int, str], set[int]] = defaultdict(set)
    for shop_id, numbers in phones.items():
        for chunk in _chunks(sorted(numbers), IN_CHUNK):
            for customer_id, number in CustomerPhone.objects.filter(
                    customer__shop_id=shop_id, number__in=chunk).values_list("customer_id", "number"):
                by_phone[(shop_id, number)].add(customer_id)
    for shop_id, addresses in emails.items():
        for chunk in _chunks(sorted(addresses), IN_CHUNK):
            for customer_id, email in Customer.objects.filter(shop_id=shop_id, email__in=chunk).values_list("id", "email"):
                by_email[(shop_id, email.lower())].add(customer_id)
    out: dict[int, list[int]] = {}
    for row in rows:
        ids: set[int] = set()
        for number in row.phones:
            ids |= by_phone.get((row.shop.pk, number), set())
        if row.email:
            ids |= by_email.get((row.shop.pk, row.email), set())
        if ids:
            out[row.number] = sorted(ids)
    return out


def _names(ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(set(ids)), IN_CHUNK):
        out.update(Customer.objects.filter(pk__in=chunk).values_list("id", "name"))
    return out


# --- writing -----------------------------------------------------------------------------------------
def bulk_create_rows(*, actor, rows: list[Row], now: dt.datetime, today: dt.date,
                     rules_for=None) -> list[Customer]:
    """Create the customers of ``rows`` with the same values :func:`services.create_customer` gives
    them (grade, proposal, next_due, pinyin, pool clock, phones, tags, grade history), in a handful
    of statements. The caller holds the transaction."""
    if not rows:
        return []
    rules_cache: dict[int | None, CustomerRules] = {}

    def rules(centre_id):
        if rules_for is not None:
            return rules_for(centre_id)
        if centre_id not in rules_cache:
            rules_cache[centre_id] = load_rules(centre_id)
        return rules_cache[centre_id]

    by = actor if getattr(actor, "pk", None) else None
    pinyin_cache: dict[str, tuple[str, str]] = {}
    customers = []
    for row in rows:
        name = row.name.strip()
        if name not in pinyin_cache:
            pinyin_cache[name] = pinyin_forms(name)
        full, initials = pinyin_cache[name]
        centre_rules = rules(row.shop.centre_id)
        proposed = row.grade_proposed or propose_grade(centre_rules, need_status=row.need_status,
                                                       expected_close_date=row.expected_close_date, today=today)
        grade = row.grade or proposed
        customers.append(Customer(
            shop=row.shop, owner=row.owner or actor, owner_since=now, countdown_from=today, name=name,
            name_pinyin=full, name_initials=initials, email=(row.email or "").strip().lower(),
            need_status=row.need_status, deal_status=row.deal_status, expected_close_date=row.expected_close_date,
            expected_amount=row.expected_amount, birthday=row.birthday, grade=grade, grade_proposed=proposed,
            grade_reason=row.grade_reason.strip()[:300],
            next_due=next_due(centre_rules, last_contact=today, grade=grade), created_by=by, **row.extra,
        ))
    Customer.objects.bulk_create(customers)
    phones, tags, grades = [], [], []
    for row, customer in zip(rows, customers, strict=True):
        phones.extend(CustomerPhone(customer_id=customer.pk, number=n, reversed_number=n[::-1], position=i)
                      for i, n in enumerate(row.phones))
        tags.extend(CustomerTag(customer_id=customer.pk, tag=t) for t in row.tags)
        grades.append(GradeChange(customer_id=customer.pk, at=now, by=by, from_grade="", to_grade=customer.grade,
                                  proposed=customer.grade_proposed, reason=row.grade_reason[:300],
                                  source=GradeChange.Source.IMPORT))
    CustomerPhone.objects.bulk_create(phones)
    CustomerTag.objects.bulk_create(tags)
    GradeChange.objects.bulk_create(grades)
    return customers


MERGE_FILLABLE = ("email", "birthday", "expected_close_date", "expected_amount", *EXTRA_FIELDS)


def merge_row(*, actor, customer_id: int, row: Row, job_id: int, today: dt.date) -> str | None:
    """Fill the existing customer's empty fields from the row and add its new phones and tags.
    Locks the customer, bumps its version and records the change. Ownership, need and deal status
    and the grade are not changed by a merge; when an expected close date is filled in and the grade
    followed the proposal, the grade follows the new proposal (as an edit would).

    Returns "merged", "unchanged" or raises NotAllowed when the caller may not change the customer."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if not can_act_on(actor, customer):
        raise NotAllowed(_("You may not change the existing customer “%(name)s” (#%(id)s).")
                         % {"name": customer.name, "id": customer.pk})
    before = snapshot(customer)
    values = {"email": row.email, "birthday": row.birthday, "expected_close_date": row.expected_close_date,
              "expected_amount": row.expected_amount, **row.extra}
    filled = []
    for name in MERGE_FILLABLE:
        new = values.get(name)
        if new in (None, ""):
            continue
        if getattr(customer, name) in (None, ""):
            setattr(customer, name, new)
            filled.append(name)
    existing_numbers = list(customer.phones.values_list("number", flat=True))
    new_numbers = [n for n in row.phones if n not in existing_numbers]
    existing_tags = set(customer.tags.values_list("tag", flat=True))
    new_tags = [t for t in row.tags if t not in existing_tags][:max(0, MAX_TAGS - len(existing_tags))]
    if not (filled or new_numbers or new_tags):
        return "unchanged"

    rules = load_rules(customer.shop.centre_id if customer.shop_id else None)
    if "expected_close_date" in filled:
        followed = customer.grade == customer.grade_proposed
        proposed = propose_grade(rules, need_status=customer.need_status,
                                 expected_close_date=customer.expected_close_date, today=today)
        customer.grade_proposed = proposed
        if followed and proposed != customer.grade:
            old = customer.grade
            customer.grade = proposed
            customer.grade_reason = ""
            customer.next_due = next_due(rules, last_contact=_last_contact_date(customer), grade=proposed)
            GradeChange.objects.create(customer=customer, at=timezone.now(), by=actor, from_grade=old,
                                       to_grade=proposed, proposed=proposed, reason="",
                                       source=GradeChange.Source.IMPORT)
    bump_version(customer)
    customer.save()
    CustomerPhone.objects.bulk_create([
        CustomerPhone(customer=customer, number=n, reversed_number=n[::-1], position=len(existing_numbers) + i)
        for i, n in enumerate(new_numbers)])
    CustomerTag.objects.bulk_create([CustomerTag(customer=customer, tag=t) for t in new_tags])
    b, a = changed(before, snapshot(customer))
    if new_numbers:
        a["phones_added"] = len(new_numbers)
    if new_tags:
        a["tags_added"] = new_tags
    record(actor=actor, action=Action.UPDATE, obj=customer, before=b, after=a, note=f"import #{job_id}: merged")
    return "merged"


# --- running -----------------------------------------------------------------------------------------
def _id_ranges(ids: list[int]) -> list[list[int]]:
    """[1, 2, 3, 7, 8] → [[1, 3], [7, 8]]: the created customers, compactly, for the audit event."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


class _Refused(Exception):
    pass


def _read(job: ImportJob, checker_factory, report: Report) -> tuple[list[Row], Checker]:
    """Find the header, then parse every data row (at most :data:`MAX_ROWS`)."""
    rows: list[Row] = []
    checker: Checker | None = None
    data_rows = 0
    for number, values in _file_rows(Path(job.file_path)):
        values = list(values or ())
        if checker is None:
            if number > HEADER_SEARCH_ROWS:
                break
            columns = _match_header(values, report)
            if columns is None:
                continue
            checker = checker_factory(columns)
            continue
        row = checker.parse(number, values)
        if row is None:
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise FileProblem(_("The file has more than %(n)s rows; split it into smaller files.") % {"n": f"{MAX_ROWS:,}"})
        rows.append(row)
    if checker is None:
        raise FileProblem(_("No 姓名 (name) column was found in the first rows. Use the template."))
    if not rows:
        raise FileProblem(_("The file has no customer rows."))
    return rows, checker


def _match_header(values: list[Any], report: Report) -> dict[str, tuple[int, str]] | None:
    """Column key → (index, header as written), when this row is the header (it names 姓名 / name)."""
    found: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    duplicate: list[str] = []
    for index, value in enumerate(values):
        header = _text(value)
        if not header:
            continue
        key = HEADER_LOOKUP.get(_norm_header(header))
        if key is None:
            if _norm_header(header) not in IGNORED_HEADERS:
                unknown.append(header)
        elif key in found:
            duplicate.append(header)
        else:
            found[key] = (index, header)
    if "name" not in found:
        return None
    if duplicate:
        raise FileProblem(_("The column “%(column)s” appears twice.") % {"column": duplicate[0]})
    for header in unknown:
        report.add(None, header, _("The column “%(column)s” is not known and was ignored.") % {"column": header}, NOTICE)
    return found


def run_import(job_id: int) -> ImportJob | None:
    """Run a queued import (the Huey task calls this). A job runs once: a second call does nothing."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.RUNNING):
        return None
    job = ImportJob.objects.select_related("created_by", "shop").get(pk=job_id)
    actor = job.created_by
    language = actor.language or settings.LANGUAGE_CODE
    with translation.override(language):
        progress = {"created_ids": []}
        try:
            _run(job, progress)
        except Exception as exc:  # noqa: BLE001 - any failure must end the job, visibly
            logger.exception("import job %s failed", job_id)
            _fail(job, progress, exc)
    return ImportJob.objects.get(pk=job_id)


def _finish(job: ImportJob, status: str, report: Report, message: str, **counts) -> None:
    job.status = status
    job.errors = report.sorted_entries()
    job.message = message[:500]
    job.finished_at = timezone.now()
    for name, value in counts.items():
        setattr(job, name, value)
    job.save()
    if status in {ImportJob.Status.DONE, ImportJob.Status.REFUSED}:
        Path(job.file_path).unlink(missing_ok=True)


def _refuse(job: ImportJob, report: Report, message: str) -> None:
    _finish(job, ImportJob.Status.REFUSED, report, message, processed_rows=job.total_rows)


def _run(job: ImportJob, progress: dict) -> None:
    actor = job.created_by
    report = Report()
    today = timezone.localdate()
    if not can_import(actor):
        report.add(None, "", _("Your role may not import customers."))
        return _refuse(job, report, _("Your role may not import customers."))
    if job.shop_id and not scope_for(actor).can_see_shop(job.shop_id):
        report.add(None, HEADERS["shop"], _("This shop is outside your scope."))
        return _refuse(job, report, _("This shop is outside your scope."))

    def make_checker(columns):
        if job.shop_id and "shop" in columns:
            report.add(None, columns["shop"][1], _("The shop column is not used: every row goes to the shop chosen "
                                                   "for the import (%(shop)s).") % {"shop": job.shop.code}, NOTICE)
        if not job.shop_id and "shop" not in columns:
            raise FileProblem(_("Choose a shop for the import, or add a 店铺代码 (shop code) column."))
        return Checker(actor=actor, job_shop=job.shop, columns=columns, report=report, today=today)

    try:
        rows, checker = _read(job, make_checker, report)
    except FileProblem as exc:
        report.add(None, "", str(exc))
        return _refuse(job, report, str(exc))
    job.total_rows = len(rows)
    job.save(update_fields=["total_rows"])

    checker.check_owners(rows)
    checker.check_in_file_duplicates(rows)
    valid = [r for r in rows if r.valid]
    matches = archive_matches(valid)
    names = _names(i for ids in matches.values() for i in ids)
    merge = job.on_duplicate == ImportJob.OnDuplicate.MERGE
    for row in valid:
        row.matches = matches.get(row.number, [])
        if not merge or not row.matches:
            continue
        if len(row.matches) > 1:
            checker.error(row, "phones" if row.phones else "email",
                          _("Matches several customers in the archive (%(ids)s); merge them by hand.")
                          % {"ids": ", ".join(f"#{i}" for i in row.matches)})
    if merge:
        _check_merge_rights(checker, [r for r in valid if r.valid and len(r.matches) == 1])

    if job.mode == ImportJob.Mode.ALL_OR_NOTHING and report.error_count:
        n = len(report.rows_with_errors)
        return _refuse(job, report, _("Nothing was imported: %(n)s rows have errors. Correct them and upload the file "
                                      "again, or choose to import only the valid rows.") % {"n": n})

    counts = {"processed_rows": 0, "created_count": 0, "merged_count": 0, "skipped_count": 0}
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start:start + BATCH_SIZE]
        with transaction.atomic():
            created_ids = _write_batch(job, batch, report, counts, names, today)
            counts["processed_rows"] += len(batch)
            ImportJob.objects.filter(pk=job.pk).update(**counts)
        progress["created_ids"].extend(created_ids)  # committed

    bad_rows = len(report.rows_with_errors)
    message = _("%(created)s created, %(merged)s merged, %(skipped)s skipped, %(bad)s rows with errors.") % {
        "created": counts["created_count"], "merged": counts["merged_count"], "skipped": counts["skipped_count"],
        "bad": bad_rows}
    if report.truncated:
        message += " " + _("The report lists the first %(n)s entries.") % {"n": MAX_REPORTED}
    _audit_summary(job, counts, progress, bad_rows, note="done")
    _finish(job, ImportJob.Status.DONE, report, message, **counts)


def _check_merge_rights(checker: Checker, rows: list[Row]) -> None:
    ids = sorted({r.matches[0] for r in rows})
    customers: dict[int, Customer] = {}
    for chunk in _chunks(ids, IN_CHUNK):
        customers.update((c.pk, c) for c in Customer.objects.filter(pk__in=chunk).only("id", "name", "shop_id", "owner_id"))
    for row in rows:
        customer = customers.get(row.matches[0])
        if customer is not None and not can_act_on(checker.actor, customer):
            checker.error(row, "phones" if row.phones else "email",
                          _("You may not change the existing customer “%(name)s” (#%(id)s).")
                          % {"name": customer.name, "id": customer.pk})


def _write_batch(job: ImportJob, batch: list[Row], report: Report, counts: dict, names: dict[int, str],
                 today: dt.date) -> list[int]:
    """One batch, inside its transaction. Archive duplicates are looked up again here, so a customer
    created by someone else since the check is not duplicated."""
    actor = job.created_by
    valid = [r for r in batch if r.valid]
    fresh = archive_matches(valid)
    unknown = {i for ids in fresh.values() for i in ids} - set(names)
    if unknown:
        names.update(_names(unknown))
    to_create: list[Row] = []
    for row in valid:
        ids = fresh.get(row.number, [])
        if not ids:
            to_create.append(row)
            continue
        first = ids[0]
        label = {"name": names.get(first, ""), "id": first}
        column = HEADERS["phones"] if row.phones else HEADERS["email"]
        if job.on_duplicate == ImportJob.OnDuplicate.SKIP:
            counts["skipped_count"] += 1
            report.add(row.number, column, _("Already in the archive as “%(name)s” (#%(id)s): skipped.") % label, NOTICE)
            continue
        if len(ids) > 1:
            report.add(row.number, column, _("Matches several customers in the archive (%(ids)s); merge them by hand.")
                       % {"ids": ", ".join(f"#{i}" for i in ids)})
            continue
        try:
            with transaction.atomic():
                outcome = merge_row(actor=actor, customer_id=first, row=row, job_id=job.pk, today=today)
        except NotAllowed as exc:
            report.add(row.number, column, str(exc.detail))
            continue
        if outcome == "merged":
            counts["merged_count"] += 1
            report.add(row.number, column, _("Merged into “%(name)s” (#%(id)s).") % label, NOTICE)
        else:
            counts["skipped_count"] += 1
            report.add(row.number, column, _("Already in the archive as “%(name)s” (#%(id)s); nothing new to merge.")
                       % label, NOTICE)
    created = bulk_create_rows(actor=actor, rows=to_create, now=timezone.now(), today=today)
    counts["created_count"] += len(created)
    return [c.pk for c in created]


def _audit_summary(job: ImportJob, counts: dict, progress: dict, bad_rows: int, *, note: str) -> None:
    record(actor=job.created_by, action=Action.CREATE, object_type="customers.importjob", object_id=job.pk,
           object_repr=job.file_name,
           after={"created": counts.get("created_count", 0), "merged": counts.get("merged_count", 0),
                  "skipped": counts.get("skipped_count", 0), "rows_with_errors": bad_rows,
                  "mode": job.mode, "on_duplicate": job.on_duplicate,
                  "customer_ids": _id_ranges(progress["created_ids"])},
           note=f"import {job.file_name}: {counts.get('created_count', 0)} created, "
                f"{counts.get('merged_count', 0)} merged, {counts.get('skipped_count', 0)} skipped ({note})")


def _fail(job: ImportJob, progress: dict, exc: Exception) -> None:
    created = len(progress["created_ids"])
    try:
        fresh = ImportJob.objects.get(pk=job.pk)
        if created:
            _audit_summary(fresh, {"created_count": fresh.created_count, "merged_count": fresh.merged_count,
                                   "skipped_count": fresh.skipped_count}, progress, 0, note=f"failed: {exc!r}"[:200])
        if created:
            message = _("The import stopped because of an unexpected error after %(n)s customers had been created; "
                        "they stay in the archive. Upload the file again with “skip duplicates” to import the rest.") \
                % {"n": created}
        else:
            message = _("The import stopped because of an unexpected error; nothing was imported.")
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, message=message[:500],
                                                   finished_at=timezone.now())
    except Exception:  # noqa: BLE001
        logger.exception("could not mark import job %s as failed", job.pk)


# --- files for people --------------------------------------------------------------------------------
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_template(user=None) -> bytes:
    """The import template: the 客户 sheet with the headers and one example row (skipped on import),
    and the 说明 sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "客户"
    sheet.append([c.header for c in COLUMNS])
    example = dict(EXAMPLE)
    if user is not None:
        shops = list(scope_for(user).shops().order_by("id").values_list("code", flat=True))
        example["shop"] = shops[0] if shops else example["shop"]
        example["owner"] = user.get_username()
    example["expected_close_date"] = _date(example["expected_close_date"])
    example["birthday"] = _date(example["birthday"])
    sheet.append([example[c.key] for c in COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        cell.fill = fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, min(40, len(column.header) * 3 + 4))
        if column.key in {"phones", "wechat", "owner", "shop", "tags"}:
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
        if column.key in {"expected_close_date", "birthday"}:
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    lists = {"need_status": "目标,潜在,死亡", "deal_status": "已成交,谈判中,潜在", "gender": "男,女", "grade": "A,B,C,D,E"}
    for key, options in lists.items():
        letter = get_column_letter(list(COLUMN_BY_KEY).index(key) + 1)
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)

    notes = workbook.create_sheet("说明")
    notes.append(["列名", "英文列名", "必填", "说明", "示例"])
    for cell in notes[1]:
        cell.font = bold
        cell.fill = fill
    for column in COLUMNS:
        value = example[column.key]
        notes.append([column.header, column.key, "是" if column.key == "name" else "",
                      column.help, value.isoformat() if isinstance(value, dt.date) else value])
    notes.append([])
    for line in (
        "第一行是列名，请勿修改；从第二行起每行一个客户。第二行是示例，导入时自动跳过，可删除。",
        "列名也可用英文列名（如 name、phones），导出的文件可直接再导入。",
        f"每个文件最多 {MAX_ROWS:,} 行、{MAX_UPLOAD_BYTES // (1024 * 1024)} MB；支持 .xlsx 和 CSV（UTF-8 或 GBK 编码）。",
        "导入方式：“全部无误才导入”时，只要有一行有错就什么都不写入，并列出所有错误；“只导入正确的行”时，正确的行导入，错误的行列出。",
        "重复：同一店铺中手机号或邮箱相同即为重复。可选择跳过，或合并（只补充已有客户的空白信息、添加新号码和标签）。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 22
    notes.column_dimensions["C"].width = 6
    notes.column_dimensions["D"].width = 80
    notes.column_dimensions["E"].width = 28
    for row in notes.iter_rows(min_row=2, max_col=5):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_report(job: ImportJob) -> bytes:
    """The job's row report as xlsx: row, column, reason, kind."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Import report")[:31])
    for letter, width in zip("ABCD", (8, 18, 80, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    header = []
    for title in (_("Row"), _("Column"), _("Reason"), _("Kind")):
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    kinds = {ERROR: _("Error"), NOTICE: _("Notice")}
    for entry in job.errors or []:
        values = [entry.get("row") or "", entry.get("column", ""), entry.get("message", ""),
                  kinds.get(entry.get("kind", ERROR), "")]
        sheet.append([_safe_cell(sheet, v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_cell(sheet, value):
    """Text that starts with "=" must stay text, not become a formula; control characters go."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
    return value
