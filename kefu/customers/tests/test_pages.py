"""Customer pages per role; the HTMX follow-up; list page query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.customers.models import Customer, FollowUp

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "agent", "lead", "qa", "head", "director", "admin"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/customers/", "/customers/my-day/", "/customers/pool/", "/customers/dashboard/"])
def test_pages_open_for_every_logged_in_role(clients, make_customer, role, path):
    make_customer()
    response = clients(role).get(path)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("role", "status"), [("agent", 403), ("qa", 403), ("lead", 200), ("head", 200),
                                              ("director", 200)])
def test_team_due_board_is_for_leads_and_above(clients, role, status):
    assert clients(role).get("/customers/team-due/").status_code == status


def test_detail_shows_masked_phone_and_timeline(clients, make_customer):
    customer = make_customer(phones=["13800131234"])
    html = clients("agent").get(f"/customers/{customer.pk}/").content.decode()
    assert "138****1234" in html and "13800131234" not in html
    assert 'data-testid="timeline"' in html


def test_r_cus_5_htmx_followup_returns_the_updated_summary(clients, make_customer, today):
    customer = make_customer(need_status="latent")
    client = clients("agent")
    response = client.post(f"/customers/{customer.pk}/followup/", {
        "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "method": "phone", "content": "确认下单时间",
        "need_status": "target", "expected_close_date": (today + dt.timedelta(days=20)).isoformat(),
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="customer-live"' in html and "<html" not in html
    assert f'data-testid="next-due">{(today + dt.timedelta(days=1)).isoformat()}<' in html
    customer.refresh_from_db()
    assert customer.grade == "A"
    assert FollowUp.objects.count() == 1


def test_r_err_htmx_followup_with_errors_shows_them_and_changes_nothing(clients, make_customer):
    customer = make_customer()
    response = clients("agent").post(f"/customers/{customer.pk}/followup/", {
        "at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "method": "phone",
        "content": "未来"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-field="at"' in response.content.decode()
    assert not FollowUp.objects.exists()


def test_agent_cannot_post_followup_on_a_colleagues_customer(clients, make_customer):
    customer = make_customer(owner="agent2")
    response = clients("agent").post(f"/customers/{customer.pk}/followup/", {
        "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "method": "phone", "content": "x"})
    assert response.status_code == 403
    assert not FollowUp.objects.exists()


def test_list_page_query_count_is_flat(demo, clients, make_customer):
    client = clients("head")
    make_customer()

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/customers/").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for i in range(20):
        make_customer(owner=f"agent{1 + i % 3}", tags=["复购"])
    assert queries() == few


def test_lead_bulk_reassigns_and_an_agent_cannot(clients, make_customer, demo):
    a = make_customer(owner="agent1")
    b = make_customer(owner="agent2")
    response = clients("agent").post("/customers/reassign/", {"customer_ids": [a.pk, b.pk], "owner": "agent3"})
    assert response.status_code == 403
    response = clients("lead").post("/customers/reassign/", {"customer_ids": [a.pk, b.pk], "owner": "agent3"})
    assert response.status_code == 302
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"agent3"}


def test_my_day_lists_due_customers_overdue_first(clients, make_customer, today):
    late = make_customer(name="逾期客户")
    Customer.objects.filter(pk=late.pk).update(next_due=today - dt.timedelta(days=4))
    soon = make_customer(name="今天到期")
    Customer.objects.filter(pk=soon.pk).update(next_due=today)
    response = clients("agent").get("/customers/my-day/")
    names = [i.name for i in response.context["items"]]
    assert names == ["逾期客户", "今天到期"]
    assert response.context["overdue"] == 1


def test_dashboard_counts_follow_the_database(clients, make_customer):
    make_customer(grade="A", grade_reason="x")
    make_customer(grade="C", grade_reason="x")
    data = clients("head").get("/customers/dashboard/").context["data"]
    assert data["grades"]["values"] == [1, 0, 1, 0, 0]
    assert data["total"] == 2
