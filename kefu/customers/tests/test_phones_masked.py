"""Masked phone numbers sent back (issue 8, item 2; R-CUS-1, R-ERR): agents read "133****8968"; sending
it back unchanged keeps the real number, any other masked value is refused with a 422 naming
``phones`` in the user's language and changes nothing — in the API, on the pages and for a ticket's
caller phone. The same validator refuses numbers outside the MIIT mobile allocation."""

import pytest

from kefu.core.testing import zh
from kefu.customers.models import Customer, CustomerPhone
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

REAL = "13312348968"
MASKED = "133****8968"


def api(client, method, path, data=None):
    fn = getattr(client, method)
    return fn(f"/api/v1{path}", data, content_type="application/json") if data is not None else fn(f"/api/v1{path}")


def numbers(customer) -> list[str]:
    return list(CustomerPhone.objects.filter(customer=customer).order_by("position").values_list("number", flat=True))


def _refused_and_unchanged(response, customer, *, version: int, phones: list[str]) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["phones"]
    customer.refresh_from_db()
    assert customer.version == version and numbers(customer) == phones


def test_r_cus_1_patch_with_the_masked_number_read_keeps_the_real_number(clients, make_customer):
    customer = make_customer(phones=[REAL])
    client = clients("agent")
    shown = api(client, "get", f"/customers/{customer.pk}").json()
    assert shown["phones"] == [MASKED]
    response = api(client, "patch", f"/customers/{customer.pk}", {"version": shown["version"], "phones": shown["phones"],
                                                                  "notes": "改了备注"})
    assert response.status_code == 200, response.content
    assert numbers(customer) == [REAL]
    assert response.json()["phones"] == [MASKED]


def test_r_cus_1_masked_numbers_keep_theirs_when_a_number_is_added_or_the_order_changes(clients, make_customer):
    customer = make_customer(phones=[REAL, "13900001111"])
    response = api(clients("agent"), "patch", f"/customers/{customer.pk}",
                   {"version": 1, "phones": ["139****1111", "13800138000", MASKED]})
    assert response.status_code == 200, response.content
    assert numbers(customer) == ["13900001111", "13800138000", REAL]


def test_r_cus_1_r_err_a_masked_number_of_no_current_number_is_refused_in_chinese(clients, make_customer):
    customer = make_customer(phones=[REAL])
    response = api(clients("agent"), "patch", f"/customers/{customer.pk}",
                   {"version": 1, "phones": ["133****0000"], "notes": "不应保存"})
    _refused_and_unchanged(response, customer, version=1, phones=[REAL])
    message = response.json()["errors"][0]["message"]
    assert message == zh("“%(phone)s” is masked and is not one of this customer's numbers; enter the full number.",
                         phone="133****0000")
    customer.refresh_from_db()
    assert customer.notes == ""


def test_r_cus_1_r_err_create_with_a_masked_number_is_refused(clients):
    response = api(clients("agent"), "post", "/customers", {"name": "张三", "phones": ["138****1234"], "shop": "tmall"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["phones"]
    assert response.json()["errors"][0]["message"] == zh("“%(phone)s” is masked; enter the full number.",
                                                         phone="138****1234")
    assert not Customer.objects.exists() and not CustomerPhone.objects.exists()


@pytest.mark.parametrize("raw", ["12012345678", "15412345678", "1381234", "1.38001E+10", "138 0013 8000 转 1"])
def test_r_err_numbers_outside_the_mobile_allocation_or_malformed_are_refused(clients, make_customer, raw):
    customer = make_customer(phones=[REAL])
    _refused_and_unchanged(api(clients("agent"), "patch", f"/customers/{customer.pk}", {"version": 1, "phones": [raw]}),
                           customer, version=1, phones=[REAL])
    response = api(clients("agent"), "post", "/customers", {"name": "新客户", "phones": [raw], "shop": "tmall"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "phones"
    assert Customer.objects.count() == 1


# --- pages --------------------------------------------------------------------------------------------
def _edit_form(customer, phones: str) -> dict:
    return {"name": customer.name, "phones": phones, "email": "", "need_status": customer.need_status,
            "deal_status": customer.deal_status, "tags": "", "notes": "页面修改", "region": "", "grade": "",
            "grade_reason": "", "version": customer.version}


def test_r_cus_1_edit_page_keeps_the_real_number_behind_a_masked_one(clients, make_customer):
    customer = make_customer(phones=[REAL])
    response = clients("agent").post(f"/customers/{customer.pk}/edit/", _edit_form(customer, f"{MASKED}, 138 0013 8000"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert numbers(customer) == [REAL, "13800138000"]


def test_r_cus_1_r_err_edit_page_refuses_a_foreign_masked_number_on_the_field(clients, make_customer):
    customer = make_customer(phones=[REAL])
    response = clients("agent").post(f"/customers/{customer.pk}/edit/", _edit_form(customer, "133****0000"))
    assert response.status_code == 200
    page = response.content.decode()
    assert zh("“%(phone)s” is masked and is not one of this customer's numbers; enter the full number.",
              phone="133****0000") in page
    customer.refresh_from_db()
    assert customer.version == 1 and customer.notes == "" and numbers(customer) == [REAL]


def test_r_cus_1_r_err_create_page_refuses_a_masked_number(clients):
    response = clients("agent").post("/customers/new/", {
        "name": "张三", "phones": "138****1234", "shop": "tmall", "need_status": "latent", "deal_status": "prospect"})
    assert response.status_code == 200
    assert not Customer.objects.exists()


# --- the ticket's caller phone ---------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [MASKED, "12012345678", "216210008"])
def test_r_err_a_tickets_caller_phone_uses_the_same_validator(clients, raw):
    response = api(clients("agent"), "post", "/tickets", {"shop": "tmall", "type": "consultation",
                                                         "channel": "hotline", "title": "咨询", "caller_phone": raw})
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["caller_phone"]
    assert not Ticket.objects.exists()


def test_a_valid_caller_phone_still_finds_the_customer(clients, make_customer):
    customer = make_customer(phones=["13800138000"])
    response = api(clients("agent"), "post", "/tickets", {"shop": "tmall", "type": "consultation",
                                                         "channel": "hotline", "title": "咨询",
                                                         "caller_phone": "+86 138-0013-8000"})
    assert response.status_code == 201, response.content
    assert Ticket.objects.get().customer_id == customer.pk
