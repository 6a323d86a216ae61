"""Numbers that must fit their column (R-ERR, R-CUS-1, R-CUS-11; issue 8): one check for the API, the
pages and the import; CHECK constraints behind it; a refused request changes nothing.

Before: ``expected_amount: 70830737566141448`` answered 500 *and* stored the row, after which the
customer's detail, every list and search holding it and the whole export answered 500.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse
from openpyxl import Workbook

from kefu.audit.models import AuditEvent
from kefu.core.numbers import (
    NumberProblem,
    clean_decimal,
    clean_integer,
    clean_integer_for,
    decimal_limit,
    ids_in_range,
)
from kefu.core.testing import zh
from kefu.customers import importing
from kefu.customers.models import Customer, CustomerPhone, GradeChange, Order
from kefu.customers.validation import clean_expected_amount, expected_amount_max

pytestmark = pytest.mark.django_db

HUGE = 70830737566141448
TOP = "999999999999.99"  # DecimalField(max_digits=14, decimal_places=2)
NEXT = "1000000000000.00"


def post_json(client, path: str, body) -> object:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/v1{path}", data, content_type="application/json")


def patch_json(client, path: str, body) -> object:
    return client.patch(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def counts() -> tuple[int, ...]:
    return (Customer.objects.count(), CustomerPhone.objects.count(), GradeChange.objects.count(),
            AuditEvent.objects.count())


def field_errors(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.fixture
def agent(clients):
    return clients("agent")  # logging in is audited: make the client before counting rows


def new_customer(amount) -> dict:
    return {"name": "巨额客户", "shop": "tmall", "phones": ["13311112222"], "expected_amount": amount}


# -- the reproductions of the issue --------------------------------------------------------------------


def test_r_err_a_huge_expected_amount_is_refused_with_422_and_nothing_is_written(agent):
    before = counts()
    response = post_json(agent, "/customers", new_customer(HUGE))
    assert response.status_code == 422, response.content
    assert field_errors(response) == {"expected_amount": zh("Must be at most %(le)s.", le=TOP)}
    assert response.json()["detail"] == zh("The customer could not be created.")
    assert counts() == before
    # and everything that reads customers keeps answering
    assert agent.get("/api/v1/customers").status_code == 200
    assert agent.get("/api/v1/customers", {"q": "巨额"}).json()["count"] == 0
    assert agent.get("/api/v1/customers/io/export", {"format": "csv"}).status_code == 200


def test_r_err_patch_with_1_79e308_is_refused_and_changes_nothing(agent, make_customer):
    customer = make_customer(expected_amount=Decimal("50000"))
    before = counts()
    response = patch_json(agent, f"/customers/{customer.pk}", {"version": customer.version, "expected_amount": 1.79e308})
    assert response.status_code == 422, response.content
    assert set(field_errors(response)) == {"expected_amount"}
    assert counts() == before
    customer.refresh_from_db()
    assert customer.expected_amount == Decimal("50000.00") and customer.version == 1
    assert agent.get(f"/api/v1/customers/{customer.pk}").json()["expected_amount"] == "50000.00"
    assert agent.get(f"/api/v1/customers/{customer.pk}/timeline").status_code == 200


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", '"NaN"', '"inf"', '"-Infinity"', "1.79e308",
                                 "-1.79e308", '"1e400"'])
def test_r_err_nan_infinity_and_overflow_are_refused_naming_the_field(agent, raw):
    """Python's JSON reader accepts the literals NaN and Infinity; they reach the same check."""
    before = counts()
    body = '{"name": "客户", "shop": "tmall", "phones": ["13311112222"], "expected_amount": ' + raw + "}"
    response = post_json(agent, "/customers", body)
    assert response.status_code == 422, response.content
    assert set(field_errors(response)) == {"expected_amount"}
    assert counts() == before


def test_r_err_nan_is_refused_in_chinese(agent):
    response = post_json(agent, "/customers", '{"name": "客户", "shop": "tmall", "expected_amount": NaN}')
    assert field_errors(response) == {"expected_amount": zh("Enter a finite number (not NaN or infinity).")}


@pytest.mark.parametrize("raw", ["true", "[1]", '{"a": 1}', '"12元3"'])
def test_r_err_an_amount_that_is_no_number_is_refused_in_chinese(agent, raw):
    body = '{"name": "客户", "shop": "tmall", "expected_amount": ' + raw + "}"
    response = post_json(agent, "/customers", body)
    assert response.status_code == 422
    assert field_errors(response) == {"expected_amount": zh("Enter a number.")}
    assert not Customer.objects.exists()


