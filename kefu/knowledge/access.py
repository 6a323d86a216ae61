"""Who may read, write and approve standard replies (R-TIC-9, R-ORG-2): the one place for it.

- everyone of the centre reads approved replies and may propose new ones or new versions;
- agents see drafts and pending versions only of what they wrote themselves;
- team leads, QA inspectors, heads, directors and administrators ("writers") see every draft and
  pending version of their centre;
- department heads, centre directors and administrators approve, reject and retire.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound
from kefu.knowledge.models import Article, ArticleVersion, Category
from kefu.org.roles import Role

WRITER_ROLES = (Role.LEAD, Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN)
APPROVER_ROLES = (Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def is_writer(user) -> bool:
    return bool(user.is_superuser or user.has_role(*WRITER_ROLES))


def may_approve(user) -> bool:
    return bool(user.is_superuser or user.has_role(*APPROVER_ROLES))


def require_approver(user) -> None:
    if not may_approve(user):
        raise NotAllowed(_("Only a department head, the centre director or an administrator may do this."))


def in_centre(user, queryset: QuerySet, field: str = "centre") -> QuerySet:
    """Rows of the caller's centre (a superuser without a centre sees every centre)."""
    if user.centre_id is None:
        return queryset if user.is_superuser else queryset.none()
    return queryset.filter(**{f"{field}_id": user.centre_id})


def categories_for(user) -> QuerySet[Category]:
    return in_centre(user, Category.objects.all()).order_by("position", "id")


def visible_articles(user) -> QuerySet[Article]:
    """Articles the caller may read: writers every article of the centre; agents the approved ones
    and their own drafts and proposals."""
    qs = in_centre(user, Article.objects.all())
    if is_writer(user):
        return qs
    return qs.filter(Q(status=Article.Status.APPROVED, current_version__isnull=False) | Q(created_by_id=user.pk))


def insertable_articles(user) -> QuerySet[Article]:
    """What goes into a reply: approved articles only, whoever asks."""
    return in_centre(user, Article.objects.filter(status=Article.Status.APPROVED, current_version__isnull=False))


def visible_versions(user, article: Article) -> QuerySet[ArticleVersion]:
    qs = ArticleVersion.objects.filter(article=article)
    if is_writer(user):
        return qs
    return qs.filter(Q(status=ArticleVersion.Status.APPROVED) | Q(created_by_id=user.pk))


def access_article(user, article_id: int, *, for_update: bool = False) -> Article:
    """Fetch an article the caller may read, or NotFound (outside the scope looks like absence)."""
    qs = visible_articles(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    article = qs.filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such standard reply."))
    return article


def access_category(user, category_id: int | None) -> Category:
    category = categories_for(user).filter(pk=category_id).first() if category_id else None
    if category is None:
        raise NotFound(_("No such category."))
    return category
