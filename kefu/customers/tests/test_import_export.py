"""Import and export of customers in Excel and CSV (R-CUS-11; masking and audit of exports: R-CUS-1, R-AUD)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed
from kefu.core.testing import zh
from kefu.customers import exporting, importing, services
from kefu.customers.models import Customer, CustomerPhone, CustomerTag, GradeChange, ImportJob
from kefu.customers.selectors import CustomerFilters

H = importing.HEADERS  # key → Chinese header
XLSX = importing.XLSX_TYPE


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def xlsx_upload(header: list[str], rows: list[list], name: str = "customers.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def csv_upload(header: list[str], rows: list[list], *, encoding: str, name: str = "customers.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


@pytest.fixture
def do_import(django_capture_on_commit_callbacks):
    """Start an import and let it run (Huey is immediate under tests; it starts after the commit)."""

    def run(actor, upload, **kwargs) -> ImportJob:
        with django_capture_on_commit_callbacks(execute=True):
            job = importing.start_import(actor=actor, uploaded_file=upload, **kwargs)
        job.refresh_from_db()
        return job

    return run


def errors_of(job: ImportJob) -> set[tuple[int | None, str]]:
    return {(e["row"], e["column"]) for e in job.errors if e["kind"] == "error"}


def notices_of(job: ImportJob) -> list[dict]:
    return [e for e in job.errors if e["kind"] == "notice"]


MIXED_HEADER = [H["name"], H["phones"], H["email"], H["shop"], H["owner"], H["need_status"], H["deal_status"],
                H["expected_close_date"], H["expected_amount"], H["tags"]]


@pytest.fixture
def outside_shop(demo):
    from kefu.org.tests.factories import ShopFactory

    return ShopFactory(centre=demo.centre, code="douyin", name="抖音")  # no team serves it


def mixed_rows():
    return [
        ["王五", "13900000001", "wangwu@example.com", "tmall", "agent1", "目标", "谈判中", "2026-12-10", "1000", "家电；老客户"],  # 2 ok
        ["赵六", "12345", "", "tmall", "agent1", "潜在", "", "", "", ""],  # 3 bad phone
        ["钱七", "13900000003", "", "nosuch", "agent1", "潜在", "", "", "", ""],  # 4 unknown shop
        ["孙八", "13900000004", "", "douyin", "agent1", "潜在", "", "", "", ""],  # 5 shop outside scope
        ["李九", "13900000005", "", "tmall", "agent1", "目标", "", "2026-13-45", "", ""],  # 6 bad date
        ["周十", "13900000006", "", "tmall", "agent1", "目标", "", "", "-5", ""],  # 7 negative amount
        ["", "13900000007", "", "tmall", "agent1", "潜在", "", "", "", ""],  # 8 missing name
        ["吴一", "139-0000-0001", "", "tmall", "agent1", "潜在", "", "", "", ""],  # 9 same phone as row 2
        ["郑二", "13900000009", "", "jd", "", "target", "won", "2026/11/30", "¥2,500.50", "VIP, 回头客"],  # 10 ok
    ]


EXPECTED_MIXED_ERRORS = {(3, H["phones"]), (4, H["shop"]), (5, H["shop"]), (6, H["expected_close_date"]),
                         (7, H["expected_amount"]), (8, H["name"]), (9, H["phones"])}


def test_r_cus_11_all_mode_refuses_a_file_with_errors_and_reports_each(demo, outside_shop, do_import):
    before = Customer.objects.count()
    job = do_import(demo.users["agent1"], xlsx_upload(MIXED_HEADER, mixed_rows()), mode="all")
    assert job.status == ImportJob.Status.REFUSED
    assert Customer.objects.count() == before
    assert job.created_count == 0
    assert errors_of(job) == EXPECTED_MIXED_ERRORS
    assert job.total_rows == 9 and job.processed_rows == 9
    by_row = {e["row"]: e["message"] for e in job.errors if e["kind"] == "error"}
    assert "12345" in by_row[3]
    assert "nosuch" in by_row[4]
    assert zh("The phone number %(phone)s is already in row %(row)s.", phone="13900000001", row=2) == by_row[9]
    assert "7" in job.message  # seven rows have errors
    assert not AuditEvent.objects.filter(object_type="customers.importjob").exists()


def test_r_cus_11_valid_mode_imports_exactly_the_good_rows(demo, outside_shop, do_import, today):
    job = do_import(demo.users["agent1"], xlsx_upload(MIXED_HEADER, mixed_rows()), mode="valid")
    assert job.status == ImportJob.Status.DONE
    assert errors_of(job) == EXPECTED_MIXED_ERRORS
    assert job.created_count == 2
    assert job.processed_rows == job.total_rows == 9
    imported = {c.name: c for c in Customer.objects.filter(name__in=["王五", "郑二", "赵六", "吴一"])}
    assert set(imported) == {"王五", "郑二"}
    wang, zheng = imported["王五"], imported["郑二"]
    assert wang.shop == demo.shops["tmall"] and wang.owner == demo.users["agent1"]
    assert list(wang.phones.values_list("number", flat=True)) == ["13900000001"]
    assert sorted(wang.tags.values_list("tag", flat=True)) == ["家电", "老客户"]
    assert wang.grade == "A" and wang.expected_amount == Decimal("1000.00")
    assert wang.next_due == today + dt.timedelta(days=1)
    assert zheng.shop == demo.shops["jd"] and zheng.owner == demo.users["agent1"]  # empty owner: the importer
    assert zheng.expected_close_date == dt.date(2026, 11, 30) and zheng.deal_status == "won"
    assert zheng.expected_amount == Decimal("2500.50")
    assert sorted(zheng.tags.values_list("tag", flat=True)) == ["VIP", "回头客"]
    assert GradeChange.objects.filter(customer=wang, source=GradeChange.Source.IMPORT).count() == 1
    summary = AuditEvent.objects.get(object_type="customers.importjob", object_id=str(job.pk))
    assert summary.after["created"] == 2


def test_r_cus_11_owner_must_be_assignable_and_serve_the_shop(demo, do_import):
    from kefu.org.tests.factories import TeamFactory, UserFactory

    tmall_only = TeamFactory(department=demo.departments["客服部"], shops=[demo.shops["tmall"]])
    UserFactory(username="tmallagent", team=tmall_only, roles=["agent"])
    header = [H["name"], H["phones"], H["shop"], H["owner"]]
    rows = [["甲", "13900000011", "tmall", "agent2"],  # 2 ok for lead1
            ["乙", "13900000012", "tmall", "agent4"],  # 3 other team
            ["丙", "13900000013", "tmall", "nobody"],  # 4 unknown
            ["丁", "13900000014", "jd", "tmallagent"]]  # 5 head may assign, but tmallagent doesn't serve jd
    job = do_import(demo.users["lead1"], xlsx_upload(header, rows), mode="valid")
    assert errors_of(job) == {(3, H["owner"]), (4, H["owner"]), (5, H["owner"])}
    assert Customer.objects.get(name="甲").owner == demo.users["agent2"]
    job = do_import(demo.users["head1"], xlsx_upload(header, rows[3:]), mode="valid")
    assert errors_of(job) == {(2, H["owner"])}
    assert zh("%(person)s does not serve this shop.", person="").strip() in job.errors[0]["message"]
    job = do_import(demo.users["agent1"], xlsx_upload(header, rows[:1]), mode="valid")  # agents: own name only
    assert errors_of(job) == {(2, H["owner"])}


def test_r_cus_11_duplicates_in_the_archive_are_skipped(demo, make_customer, do_import):
    old = make_customer(name="老客户", phones=["13911112222"], email="old@example.com")
    header = [H["name"], H["phones"], H["email"], H["shop"], H["region"]]
    rows = [["老客户", "139 1111 2222", "", "tmall", "上海"],
            ["老客户2", "", "OLD@example.com", "tmall", ""],
            ["新客户", "13911113333", "", "tmall", ""],
            ["别店同号", "13911112222", "", "jd", ""]]  # another shop: not a duplicate
    job = do_import(demo.users["agent1"], xlsx_upload(header, rows), mode="all", on_duplicate="skip")
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.skipped_count, job.merged_count) == (2, 2, 0)
    assert [(n["row"], f"#{old.pk}" in n["message"]) for n in notices_of(job)] == [(2, True), (3, True)]
    old.refresh_from_db()
    assert old.region == "" and old.version == 1


def test_r_cus_11_duplicates_in_the_archive_are_merged(demo, make_customer, do_import):
    old = make_customer(name="老客户", phones=["13911112222"], email="old@example.com", region="", tags=["老"])
    other_team = make_customer(owner="agent4", name="别组的", phones=["13922223333"])
    header = [H["name"], H["phones"], H["email"], H["shop"], H["region"], H["tags"], H["expected_close_date"],
              H["need_status"]]
    rows = [["老客户", "13911112222；13944445555", "new@example.com", "tmall", "上海", "老；VIP", "2026-12-01", "目标"],
            ["别组的", "13922223333", "", "tmall", "北京", "", "", ""]]
    job = do_import(demo.users["agent1"], xlsx_upload(header, rows), mode="valid", on_duplicate="merge")
    assert job.merged_count == 1 and job.created_count == 0
    assert errors_of(job) == {(3, H["phones"])}  # agent1 may not change agent4's customer
    old.refresh_from_db()
    assert old.region == "上海"
    assert old.email == "old@example.com"  # filled fields are never overwritten
    assert old.need_status == "latent"  # nor need/deal status or grade, which always have a value
    assert old.expected_close_date == dt.date(2026, 12, 1)
    assert old.version == 2
    assert list(old.phones.values_list("number", flat=True)) == ["13911112222", "13944445555"]
    assert sorted(old.tags.values_list("tag", flat=True)) == ["VIP", "老"]
    change = AuditEvent.objects.get(action=AuditEvent.Action.UPDATE, object_type="customers.customer",
                                    object_id=str(old.pk))
    assert change.after["region"] == "上海" and change.after["phones_added"] == 1
    other_team.refresh_from_db()
    assert other_team.region == "" and other_team.version == 1
    # all mode: the same refusal writes nothing
    job = do_import(demo.users["agent1"], xlsx_upload(header, rows), mode="all", on_duplicate="merge")
    assert job.status == ImportJob.Status.REFUSED


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_r_cus_11_csv_in_gbk_and_utf8(demo, do_import, encoding):
    header = [H["name"], H["phones"], H["shop"], H["need_status"], H["region"], H["gender"], H["birthday"]]
    rows = [["张三丰", "13800001111", "tmall", "目标", "湖北武当山", "男", "1990/5/1"],
            ["李莫愁", "13800002222", "tmall", "死亡", "终南山", "女", ""]]
    job = do_import(demo.users["agent1"], csv_upload(header, rows, encoding=encoding), shop=None)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.created_count == 2
    zhang = Customer.objects.get(name="张三丰")
    assert zhang.region == "湖北武当山" and zhang.gender == "m" and zhang.birthday == dt.date(1990, 5, 1)
    assert zhang.name_initials == "zsf"
    assert Customer.objects.get(name="李莫愁").grade == "E"


@time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_r_cus_11_english_keys_excel_dates_and_number_phones(demo, do_import):
    """2027-01-05 is 1–3 months after the fixed clock, so grade B needs no reason."""
    header = ["name", "phones", "need_status", "expected_close_date", "expected_amount", "grade", "grade_reason"]
    rows = [["Alice", 13800003333, "target", dt.datetime(2027, 1, 5), 12000, "B", ""],
            ["Bob", 13800004444.0, "latent", None, None, "A", "老板亲自谈"]]
    job = do_import(demo.users["agent1"], xlsx_upload(header, rows), shop=demo.shops["pdd"])
    assert job.status == ImportJob.Status.DONE, job.errors
    alice = Customer.objects.get(name="Alice")
    assert alice.shop.code == "pdd"
    assert alice.expected_close_date == dt.date(2027, 1, 5) and alice.grade == "B" and alice.grade_proposed == "B"
    assert list(alice.phones.values_list("number", flat=True)) == ["13800003333"]
    bob = Customer.objects.get(name="Bob")
    assert (bob.grade, bob.grade_proposed, bob.grade_reason) == ("A", "D", "老板亲自谈")


def test_r_cus_11_grade_override_needs_a_reason(demo, do_import):
    header = [H["name"], H["phones"], H["grade"], H["grade_reason"]]
    job = do_import(demo.users["agent1"], xlsx_upload(header, [["甲", "13800005555", "A", ""]]),
                    shop=demo.shops["tmall"])
    assert errors_of(job) == {(2, H["grade_reason"])}


def test_r_cus_11_chosen_shop_overrides_the_column_and_template_example_is_skipped(demo, do_import):
    header = [c.header for c in importing.COLUMNS]
    example = [importing.EXAMPLE[c.key] for c in importing.COLUMNS]
    row = ["甲", "13800006666"] + [""] * (len(header) - 2)
    job = do_import(demo.users["agent1"], xlsx_upload(header + ["客户编号", "未知列"], [example, row + [1, "x"]]),
                    shop=demo.shops["jd"])
    assert job.status == ImportJob.Status.DONE and job.created_count == 1
    assert Customer.objects.get(name="甲").shop.code == "jd"
    messages = [n["message"] for n in notices_of(job)]
    assert zh("The template's example row was skipped.") in messages
    assert any("jd" in m for m in messages)  # the shop column is not used
    assert any("未知列" in m for m in messages)  # unknown columns are named; export-only ones are not
    assert not any("客户编号" in m for m in messages)


def test_r_cus_11_file_level_problems(demo, do_import, monkeypatch):
    job = do_import(demo.users["agent1"], xlsx_upload(["foo", "bar"], [["1", "2"]]), shop=demo.shops["tmall"])
    assert job.status == ImportJob.Status.REFUSED and "姓名" in job.message
    job = do_import(demo.users["agent1"], xlsx_upload([H["name"], H["phones"]], [["甲", "13800007777"]]))
    assert job.status == ImportJob.Status.REFUSED and "店铺代码" in job.message  # no shop anywhere
    job = do_import(demo.users["agent1"], SimpleUploadedFile("x.xlsx", b"not a zip"), shop=demo.shops["tmall"])
    assert job.status == ImportJob.Status.REFUSED and ".xlsx" in job.message
    monkeypatch.setattr(importing, "MAX_ROWS", 2)
    rows = [[f"客户{i}", f"1380000{i:04d}"] for i in range(3)]
    job = do_import(demo.users["agent1"], xlsx_upload([H["name"], H["phones"]], rows), shop=demo.shops["tmall"])
    assert job.status == ImportJob.Status.REFUSED and job.message == zh("The file has more than %(n)s rows; split it into smaller files.", n=2)
    assert not Customer.objects.filter(name__startswith="客户").exists()
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(InvalidInput) as exc:
        importing.start_import(actor=demo.users["agent1"], uploaded_file=xlsx_upload(["name"], [["x"]]))
    assert exc.value.errors[0].field == "file"
    with pytest.raises(InvalidInput):
        importing.start_import(actor=demo.users["agent1"], uploaded_file=SimpleUploadedFile("old.xls", b"x"))
    with pytest.raises(NotAllowed):
        importing.start_import(actor=demo.users["qa1"], uploaded_file=xlsx_upload(["name"], [["x"]]))


def test_r_cus_11_progress_moves_batch_by_batch_and_ends_at_total(demo, do_import, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    seen = []
    original = importing._write_batch

    def spy(job, *args, **kwargs):
        seen.append(ImportJob.objects.get(pk=job.pk).processed_rows)
        return original(job, *args, **kwargs)

    monkeypatch.setattr(importing, "_write_batch", spy)
    rows = [[f"客户{i}", f"1380000{i:04d}"] for i in range(5)]
    job = do_import(demo.users["agent1"], xlsx_upload([H["name"], H["phones"]], rows), shop=demo.shops["tmall"])
    assert seen == [0, 2, 4]
    assert job.status == ImportJob.Status.DONE
    assert job.processed_rows == job.total_rows == 5 and job.created_count == 5 and job.progress_pct == 100
    assert job.finished_at is not None


@time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_r_cus_11_bulk_path_equals_the_service_path(demo, do_import):
    """A row imported in bulk has the same values as the same row created by services.create_customer.
    The clock is fixed: 2027-03-01 is then between 3 and 6 months away, so the proposed grade is C."""
    header = [c.header for c in importing.COLUMNS]
    values = {"name": " 欧阳娜娜 ", "phones": "13800008888；010-65529988", "email": "Nana@Example.com",
              "shop": "tmall", "owner": "agent2", "need_status": "目标", "deal_status": "谈判中",
              "expected_close_date": "2027-03-01", "expected_amount": "88000", "birthday": "1995-02-03",
              "gender": "女", "region": "台北", "occupation": "演员", "source_channel": "抖音", "wechat": "nana",
              "address": "某路 1 号", "tags": "明星；大提琴", "preferences": "下午联系", "notes": "备注一",
              "grade": "B", "grade_reason": "已见面"}
    job = do_import(demo.users["lead1"], xlsx_upload(header, [[values[c.key] for c in importing.COLUMNS]]))
    assert job.status == ImportJob.Status.DONE, job.errors
    bulk = Customer.objects.get(name="欧阳娜娜")

    checker = importing.Checker(actor=demo.users["lead1"], job_shop=demo.shops["pdd"],
                                columns={c.key: (i, c.header) for i, c in enumerate(importing.COLUMNS)},
                                report=importing.Report(), today=bulk.countdown_from)
    row = checker.parse(2, [values[c.key] for c in importing.COLUMNS])
    checker.check_owners([row])
    assert row.valid
    service = services.create_customer(actor=demo.users["lead1"], source=GradeChange.Source.IMPORT, **row.kwargs())

    skip = {"id", "shop", "created_at", "updated_at", "owner_since"}
    for field in Customer._meta.concrete_fields:
        if field.name not in skip:
            assert getattr(bulk, field.attname) == getattr(service, field.attname), field.name

    def phones(c):
        return list(CustomerPhone.objects.filter(customer=c).values_list("number", "reversed_number", "position"))

    def tags(c):
        return sorted(CustomerTag.objects.filter(customer=c).values_list("tag", flat=True))

    def grades(c):
        return list(GradeChange.objects.filter(customer=c).values_list(
            "by", "from_grade", "to_grade", "proposed", "reason", "source"))

    assert phones(bulk) == phones(service) == [("13800008888", "88880000831", 0), ("01065529988", "88992556010", 1)]
    assert tags(bulk) == tags(service) == ["大提琴", "明星"]
    assert grades(bulk) == grades(service)
    assert bulk.email == "nana@example.com" and bulk.name_pinyin == "ouyangnana" and bulk.grade_proposed == "C"


# --- export ----------------------------------------------------------------------------------------
def _read_xlsx(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_r_cus_11_export_masks_phones_for_an_agent_not_for_the_head_and_is_audited(demo, make_customer, clients):
    make_customer(name="甲", phones=["13812345678"], shop="tmall")
    response = clients("agent").get(reverse("customers:export"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    rows = _read_xlsx(b"".join(response.streaming_content))
    assert rows[0][H["phones"]] == "138****5678"
    assert rows[0][H["shop"]] == "tmall" and rows[0][H["owner"]] == "agent1"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
    assert event.actor == demo.users["agent1"] and event.object_type == "customers.customer"
    assert event.note.startswith("1 rows") and event.after["phones"] == "masked"

    response = clients("head").get(reverse("customers:export"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "13812345678" in text and "138****5678" not in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=demo.users["head1"]).exists()


def test_r_cus_11_export_respects_scope_and_filters(demo, make_customer, clients):
    from django.test import Client

    from kefu.org.tests.factories import TeamFactory, UserFactory

    make_customer(name="天猫客户", phones=["13811110001"], shop="tmall", need_status="target",
                  expected_close_date=dt.date(2026, 12, 1))
    make_customer(name="京东客户", phones=["13811110002"], shop="jd")
    team = TeamFactory(department=demo.departments["客服部"], shops=[demo.shops["tmall"]])
    outsider = UserFactory(team=team, roles=["agent"])
    client = Client()
    client.force_login(outsider)
    names = [r[H["name"]] for r in _read_xlsx(b"".join(client.get(reverse("customers:export")).streaming_content))]
    assert names == ["天猫客户"]

    head = clients("head")
    all_names = {r[H["name"]] for r in _read_xlsx(b"".join(head.get(reverse("customers:export")).streaming_content))}
    assert {"天猫客户", "京东客户"} <= all_names
    filtered = _read_xlsx(b"".join(head.get(reverse("customers:export"), {"shop": "jd"}).streaming_content))
    assert [r[H["name"]] for r in filtered] == ["京东客户"]
    graded = _read_xlsx(b"".join(head.get(reverse("customers:export"), {"grade": "A"}).streaming_content))
    assert [r[H["name"]] for r in graded] == ["天猫客户"]
    assert head.get(reverse("customers:export"), {"shop": "nosuch"}).status_code == 400  # never widened


def test_r_cus_11_xlsx_round_trip_into_another_shop(demo, make_customer, do_import):
    make_customer(name="甲", phones=["13800000001", "02112345678"], email="a@example.com", tags=["老客户", "家电"],
                  need_status="target", expected_close_date=dt.date(2027, 2, 1), expected_amount=Decimal("1234.50"),
                  birthday=dt.date(1988, 8, 8), gender="f", region="上海", notes="=1+1 不是公式")
    make_customer(owner="agent2", actor="lead1", name="乙", phones=["13800000002"], grade="A", grade_reason="熟客")
    content = exporting.export_bytes(actor=demo.users["head1"], filters=CustomerFilters(shop="tmall"))
    job = do_import(demo.users["head1"], SimpleUploadedFile("export.xlsx", content), shop=demo.shops["jd"])
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.created_count == 2
    fields = ["name", "email", "need_status", "deal_status", "expected_close_date", "expected_amount", "birthday",
              "gender", "region", "notes", "grade", "grade_proposed", "grade_reason", "owner_id", "next_due"]
    for original in Customer.objects.filter(shop=demo.shops["tmall"]):
        copy = Customer.objects.get(shop=demo.shops["jd"], name=original.name)
        assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields]
        assert list(copy.phones.values_list("number", flat=True)) == list(original.phones.values_list("number", flat=True))
        assert sorted(copy.tags.values_list("tag", flat=True)) == sorted(original.tags.values_list("tag", flat=True))
    # the same export as CSV imports too, and a masked export cannot be imported by mistake
    content = exporting.export_bytes(actor=demo.users["head1"], filters=CustomerFilters(shop="tmall"), fmt="csv")
    job = do_import(demo.users["head1"], SimpleUploadedFile("export.csv", content), shop=demo.shops["pdd"])
    assert job.status == ImportJob.Status.DONE and job.created_count == 2
    assert Customer.objects.get(shop=demo.shops["pdd"], name="甲").notes == "=1+1 不是公式"
    masked = exporting.export_bytes(actor=demo.users["agent1"], filters=CustomerFilters(shop="tmall"))
    job = do_import(demo.users["agent1"], SimpleUploadedFile("masked.xlsx", masked), shop=demo.shops["jd"])
    assert job.status == ImportJob.Status.REFUSED
    assert {e["row"] for e in job.errors if e["column"] == H["phones"] and zh("“%(phone)s” is masked; enter the full number.", phone="").split("”")[-1] in e["message"]} == {2, 3}


def test_r_cus_11_export_has_no_n_plus_one(demo, make_customer, django_assert_max_num_queries):
    for i in range(30):
        make_customer(name=f"客户{i}", phones=[f"1390000{i:04d}", f"1370000{i:04d}"], tags=["a", "b"])
    with django_assert_max_num_queries(15):
        exporting.export_bytes(actor=demo.users["head1"], filters=CustomerFilters())


# --- pages -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("qa", 403), ("agent", 200), ("lead", 200),
                                              ("head", 200), ("director", 200), ("admin", 200)])
def test_r_cus_11_import_page_role_matrix(clients, role, status):
    response = clients(role).get(reverse("customers:import"))
    assert response.status_code == status
    if role == "anonymous":
        assert "/login" in response["Location"]
    if status == 200:
        assert b'enctype="multipart/form-data"' in response.content
        assert reverse("customers:import_template").encode() in response.content


def test_r_cus_11_template_download(demo, clients, do_import):
    response = clients("agent").get(reverse("customers:import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["客户", "说明"]
    sheet = workbook["客户"]
    assert [c.value for c in sheet[1]] == [c.header for c in importing.COLUMNS]
    assert sheet.cell(row=2, column=1).value == importing.EXAMPLE["name"]
    assert [r[0].value for r in workbook["说明"].iter_rows(min_row=2, max_row=len(importing.COLUMNS) + 1)] \
        == [c.header for c in importing.COLUMNS]
    assert clients("qa").get(reverse("customers:import_template")).status_code == 403
    # the untouched template imports nothing
    job = do_import(demo.users["agent1"], SimpleUploadedFile("t.xlsx", response.content))
    assert job.status == ImportJob.Status.REFUSED and job.created_count == 0


def test_r_cus_11_upload_page_runs_the_job_and_status_page_polls(demo, clients, django_capture_on_commit_callbacks):
    client = clients("agent")
    upload = xlsx_upload([H["name"], H["phones"], H["shop"]], [["甲", "13800009999", "tmall"], ["乙", "bad", "tmall"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:import"), {"file": upload, "shop": "", "mode": "valid",
                                                             "on_duplicate": "skip"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("customers:import_status", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-status="done"' in html and "every 1s" not in html
    assert "bad" in html and H["phones"] in html
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="import-progress"' in partial.content
    report = client.get(response["Location"], {"download": "xlsx"})
    rows = list(load_workbook(io.BytesIO(report.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == (3, H["phones"])
    # while a job runs the fragment polls every second
    running = ImportJob.objects.create(created_by=demo.users["agent1"], file_name="x.xlsx", file_path="/nonexistent",
                                       status=ImportJob.Status.RUNNING, total_rows=10, processed_rows=4)
    fragment = client.get(reverse("customers:import_status", args=[running.pk]), HTTP_HX_REQUEST="true").content
    assert b'hx-trigger="every 1s"' in fragment and b"4 / 10" in fragment
    # someone else's job is not found; a POST with errors shows the form again
    assert clients("head").get(reverse("customers:import_status", args=[job.pk])).status_code == 200
    assert clients("agent").get(reverse("customers:import_status", args=[job.pk])).status_code == 200
    other = ImportJob.objects.create(created_by=demo.users["agent4"], file_name="y.xlsx", file_path="/nonexistent")
    assert client.get(reverse("customers:import_status", args=[other.pk])).status_code == 404
    response = client.post(reverse("customers:import"), {"file": SimpleUploadedFile("a.xls", b"x"), "mode": "all",
                                                         "on_duplicate": "skip"})
    assert response.status_code == 200 and ".xls" in response.content.decode()


# --- API -------------------------------------------------------------------------------------------
API = "/api/v1/customers/io"


def test_r_cus_11_api_upload_returns_202_and_the_job(demo, clients, django_capture_on_commit_callbacks):
    client = clients("agent")
    upload = xlsx_upload([H["name"], H["phones"]], [["甲", "13800001234"], ["乙", "x"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/jobs", {"file": upload, "shop": "tmall", "mode": "all"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["shop"] == "tmall" and body["mode"] == "all"
    job = client.get(f"{API}/jobs/{body['id']}").json()
    assert job["status"] == "refused" and job["processed_rows"] == job["total_rows"] == 2
    assert job["error_count"] == 1
    assert job["errors"] == [{"row": 3, "column": H["phones"], "message": job["errors"][0]["message"], "kind": "error"}]
    assert client.get(f"{API}/jobs").json()["count"] == 1
    assert client.get(f"{API}/jobs/{body['id']}/report").status_code == 200
    assert client.get(f"{API}/template").status_code == 200
    assert clients("qa").post(f"{API}/jobs", {"file": xlsx_upload(["name"], [["x"]])}).status_code == 403
    assert clients("head").get(f"{API}/jobs/{body['id']}").status_code == 200
    assert clients("lead").get(f"{API}/jobs/999999").status_code == 404


def test_r_cus_11_api_export(demo, make_customer, clients):
    make_customer(name="甲", phones=["13812345678"])
    response = clients("agent").get(f"{API}/export", {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "138****5678" in text and text.splitlines()[0].startswith("客户编号,姓名,手机号")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=demo.users["agent1"]).exists()


def test_r_cus_11_xlsx_cells_typed_as_numbers_and_dates(demo, do_import):
    """Excel stores a phone typed without quotes as a number and a birthday as a date: both are read as
    the person meant them (13800138000, not 13800138000.0)."""
    rows = [["数字号码", 13800138000, dt.datetime(1990, 5, 1), 1999.5]]
    job = do_import(demo.users["agent1"], xlsx_upload([H["name"], H["phones"], H["birthday"],
                                                       H["expected_amount"]], rows), shop=demo.shops["tmall"])
    assert job.status == ImportJob.Status.DONE, job.errors
    customer = Customer.objects.get(name="数字号码")
    assert list(customer.phones.values_list("number", flat=True)) == ["13800138000"]
    assert customer.birthday == dt.date(1990, 5, 1)
    assert customer.expected_amount == Decimal("1999.50")