# -- the boundary: what fits the column is accepted, the next value refused -----------------------------


def test_r_err_the_largest_amount_the_column_holds_is_accepted_and_reads_back_everywhere(agent):
    response = post_json(agent, "/customers", new_customer(TOP))
    assert response.status_code == 201, response.content
    assert response.json()["expected_amount"] == TOP
    pk = response.json()["id"]
    assert agent.get(f"/api/v1/customers/{pk}").json()["expected_amount"] == TOP
    assert agent.get("/api/v1/customers").json()["items"][0]["expected_amount"] == TOP
    export = agent.get("/api/v1/customers/io/export", {"format": "csv"})
    assert export.status_code == 200 and "巨额客户" in b"".join(export.streaming_content).decode("utf-8-sig")
    assert agent.get("/api/v1/customers/io/export", {"format": "xlsx"}).status_code == 200


def test_r_err_one_cent_more_than_the_column_holds_is_refused(agent, make_customer):
    response = post_json(agent, "/customers", new_customer(NEXT))
    assert response.status_code == 422
    assert not Customer.objects.exists()
    customer = make_customer(expected_amount=Decimal(TOP))
    response = patch_json(agent, f"/customers/{customer.pk}", {"version": 1, "expected_amount": NEXT})
    assert response.status_code == 422
    customer.refresh_from_db()
    assert customer.expected_amount == Decimal(TOP) and customer.version == 1


def test_r_err_amount_at_zero_is_accepted_one_cent_below_is_refused(agent):
    response = post_json(agent, "/customers", new_customer("-0.01"))
    assert response.status_code == 422
    assert field_errors(response) == {"expected_amount": zh("The amount cannot be negative.")}
    response = post_json(agent, "/customers", new_customer(0))
    assert response.status_code == 201 and response.json()["expected_amount"] == "0.00"


def test_r_err_amount_has_at_most_two_decimal_places(agent):
    response = post_json(agent, "/customers", new_customer("1.005"))
    assert response.status_code == 422
    assert field_errors(response) == {"expected_amount": zh("Use at most %(places)s decimal places.", places=2)}
    response = post_json(agent, "/customers", new_customer(0.1))  # a JSON float that means 0.10
    assert response.status_code == 201 and response.json()["expected_amount"] == "0.10"


def test_r_err_patch_can_empty_the_amount(agent, make_customer):
    customer = make_customer(expected_amount=Decimal("10"))
    response = patch_json(agent, f"/customers/{customer.pk}", {"version": 1, "expected_amount": None})
    assert response.status_code == 200 and response.json()["expected_amount"] is None


# -- the same check on the pages and in the import -------------------------------------------------------


def test_r_err_the_customer_form_refuses_a_huge_amount_with_the_same_message(demo, clients):
    client = clients("agent")
    before = counts()
    response = client.post(reverse("customers:create"), {
        "name": "巨额客户", "phones": "13311112222", "shop": "tmall", "need_status": "latent",
        "deal_status": "prospect", "expected_amount": str(HUGE)})
    assert response.status_code == 200
    assert response.context["form"].errors["expected_amount"] == [zh("Must be at most %(le)s.", le=TOP)]
    assert counts() == before
    response = client.post(reverse("customers:create"), {
        "name": "巨额客户", "phones": "13311112222", "shop": "tmall", "need_status": "latent",
        "deal_status": "prospect", "expected_amount": TOP})
    assert response.status_code == 302
    assert Customer.objects.get().expected_amount == Decimal(TOP)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e400", "-1", "1.005"])
def test_r_err_the_edit_form_refuses_what_the_api_refuses(demo, clients, make_customer, raw):
    customer = make_customer(expected_amount=Decimal("5"))
    response = clients("agent").post(reverse("customers:edit", args=[customer.pk]), {
        "name": customer.name, "need_status": "latent", "deal_status": "prospect", "expected_amount": raw,
        "version": 1})
    assert response.status_code == 200
    assert "expected_amount" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.expected_amount == Decimal("5.00") and customer.version == 1


