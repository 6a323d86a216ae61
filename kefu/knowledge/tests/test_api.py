"""R-TIC-9 knowledge API (/api/v1/knowledge): search, create, versions, approval, errors of API.md."""

import pytest
from django.test import Client

from kefu.audit.models import AuditEvent
from kefu.knowledge.models import Article, ArticleVersion, Category
from kefu.org.tests.factories import CentreFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(client, method, path, data=None):
    fn = getattr(client, method)
    return fn(f"/api/v1/knowledge{path}", data, content_type="application/json") if data is not None \
        else fn(f"/api/v1/knowledge{path}")


def assert_error_shape(body: dict, status_rule: str | None = None):
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list)
    if status_rule:
        assert body["rule"] == status_rule


def test_r_tic_9_api_search_in_chinese_with_pagination(clients, make_article):
    make_article("申请退款的流程", "请在订单页申请。")
    make_article("查询物流进度", "物流信息。")
    body = api(clients("agent"), "get", "/articles?q=退款").json()
    assert body["count"] == 1 and body["page"] == 1
    item = body["items"][0]
    assert item["title"] == "申请退款的流程" and item["current_version"] == 1 and item["status"] == "approved"
    assert item["body"] == "请在订单页申请。" and item["category_name"] == "退款" and "version" in item


def test_r_tic_9_api_create_propose_approve_flow(clients, category):
    agent, head = clients("agent"), clients("head")
    response = api(agent, "post", "/articles", {"category": category.pk, "title": "退款到账时间",
                                                  "body": "一般1到3个工作日。", "keywords": ["到账", "退款"]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending" and created["current_version"] is None and created["open_version"] == 1
    article_id = created["id"]
    assert api(agent, "get", "/articles?insertable=true").json()["count"] == 0

    response = api(head, "post", f"/articles/{article_id}/approve", {"version_number": 1,
                                                                     "version": created["version"]})
    assert response.status_code == 200, response.content
    approved = response.json()
    assert approved["status"] == "approved" and approved["current_version"] == 1
    assert approved["versions"][0]["approved_by"] == "head1"
    assert api(agent, "get", "/articles?insertable=true&q=到账").json()["count"] == 1

    response = api(agent, "post", f"/articles/{article_id}/versions", {
        "version": approved["version"], "title": "退款到账时间", "body": "一般1到3个工作日，信用卡以账单为准。"})
    assert response.status_code == 201
    assert response.json()["open_version"] == 2 and response.json()["body"] == "一般1到3个工作日。"

    response = api(agent, "post", f"/articles/{article_id}/use")
    assert response.json() == {"id": article_id, "use_count": 1}


@pytest.mark.parametrize("role", ["agent", "lead", "qa"])
def test_r_tic_9_api_non_approvers_get_403_and_nothing_changes(clients, make_article, role):
    article = make_article("退款规则", approve=False)
    client = clients(role)
    events = AuditEvent.objects.filter(object_type__startswith="knowledge.").count()
    for path, data in [("approve", {"version_number": 1}), ("reject", {"version_number": 1, "reason": "不行"}),
                       ("retire", {"version": article.version})]:
        response = api(client, "post", f"/articles/{article.pk}/{path}", data)
        assert response.status_code == 403, (path, response.content)
        assert_error_shape(response.json())
    article.refresh_from_db()
    assert article.status == Article.Status.PENDING and article.current_version is None
    assert ArticleVersion.objects.get(article=article).status == ArticleVersion.Status.PENDING
    assert AuditEvent.objects.filter(object_type__startswith="knowledge.").count() == events


def test_r_tic_9_api_invalid_input_names_the_fields_and_changes_nothing(clients, category):
    response = api(clients("lead"), "post", "/articles", {"category": category.pk + 999, "title": " ", "body": ""})
    assert response.status_code == 422
    body = response.json()
    assert_error_shape(body)
    assert {e["field"] for e in body["errors"]} >= {"category", "title", "body"}
    assert not Article.objects.exists()


def test_r_tic_9_api_stale_version_is_409(clients, make_article):
    article = make_article("退款规则")
    response = api(clients("lead"), "post", f"/articles/{article.pk}/versions",
                   {"version": article.version - 1, "title": "退款规则", "body": "新内容"})
    assert response.status_code == 409
    assert_error_shape(response.json())
    assert article.versions.count() == 1


def test_r_tic_9_api_reject_without_reason_and_not_pending_are_422(clients, make_article):
    article = make_article("退款规则")
    response = api(clients("head"), "post", f"/articles/{article.pk}/reject", {"version_number": 1, "reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = api(clients("head"), "post", f"/articles/{article.pk}/approve", {"version_number": 1})
    assert response.status_code == 422
    assert_error_shape(response.json(), "R-TIC-9")
    response = api(clients("head"), "post", f"/articles/{article.pk}/approve", {"version_number": 7})
    assert response.status_code == 404


def test_r_tic_9_api_other_centres_are_out_of_scope(demo, make_article):
    article = make_article("退款规则")
    dept = DepartmentFactory(centre=CentreFactory(name="另一中心"))
    outsider = UserFactory(department=dept, roles=["head"])
    client = Client()
    client.force_login(outsider)
    assert api(client, "get", f"/articles/{article.pk}").status_code == 404
    assert api(client, "get", "/articles").json()["count"] == 0
    response = api(client, "post", f"/articles/{article.pk}/approve", {"version_number": 1})
    assert response.status_code == 404
    assert_error_shape(response.json())
    assert api(client, "get", "/categories").json()["count"] == 0


def test_r_tic_9_api_categories(clients, category):
    response = api(clients("lead"), "post", "/categories", {"name": "退款到账", "parent": category.pk})
    assert response.status_code == 201 and response.json()["parent"] == category.pk
    assert api(clients("lead"), "post", "/categories", {"name": "退款到账"}).status_code == 422
    assert api(clients("agent"), "post", "/categories", {"name": "新类"}).status_code == 403
    assert not Category.objects.filter(name="新类").exists()
    assert api(clients("agent"), "get", "/categories").json()["count"] == 2
    assert api(clients("anonymous"), "get", "/categories").status_code == 401
