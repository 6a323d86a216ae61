"""Standard replies 统一答复口径 (R-TIC-9): categories, articles and their versions.

An article's text lives in its versions. A version is proposed (pending), then approved or rejected
by a department head (or director, administrator); the approved version in force is the article's
``current_version`` and is the only text agents see and insert into replies.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel


class Category(VersionedModel):
    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="knowledge_categories",
                               verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent category"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="uniq_knowledge_category_name")]

    def __str__(self) -> str:
        return self.name


class Article(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="knowledge_articles",
                               verbose_name=_("centre"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles",
                                 verbose_name=_("category"))
    title = models.CharField(_("title"), max_length=200)
    current_version = models.ForeignKey("ArticleVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("version in force"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    # Words of title + keywords + body, space-separated and padded (" 申请 退款 的 流程 … "): see segment.py.
    search_text = models.TextField(_("search words"), blank=True, default="")
    title_text = models.TextField(_("title words"), blank=True, default="")

    class Meta:
        verbose_name = _("standard reply")
        verbose_name_plural = _("standard replies")
        ordering = ["id"]
        indexes = [models.Index(fields=["centre", "status"], name="knowledge_article_status")]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUPERSEDED = "superseded", _("Replaced before a decision")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("written by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("rejected by"))
    reviewed_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    review_note = models.CharField(_("reason for rejection"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("standard reply version")
        verbose_name_plural = _("standard reply versions")
        ordering = ["article_id", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="uniq_article_version_number")]
        indexes = [models.Index(fields=["status"], name="knowledge_version_status")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.split(",") if k]
