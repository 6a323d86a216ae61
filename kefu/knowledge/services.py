"""Every change to the knowledge base of standard replies (R-TIC-9): keyword-only, transactional,
audited (R-AUD). A refused request raises before it writes, so it changes nothing (R-ERR).

Life of an article: ``create_article`` writes version 1 (pending, or a draft when ``submit`` is
false); ``propose_version`` adds a newer version (the open one it replaces is marked superseded);
``approve`` puts a pending version in force — only then do agents see it and its words become
searchable; ``reject`` sends it back; ``retire`` takes the article out of use.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, record_change, snapshot
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import (
    Errors,
    FieldError,
    InvalidInput,
    NotAllowed,
    NotFound,
    RuleViolation,
    StaleVersion,
)
from kefu.knowledge import segment
from kefu.knowledge.access import (
    access_article,
    categories_for,
    insertable_articles,
    is_writer,
    require_approver,
)
from kefu.knowledge.models import Article, ArticleVersion, Category

RULE = "R-TIC-9"
TITLE_MAX = 200
BODY_MAX = 20_000
KEYWORDS_MAX = 300
NOTE_MAX = 300
OPEN = (ArticleVersion.Status.DRAFT, ArticleVersion.Status.PENDING)
ARTICLE_FIELDS = ["category", "title", "status", "current_version", "version"]


def _clean_text(errors: Errors, *, title: str, body: str, keywords, change_note: str) -> tuple[str, str, str, str]:
    title = (title or "").strip()
    body = (body or "").strip()
    change_note = (change_note or "").strip()
    words = segment.split_keywords(keywords)
    keyword_text = ",".join(words)
    if not title:
        errors.add("title", _("A title is required."))
    elif len(title) > TITLE_MAX:
        errors.add("title", _("At most %(n)s characters.") % {"n": TITLE_MAX})
    if not body:
        errors.add("body", _("The text of the reply is required."))
    elif len(body) > BODY_MAX:
        errors.add("body", _("At most %(n)s characters.") % {"n": BODY_MAX})
    if len(keyword_text) > KEYWORDS_MAX:
        errors.add("keywords", _("At most %(n)s characters.") % {"n": KEYWORDS_MAX})
    if len(change_note) > NOTE_MAX:
        errors.add("change_note", _("At most %(n)s characters.") % {"n": NOTE_MAX})
    return title, body, keyword_text, change_note


def _index(article: Article, version: ArticleVersion) -> None:
    """Recompute the search words from ``version`` (R-TIC-9: title + keywords + body)."""
    article.search_text = segment.build_search_text(title=version.title, keywords=version.keyword_list,
                                                    body=version.body)
    article.title_text = segment.build_title_text(version.title)


def _version_snapshot(version: ArticleVersion) -> dict:
    return snapshot(version, ["number", "status", "title", "body", "keywords", "change_note"])


def _fetch_for_change(actor, article_id: int) -> Article:
    return access_article(actor, article_id, for_update=True)


def _get_version(article: Article, number: int) -> ArticleVersion:
    version = ArticleVersion.objects.select_for_update().filter(article=article, number=number).first()
    if version is None:
        raise NotFound(_("This standard reply has no version %(n)s.") % {"n": number})
    return version


def _require_pending(version: ArticleVersion) -> None:
    if version.status == ArticleVersion.Status.SUPERSEDED:
        raise StaleVersion(_("Version %(n)s was replaced by a newer proposal. Reload the page and review the "
                             "newest version.") % {"n": version.number})
    if version.status != ArticleVersion.Status.PENDING:
        raise RuleViolation(_("Version %(n)s is not awaiting approval (it is “%(status)s”).")
                            % {"n": version.number, "status": version.get_status_display()}, rule=RULE)


# -- categories ----------------------------------------------------------------------------------

@transaction.atomic
def create_category(*, actor, name: str, parent_id: int | None = None, position: int = 0) -> Category:
    """Leads, QA inspectors, heads, directors and administrators arrange the categories."""
    if not is_writer(actor):
        raise NotAllowed(_("Your role does not allow this."))
    errors = Errors()
    name = (name or "").strip()
    if not name:
        errors.add("name", _("A name is required."))
    elif len(name) > 100:
        errors.add("name", _("At most %(n)s characters.") % {"n": 100})
    parent = None
    if parent_id:
        parent = categories_for(actor).filter(pk=parent_id).first()
        if parent is None:
            errors.add("parent", _("No such category."))
    centre_id = parent.centre_id if parent else actor.centre_id
    if centre_id is None:
        errors.add("name", _("You do not belong to a customer service centre."))
    elif name and Category.objects.filter(centre_id=centre_id, name=name).exists():
        errors.add("name", _("A category with this name already exists."))
    if position is not None and int(position) < 0:
        errors.add("position", _("Must be at least %(ge)s.") % {"ge": 0})
    errors.raise_if_any(_("The category could not be saved."))
    category = Category.objects.create(centre_id=centre_id, name=name, parent=parent, position=int(position or 0))
    record(actor=actor, action=Action.CREATE, obj=category, after=snapshot(category))
    return category


# -- articles and versions ----------------------------------------------------------------------

@transaction.atomic
def create_article(*, actor, category_id: int, title: str, body: str, keywords="", change_note: str = "",
                   submit: bool = True) -> Article:
    """Anyone of the centre may propose a standard reply (agents too: it needs a head's approval).
    Version 1 is pending, or a draft the author keeps working on when ``submit`` is false."""
    errors = Errors()
    category = categories_for(actor).filter(pk=category_id).first() if category_id else None
    if category is None:
        errors.add("category", _("Choose a category of your centre."))
    title, body, keyword_text, change_note = _clean_text(errors, title=title, body=body, keywords=keywords,
                                                         change_note=change_note)
    errors.raise_if_any(_("The standard reply could not be saved."))
    status = Article.Status.PENDING if submit else Article.Status.DRAFT
    author = actor if getattr(actor, "pk", None) else None
    article = Article.objects.create(centre_id=category.centre_id, category=category, title=title, status=status,
                                     created_by=author)
    version = ArticleVersion.objects.create(
        article=article, number=1, title=title, body=body, keywords=keyword_text, change_note=change_note,
        created_by=author, status=ArticleVersion.Status.PENDING if submit else ArticleVersion.Status.DRAFT)
    _index(article, version)
    article.save(update_fields=["search_text", "title_text", "updated_at"])
    record(actor=actor, action=Action.CREATE, obj=article, after={**snapshot(article, ARTICLE_FIELDS),
                                                                   "v1": _version_snapshot(version)})
    return article


@transaction.atomic
def propose_version(*, actor, article_id: int, version: int | None, title: str, body: str, keywords="",
                    change_note: str = "", submit: bool = True, category_id: int | None = None) -> ArticleVersion:
    """A new version of an article (out of a weekly case review, say): pending approval, or a draft.

    The article's approved text stays in force until a head approves the new version. An earlier
    draft or pending version is replaced (superseded). Needs the article's ``version`` (R-ERR)."""
    article = _fetch_for_change(actor, article_id)
    check_version(article, version)
    errors = Errors()
    title, body, keyword_text, change_note = _clean_text(errors, title=title, body=body, keywords=keywords,
                                                         change_note=change_note)
    category = None
    if category_id and category_id != article.category_id:
        category = categories_for(actor).filter(pk=category_id, centre_id=article.centre_id).first()
        if category is None:
            errors.add("category", _("Choose a category of your centre."))
    errors.raise_if_any(_("The standard reply could not be saved."))

    before = snapshot(article, ARTICLE_FIELDS)
    replaced = list(ArticleVersion.objects.select_for_update().filter(article=article, status__in=OPEN))
    for old in replaced:
        old.status = ArticleVersion.Status.SUPERSEDED
        old.save(update_fields=["status"])
    number = (ArticleVersion.objects.filter(article=article).aggregate(n=Max("number"))["n"] or 0) + 1
    new = ArticleVersion.objects.create(
        article=article, number=number, title=title, body=body, keywords=keyword_text, change_note=change_note,
        created_by=actor if getattr(actor, "pk", None) else None,
        status=ArticleVersion.Status.PENDING if submit else ArticleVersion.Status.DRAFT)
    if category is not None:
        article.category = category
    if article.current_version_id is None:
        # Never approved: the article shows the newest text, to its authors and to writers.
        article.title = title
        article.status = Article.Status.PENDING if submit else Article.Status.DRAFT
        _index(article, new)
    bump_version(article)
    article.save()
    record_change(actor=actor, obj=article, before=before,
                  note=_("version %(n)s proposed") % {"n": number} if submit
                  else _("version %(n)s saved as a draft") % {"n": number})
    record(actor=actor, action=Action.CREATE, obj=new, after=_version_snapshot(new),
           note=", ".join(f"v{v.number} superseded" for v in replaced))
    return new


@transaction.atomic
def submit_version(*, actor, article_id: int, version: int | None) -> ArticleVersion:
    """Send the open draft for approval."""
    article = _fetch_for_change(actor, article_id)
    check_version(article, version)
    draft = (ArticleVersion.objects.select_for_update()
             .filter(article=article, status=ArticleVersion.Status.DRAFT).order_by("-number").first())
    if draft is None:
        raise RuleViolation(_("There is no draft to submit."), rule=RULE)
    if draft.created_by_id != actor.pk and not is_writer(actor):
        raise NotAllowed(_("Only the author or a team lead, QA inspector or head may submit this draft."))
    before = snapshot(article, ARTICLE_FIELDS)
    draft.status = ArticleVersion.Status.PENDING
    draft.save(update_fields=["status"])
    if article.current_version_id is None:
        article.status = Article.Status.PENDING
    bump_version(article)
    article.save()
    record_change(actor=actor, obj=article, before=before, note=_("version %(n)s submitted") % {"n": draft.number})
    record(actor=actor, action=Action.TRANSITION, obj=draft, before={"status": ArticleVersion.Status.DRAFT},
           after={"status": draft.status})
    return draft


@transaction.atomic
def approve(*, actor, article_id: int, version_number: int, version: int | None = None) -> Article:
    """Put a pending version in force (department heads, directors, administrators only).

    Its text replaces the approved one for everyone, and the article's search words are recomputed.
    ``version`` (the article's) is checked when given."""
    require_approver(actor)
    article = _fetch_for_change(actor, article_id)
    if version is not None:
        check_version(article, version)
    target = _get_version(article, version_number)
    _require_pending(target)
    before = snapshot(article, ARTICLE_FIELDS)
    now = timezone.now()
    target.status = ArticleVersion.Status.APPROVED
    target.approved_by = actor
    target.approved_at = now
    target.save(update_fields=["status", "approved_by", "approved_at"])
    article.current_version = target
    article.title = target.title
    article.status = Article.Status.APPROVED
    _index(article, target)
    bump_version(article)
    article.save()
    record(actor=actor, action=Action.TRANSITION, obj=target, before={"status": ArticleVersion.Status.PENDING},
           after={"status": target.status, "approved_at": now}, note=RULE)
    record_change(actor=actor, obj=article, before=before,
                  note=_("version %(n)s approved") % {"n": target.number})
    return article


@transaction.atomic
def reject(*, actor, article_id: int, version_number: int, reason: str, version: int | None = None) -> ArticleVersion:
    """Send a pending version back with a reason (heads, directors, administrators only). The text
    in force, if any, stays."""
    require_approver(actor)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the version is rejected."),
                           errors=[FieldError("reason", _("A reason is required."))])
    if len(reason) > NOTE_MAX:
        raise InvalidInput(_("Say why the version is rejected."),
                           errors=[FieldError("reason", _("At most %(n)s characters.") % {"n": NOTE_MAX})])
    article = _fetch_for_change(actor, article_id)
    if version is not None:
        check_version(article, version)
    target = _get_version(article, version_number)
    _require_pending(target)
    before = snapshot(article, ARTICLE_FIELDS)
    target.status = ArticleVersion.Status.REJECTED
    target.reviewed_by = actor
    target.reviewed_at = timezone.now()
    target.review_note = reason
    target.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    if article.current_version_id is None:
        article.status = Article.Status.DRAFT
    bump_version(article)
    article.save()
    record(actor=actor, action=Action.TRANSITION, obj=target, before={"status": ArticleVersion.Status.PENDING},
           after={"status": target.status, "review_note": reason}, note=RULE)
    record_change(actor=actor, obj=article, before=before,
                  note=_("version %(n)s rejected") % {"n": target.number})
    return target


@transaction.atomic
def retire(*, actor, article_id: int, version: int | None, reason: str = "") -> Article:
    """Take an article out of use (heads, directors, administrators): agents no longer find or insert
    it. Approving a new version brings it back."""
    require_approver(actor)
    article = _fetch_for_change(actor, article_id)
    check_version(article, version)
    if article.status == Article.Status.RETIRED:
        raise RuleViolation(_("This standard reply is already retired."), rule=RULE)
    before = snapshot(article, ARTICLE_FIELDS)
    article.status = Article.Status.RETIRED
    bump_version(article)
    article.save()
    record(actor=actor, action=Action.TRANSITION, obj=article, before={"status": before["status"]},
           after={"status": article.status}, note=(reason or "").strip()[:NOTE_MAX])
    return article


def record_use(*, actor, article_id: int) -> int:
    """Count one insertion of an approved article into a reply; returns the new count. Not audited:
    it records no personal data, and the reply itself is recorded by the ticket."""
    qs = insertable_articles(actor).filter(pk=article_id)
    updated = qs.update(use_count=F("use_count") + 1)
    if not updated:
        raise NotFound(_("No such approved standard reply."))
    return Article.objects.filter(pk=article_id).values_list("use_count", flat=True).get()

