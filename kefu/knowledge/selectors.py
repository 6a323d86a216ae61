"""Reading the knowledge base (R-TIC-9): Chinese word search, approval queue, version history."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When

from kefu.knowledge import segment
from kefu.knowledge.access import (
    access_article,
    categories_for,
    in_centre,
    insertable_articles,
    may_approve,
    visible_articles,
    visible_versions,
)
from kefu.knowledge.models import Article, ArticleVersion, Category

__all__ = [
    "access_article", "approval_queue", "article_versions", "categories_for", "category_with_children",
    "for_list", "open_version", "search_articles", "visible_articles",
]


def for_list(qs: QuerySet[Article]) -> QuerySet[Article]:
    """What a result row shows, in a fixed number of queries whatever the row count."""
    open_version = ArticleVersion.objects.filter(
        article=OuterRef("pk"), status__in=[ArticleVersion.Status.DRAFT, ArticleVersion.Status.PENDING])
    return qs.select_related("category", "current_version", "created_by").annotate(
        has_open_version=Exists(open_version))


def category_with_children(user, category) -> list[int]:
    """The ids of ``category`` (an id or a Category) and of every category below it."""
    category_id = getattr(category, "pk", category)
    try:
        category_id = int(category_id)
    except (TypeError, ValueError):
        return []
    pairs = list(categories_for(user).values_list("pk", "parent_id"))
    if category_id not in {pk for pk, _parent in pairs}:
        return []
    ids = {category_id}
    grew = True
    while grew:
        below = {pk for pk, parent in pairs if parent in ids and pk not in ids}
        ids |= below
        grew = bool(below)
    return sorted(ids)


def _match_words(qs: QuerySet[Article], words: list[str]) -> QuerySet[Article]:
    """Every query word must be a whole word of ``search_text`` (`` word `` within the padded,
    space-separated words): the same plain LIKE on SQLite and PostgreSQL."""
    for word in words:
        qs = qs.filter(search_text__contains=f" {word} ")
    return qs


def _title_hits(words: list[str]):
    """How many query words are words of the title (the first sort key of the results)."""
    hits = [Case(When(title_text__contains=f" {w} ", then=Value(1)), default=Value(0), output_field=IntegerField())
            for w in words]
    total = hits[0]
    for hit in hits[1:]:
        total = total + hit
    return total


def search_articles(user, q: str = "", category=None, *, insertable: bool = False,
                    status: str = "") -> QuerySet[Article]:
    """Articles the caller may read matching every word of ``q`` (Chinese segmented with jieba:
    "退款" finds "申请退款的流程"), ranked by words found in the title, then by use.

    ``insertable`` keeps approved articles only (the reply picker); ``category`` includes the
    categories below it.
    """
    qs = insertable_articles(user) if insertable else visible_articles(user)
    if category not in (None, ""):
        qs = qs.filter(category_id__in=category_with_children(user, category))
    if status:
        qs = qs.filter(status=status)
    words = segment.query_words(q)
    if not words:
        return for_list(qs).order_by("category__position", "category_id", "-use_count", "title", "id")
    qs = _match_words(qs, words)
    return for_list(qs.annotate(title_hits=_title_hits(words))).order_by("-title_hits", "-use_count", "title", "id")


def article_for_page(user, article_id: int) -> Article:
    """One article the caller may read, with what its page shows (NotFound otherwise)."""
    article = for_list(visible_articles(user).filter(pk=article_id)).first()
    if article is None:
        return access_article(user, article_id)  # raises NotFound
    return article


def queue_row(user, article: Article, number: int) -> ArticleVersion | None:
    """One version of ``article`` as the approval queue shows it (approvers only)."""
    if not may_approve(user):
        return None
    return (ArticleVersion.objects.filter(article=article, number=number)
            .select_related("article", "article__category", "article__current_version", "created_by").first())


def article_versions(user, article: Article) -> list[ArticleVersion]:
    """The versions the caller may see, newest first."""
    return list(visible_versions(user, article).select_related("created_by", "approved_by", "reviewed_by")
                .order_by("-number"))


def open_version(user, article: Article) -> ArticleVersion | None:
    """The draft or pending version of ``article`` the caller may see (at most one is open)."""
    return (visible_versions(user, article)
            .filter(status__in=[ArticleVersion.Status.DRAFT, ArticleVersion.Status.PENDING])
            .select_related("created_by").order_by("-number").first())


def approval_queue(user) -> QuerySet[ArticleVersion]:
    """Pending versions of the caller's centre, oldest first (heads, directors, administrators)."""
    if not may_approve(user):
        return ArticleVersion.objects.none()
    qs = in_centre(user, ArticleVersion.objects.filter(status=ArticleVersion.Status.PENDING), "article__centre")
    return qs.select_related("article", "article__category", "article__current_version", "created_by").order_by(
        "created_at", "id")


def categories_with_counts(user) -> list[Category]:
    """Categories of the centre with the number of articles the caller sees in each."""
    visible = visible_articles(user)
    categories = list(categories_for(user).prefetch_related(
        Prefetch("articles", queryset=visible.only("id", "category_id"), to_attr="visible_articles")))
    for c in categories:
        c.article_count = len(c.visible_articles)
    return categories


def pending_count(user) -> int:
    return approval_queue(user).count() if may_approve(user) else 0

