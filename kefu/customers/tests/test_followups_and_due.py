"""R-CUS-4/5 follow-ups re-grade and recompute next_due; R-CUS-6 due lists and their order."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kefu.customers.models import Customer, FollowUp, GradeChange

pytestmark = pytest.mark.django_db


def post_followup(client, customer_id, **data):
    data.setdefault("at", timezone.localtime().isoformat())
    data.setdefault("method", "phone")
    data.setdefault("content", "电话沟通需求")
    return client.post(f"/api/v1/customers/{customer_id}/followups", data, content_type="application/json")


@pytest.mark.parametrize(("grade", "cadence"), [("A", 1), ("B", 7), ("C", 15), ("D", 30), ("E", 365)])
def test_r_cus_4_a_followup_sets_next_due_by_the_cadence_of_the_new_grade(clients, make_customer, grade, cadence):
    customer = make_customer()
    at = timezone.localtime() - dt.timedelta(days=2)
    response = post_followup(clients("agent"), customer.pk, at=at.isoformat(), grade=grade, grade_reason="评估")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"]["grade"] == grade
    assert body["customer"]["next_due"] == (at.date() + dt.timedelta(days=cadence)).isoformat()
    assert body["followup"]["grade_after"] == grade


def test_r_cus_5_followup_regrades_from_the_new_need_and_keeps_history(clients, make_customer, today):
    customer = make_customer(need_status="latent")
    assert customer.grade == "D"
    response = post_followup(clients("agent"), customer.pk, need_status="target",
                             expected_close_date=(today + dt.timedelta(days=60)).isoformat())
    assert response.json()["customer"]["grade"] == "B"
    history = list(GradeChange.objects.filter(customer=customer).order_by("at", "id").values_list("from_grade", "to_grade"))
    assert history == [("", "D"), ("D", "B")]


def test_r_cus_5_a_followup_may_be_backfilled_but_not_in_the_future(clients, make_customer):
    customer = make_customer()
    client = clients("agent")
    future = timezone.localtime() + dt.timedelta(minutes=5)
    response = post_followup(client, customer.pk, at=future.isoformat())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "at"
    assert not FollowUp.objects.exists()
    past = timezone.localtime() - dt.timedelta(days=10)
    assert post_followup(client, customer.pk, at=past.isoformat()).status_code == 201


def test_r_cus_5_an_older_backfill_does_not_move_next_due_backwards(clients, make_customer):
    customer = make_customer(need_status="target", expected_close_date=timezone.localdate() + dt.timedelta(days=100))
    client = clients("agent")
    recent = timezone.localtime() - dt.timedelta(days=1)
    post_followup(client, customer.pk, at=recent.isoformat())
    due_after_recent = Customer.objects.get(pk=customer.pk).next_due
    older = timezone.localtime() - dt.timedelta(days=5)
    post_followup(client, customer.pk, at=older.isoformat())
    customer.refresh_from_db()
    assert customer.next_due == due_after_recent
    assert timezone.localdate(customer.last_followup_at) == recent.date()


def test_r_cus_5_followup_needs_method_and_content(clients, make_customer):
    customer = make_customer()
    response = post_followup(clients("agent"), customer.pk, method="fax", content="")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"method", "content"}


def test_r_cus_5_qa_cannot_record_followups(clients, make_customer):
    customer = make_customer()
    assert post_followup(clients("qa"), customer.pk).status_code == 403
    assert not FollowUp.objects.exists()


def _due(client, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = client.get(f"/api/v1/followups/due?{query}")
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_r_cus_6_due_list_most_overdue_first_then_grade_then_stable(clients, make_customer, today):
    rows = [("甲", "C", 3), ("乙", "A", 3), ("丙", "E", 5), ("丁", "B", 0), ("戊", "A", -1)]
    ids = {}
    for name, grade, overdue in rows:
        c = make_customer(name=name, grade=grade, grade_reason="测试")
        Customer.objects.filter(pk=c.pk).update(next_due=today - dt.timedelta(days=overdue))
        ids[name] = c.pk
    items = _due(clients("agent"), date=today.isoformat())
    assert [i["name"] for i in items] == ["丙", "乙", "甲", "丁"]  # 戊 is due tomorrow: not listed
    assert [i["days_overdue"] for i in items] == [5, 3, 3, 0]
    assert set(items[0]) >= {"customer_id", "name", "grade", "next_due", "days_overdue"}


def test_r_cus_6_a_date_in_the_future_includes_what_falls_due_by_then(clients, make_customer, today):
    make_customer(name="明天", grade="A", grade_reason="测试")  # next_due = today + 1
    assert _due(clients("agent"), date=today.isoformat()) == []
    assert [i["name"] for i in _due(clients("agent"), date=(today + dt.timedelta(days=1)).isoformat())] == ["明天"]


def test_r_cus_6_a_lead_reads_an_agents_list_an_agent_cannot_read_a_colleagues(clients, make_customer, today):
    make_customer(owner="agent2", name="二号的客户", grade="A", grade_reason="测试")
    on = (today + dt.timedelta(days=1)).isoformat()
    assert [i["name"] for i in _due(clients("lead"), date=on, agent="agent2")] == ["二号的客户"]
    assert clients("agent").get(f"/api/v1/followups/due?date={on}&agent=agent2").status_code == 403
    assert clients("lead").get(f"/api/v1/followups/due?date={on}&agent=agent4").status_code == 403  # other team


def test_r_cus_6_team_list_for_the_lead(clients, make_customer, today):
    make_customer(owner="agent1", name="一", grade="A", grade_reason="测试")
    make_customer(owner="agent3", name="三", grade="A", grade_reason="测试")
    make_customer(owner="agent4", name="四", grade="A", grade_reason="测试")  # 二班
    on = (today + dt.timedelta(days=1)).isoformat()
    assert {i["name"] for i in _due(clients("lead"), date=on, agent="*")} == {"一", "三"}


def test_due_list_query_count_is_flat(demo, make_customer, today, django_assert_max_num_queries):
    for i in range(30):
        make_customer(name=f"客户{i}", grade="A", grade_reason="测试")
    client = Client()
    client.force_login(demo.users["agent1"])
    on = (today + dt.timedelta(days=1)).isoformat()
    with django_assert_max_num_queries(12):
        assert len(_due(client, date=on)) == 30