@pytest.fixture
def run_import(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DATA_DIR = tmp_path

    def run(actor, amounts: list):
        workbook = Workbook()
        sheet = workbook.active
        sheet.append([importing.HEADERS["name"], importing.HEADERS["phones"], importing.HEADERS["shop"],
                      importing.HEADERS["expected_amount"]])
        for i, amount in enumerate(amounts):
            sheet.append([f"导入{i}", f"1391234{i:04d}", "tmall", amount])
        buffer = io.BytesIO()
        workbook.save(buffer)
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("c.xlsx", buffer.getvalue(), content_type=importing.XLSX_TYPE)
        with django_capture_on_commit_callbacks(execute=True):
            job = importing.start_import(actor=actor, uploaded_file=upload, mode="valid")
        job.refresh_from_db()
        return job

    return run


def test_r_cus_11_the_import_uses_the_same_check(demo, run_import):
    job = run_import(demo.users["agent1"], [HUGE, float(TOP), 1.79e308, "¥1,000.50", -1, "NaN"])
    errors = {e["row"]: e["message"] for e in job.errors if e["kind"] == "error"}
    assert errors == {
        2: zh("Must be at most %(le)s.", le=TOP),
        4: zh("Must be at most %(le)s.", le=TOP),
        6: zh("The amount cannot be negative."),
        7: zh("Enter a finite number (not NaN or infinity)."),
    }
    assert sorted(Customer.objects.values_list("expected_amount", flat=True)) == [Decimal("1000.50"), Decimal(TOP)]


# -- the database refuses what slips past (on SQLite too) -------------------------------------------------


# SQLite: the CHECK refuses (IntegrityError). PostgreSQL's numeric(14,2) refuses a too-wide value itself
# (DataError) before the CHECK is asked; a negative one meets the CHECK there too.
REFUSED = IntegrityError if connection.vendor == "sqlite" else (IntegrityError, DataError)


@pytest.mark.parametrize("value", [Decimal(HUGE), Decimal(NEXT), Decimal("-0.01")])
def test_r_err_a_check_constraint_refuses_an_unreadable_expected_amount(make_customer, value):
    customer = make_customer()
    with pytest.raises(REFUSED), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(expected_amount=value)
    Customer.objects.filter(pk=customer.pk).update(expected_amount=Decimal(TOP))  # the boundary fits
    assert Customer.objects.get(pk=customer.pk).expected_amount == Decimal(TOP)


@pytest.mark.parametrize("value", ["NaN", "Infinity", 1.79e308, HUGE])
def test_r_err_a_check_constraint_refuses_nan_infinity_and_overflow_written_in_sql(make_customer, value):
    """Django refuses NaN for a DecimalField itself; SQL written by hand meets the CHECK (on PostgreSQL
    numeric(14,2) may refuse first, with a DataError)."""
    customer = make_customer(expected_amount=Decimal("5"))
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET expected_amount = %s WHERE id = %s", [value, customer.pk])
    assert Customer.objects.get(pk=customer.pk).expected_amount == Decimal("5.00")


def test_r_err_a_check_constraint_refuses_an_order_amount_beyond_its_column(make_customer):
    customer = make_customer()
    for value in (Decimal(HUGE), Decimal(NEXT), -Decimal(NEXT)):
        with pytest.raises(REFUSED), transaction.atomic():
            Order.objects.create(customer=customer, shop=customer.shop, date="2026-01-01", amount=value)
    Order.objects.create(customer=customer, shop=customer.shop, date="2026-01-01", amount=-Decimal(TOP))  # a refund
    Order.objects.create(customer=customer, shop=customer.shop, date="2026-01-01", amount=Decimal(TOP))
    assert Order.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's numeric(14,2) cannot hold such a row")
def test_r_err_the_migration_empties_amounts_written_before_the_check(make_customer):
    """Rows the API stored before the fix (unreadable: every read failed) lose only that amount."""
    from importlib import import_module

    from django.apps import apps

    repair = import_module("kefu.customers.migrations.0003_empty_unreadable_amounts").empty_unreadable_amounts
    bad, good = make_customer(), make_customer(expected_amount=Decimal("5"))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        try:
            cursor.execute("UPDATE customers_customer SET expected_amount = %s WHERE id = %s", [HUGE, bad.pk])
        finally:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    repair(apps, None)
    assert Customer.objects.get(pk=bad.pk).expected_amount is None
    assert Customer.objects.get(pk=good.pk).expected_amount == Decimal("5.00")


# -- ids: any integer the API takes answers, never 500 ----------------------------------------------------


BIGINT_MAX = 2**63 - 1  # the id column's largest value


@pytest.mark.parametrize("path", ["/customers/{id}", "/customers/{id}/timeline"])
def test_r_err_a_customer_id_beyond_the_column_is_422_naming_it_the_largest_is_404(clients, path):
    lead = clients("lead")
    response = lead.get("/api/v1" + path.format(id=BIGINT_MAX + 1))
    assert response.status_code == 422 and set(field_errors(response)) == {"customer_id"}
    assert lead.get("/api/v1" + path.format(id=BIGINT_MAX)).status_code == 404


def test_r_err_reassigning_an_id_beyond_the_column_is_refused_and_changes_nothing(clients, make_customer):
    customer = make_customer()
    lead = clients("lead")
    before = counts()
    response = post_json(lead, "/customers/reassign",
                         {"customer_ids": [customer.pk, BIGINT_MAX + 1], "owner": "agent2"})
    assert response.status_code == 422 and set(field_errors(response)) == {"customer_ids.1"}
    response = post_json(lead, "/customers/reassign", {"customer_ids": [customer.pk, BIGINT_MAX], "owner": "agent2"})
    assert response.status_code == 403  # no such customer: outside the caller's scope, as any absent id
    assert counts() == before
    customer.refresh_from_db()
    assert customer.owner.username == "agent1" and customer.version == 1


def test_r_err_the_reassign_page_ignores_no_id_it_cannot_look_up(demo, make_customer):
    """The page sends whatever digits the form holds; ids no row can have are absent, not a 500."""
    from kefu.core.errors import NotAllowed
    from kefu.customers import pool

    customer = make_customer()
    with pytest.raises(NotAllowed):
        pool.reassign(actor=demo.users["lead1"], customer_ids=[customer.pk, 99999999999999999999],
                      to_owner=demo.users["agent2"])
    customer.refresh_from_db()
    assert customer.owner.username == "agent1"


@pytest.mark.parametrize("version", [2**31, -1])
def test_r_err_a_version_beyond_its_column_is_422_naming_it(agent, make_customer, version):
    customer = make_customer()
    response = patch_json(agent, f"/customers/{customer.pk}", {"version": version, "name": "新名字"})
    assert response.status_code == 422 and set(field_errors(response)) == {"version"}
    customer.refresh_from_db()
    assert customer.version == 1 and customer.name != "新名字"


def test_r_cus_10_a_lead_reassigns_through_post_reassign(demo, clients, make_customer):
    """POST /api/v1/customers/reassign used to answer 405: /customers/{customer_id} captured it."""
    customer = make_customer()
    response = post_json(clients("lead"), "/customers/reassign",
                         {"customer_ids": [customer.pk], "owner": "agent2", "reason": "调岗"})
    assert response.status_code == 200, response.content
    assert response.json() == {"moved": 1}
    assert Customer.objects.get(pk=customer.pk).owner == demo.users["agent2"]


# -- the shared checks themselves ---------------------------------------------------------------------------


def test_r_err_clean_decimal_at_its_bounds():
    assert decimal_limit(14, 2) == Decimal(TOP) == expected_amount_max()
    assert clean_decimal(TOP, max_digits=14, decimal_places=2) == Decimal(TOP)
    assert clean_decimal(f"-{TOP}", max_digits=14, decimal_places=2) == -Decimal(TOP)
    assert clean_decimal("1.000", max_digits=14, decimal_places=2) == Decimal("1.00")  # trailing zeros fit
    assert clean_decimal(5, max_digits=3, decimal_places=0) == Decimal(5)
    for bad in (NEXT, f"-{NEXT}", "0.001", "NaN", "sNaN", "-inf", float("nan"), True, None, [], "", "1,0"):
        with pytest.raises(NumberProblem):
            clean_decimal(bad, max_digits=14, decimal_places=2)
    assert clean_expected_amount(None) is None and clean_expected_amount("  ") is None


def test_r_err_clean_integer_within_the_column():
    total = Customer._meta.get_field("complaints_total")  # PositiveIntegerField
    assert clean_integer_for(total, 0) == 0
    with pytest.raises(NumberProblem):
        clean_integer_for(total, -1)
    assert clean_integer("42") == 42 and clean_integer(4.0) == 4
    for bad in (True, 4.5, "4.5", "NaN", float("inf"), "x"):
        with pytest.raises(NumberProblem):
            clean_integer(bad)
    pk = Customer._meta.pk
    assert ids_in_range([1, 2**63 - 1, 2**63, -(2**63) - 1, True, "3"], pk) == [1, 2**63 - 1]
