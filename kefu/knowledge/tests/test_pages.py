"""R-TIC-9 pages: list with category tree and search, query counts, category creation, demo seed."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEvent
from kefu.knowledge import services
from kefu.knowledge.models import Article, ArticleVersion, Category

pytestmark = pytest.mark.django_db


def count_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def make_many(demo, category, n: int, start: int = 0):
    head = demo.users["head1"]
    for i in range(start, start + n):
        article = services.create_article(actor=head, category_id=category.pk, title=f"退款说明{i}",
                                          body=f"第{i}条：退款一般1到3个工作日到账。")
        services.approve(actor=head, article_id=article.pk, version_number=1)
        if i % 2:
            services.propose_version(actor=head, article_id=article.pk, version=article.version + 1,
                                     title=f"退款说明{i}", body="新的说法。")


@pytest.mark.parametrize("role", ["agent", "head"])
def test_r_tic_9_list_queries_do_not_grow_with_articles(clients, demo, category, django_assert_max_num_queries,
                                                       role):
    client = clients(role)
    make_many(demo, category, 5)
    small = {url: count_queries(client, url) for url in ["/knowledge/", "/knowledge/?q=退款",
                                                          f"/knowledge/?category={category.pk}"]}
    small_picker = count_queries(client, "/knowledge/picker/?target=t&q=退款")
    make_many(demo, category, 20, start=5)
    for url, n in small.items():
        with django_assert_max_num_queries(n):
            response = client.get(url)
        assert response.content.decode().count('data-testid="article-row"') == 25
    with django_assert_max_num_queries(small_picker):
        client.get("/knowledge/picker/?target=t&q=退款")


def test_r_tic_9_approval_queue_queries_do_not_grow(clients, demo, category, django_assert_max_num_queries):
    client = clients("head")
    make_many(demo, category, 4)
    n = count_queries(client, "/knowledge/approvals/")
    make_many(demo, category, 12, start=4)
    with django_assert_max_num_queries(n):
        page = client.get("/knowledge/approvals/")
    assert page.content.decode().count('data-testid="approval-row"') == 8


def test_r_tic_9_list_shows_the_tree_and_search_partial(clients, demo, category, make_article):
    child = services.create_category(actor=demo.users["head1"], name="到账时间", parent_id=category.pk)
    make_article("申请退款的流程", "请在订单页申请。")
    make_article("查询物流进度", "物流信息。", category_id=child.pk)
    page = clients("agent").get("/knowledge/").content.decode()
    assert 'data-testid="category-tree"' in page and "到账时间" in page and "ti-corner-down-right" in page
    partial = clients("agent").get("/knowledge/", {"q": "退款"}, HTTP_HX_REQUEST="true",
                                   HTTP_HX_TARGET="knowledge-results").content.decode()
    assert "申请退款的流程" in partial and "查询物流进度" not in partial and "<html" not in partial
    page = clients("agent").get("/knowledge/", {"q": "没有这个词"}).content.decode()
    assert 'data-testid="article-row"' not in page


def test_r_tic_9_writers_create_categories_agents_do_not(clients, category):
    response = clients("lead").post("/knowledge/categories/new/", {"name": "会员", "position": 2})
    assert response.status_code == 302 and Category.objects.filter(name="会员").exists()
    assert clients("agent").post("/knowledge/categories/new/", {"name": "物流"}).status_code == 403
    assert not Category.objects.filter(name="物流").exists()


def test_r_tic_9_create_form_shows_field_errors_and_saves_nothing(clients, category):
    response = clients("agent").post("/knowledge/new/", {"category": category.pk, "title": "", "body": ""})
    assert response.status_code == 422
    assert 'data-field="title"' in response.content.decode()
    assert not Article.objects.exists()
    response = clients("agent").post("/knowledge/new/", {"category": category.pk, "title": "草稿", "body": "内容",
                                                         "save_draft": "1"})
    assert response.status_code == 302
    assert Article.objects.get().status == Article.Status.DRAFT


def test_r_tic_9_seed_demo_knowledge_is_idempotent(demo):
    call_command("seed_demo_knowledge")
    counts = (Category.objects.count(), Article.objects.count(), ArticleVersion.objects.count(),
              AuditEvent.objects.filter(object_type__startswith="knowledge.").count())
    assert counts[0] == 6 and counts[1] == 13
    assert Article.objects.filter(status=Article.Status.APPROVED).count() == 12
    assert ArticleVersion.objects.filter(status=ArticleVersion.Status.PENDING).count() == 2
    assert set(Category.objects.filter(parent__isnull=True).values_list("name", flat=True)) == {
        "退款", "物流", "售后", "投诉安抚", "会员"}
    call_command("seed_demo_knowledge")
    assert (Category.objects.count(), Article.objects.count(), ArticleVersion.objects.count(),
            AuditEvent.objects.filter(object_type__startswith="knowledge.").count()) == counts
    from kefu.knowledge import selectors
    titles = [a.title for a in selectors.search_articles(demo.users["agent1"], "退款")]
    assert titles[0] == "申请退款的流程"
