import pytest

from kefu.knowledge import services


@pytest.fixture
def category(demo):
    return services.create_category(actor=demo.users["head1"], name="退款")


@pytest.fixture
def make_article(demo, category):
    """``make_article(title, body, approve=True, author="head1", **fields)`` through the services."""

    def make(title: str, body: str = "", *, approve: bool = True, author: str = "head1", category_id=None,
             keywords: str = ""):
        article = services.create_article(actor=demo.users[author], category_id=category_id or category.pk,
                                          title=title, body=body or f"{title}：请按页面提示操作。", keywords=keywords)
        if approve:
            article = services.approve(actor=demo.users["head1"], article_id=article.pk, version_number=1)
        return article

    return make
