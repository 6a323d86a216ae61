"""Quality inspection 质检 (SPEC §5): scorecards with their versions, reviews, appeals and calibration.

- R-QA-1 A scorecard is versioned: editing one writes a new version (``Scorecard`` row with the same
  ``family`` and ``version`` + 1) and retires the old one; a review points at the version it was scored
  with, so old reviews keep their items and weights. Items carry a weight (points) and may be critical
  (致命项, weight 0): a failed critical item fails the whole review and sets its score to 0.
- R-QA-2 Reviews count towards an agent's monthly quota; the reviewed agent may appeal a review (a
  department head decides); mystery-customer reviews (神秘客户, R-QA-3) carry their own flag.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel

USER = settings.AUTH_USER_MODEL


class Scorecard(models.Model):
    """One version of a scorecard. Versions of one scorecard share ``family``; only the newest is active.
    Scorecards are the installation's (the shipped default comes with the data migration)."""

    family = models.PositiveIntegerField(_("scorecard"), help_text=_("Versions of one scorecard share this number."))
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("in use"), default=True)
    is_default = models.BooleanField(_("shipped default"), default=False)
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["family", "-version"]
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="uniq_scorecard_version")]
        indexes = [models.Index(fields=["active"], name="qa_scorecard_active")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardItem(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items",
                                  verbose_name=_("scorecard"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (points)"), default=0)
    description = models.CharField(_("description"), max_length=500, blank=True)
    guide = models.TextField(_("scoring guide"), blank=True)
    critical = models.BooleanField(_("critical item (致命项)"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["scorecard_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "code"], name="uniq_scorecard_item_code")]

    def __str__(self) -> str:
        return self.name


class Review(VersionedModel):
    """A QA review of one ticket (the agent is the ticket's owner when it was reviewed)."""

    class AppealState(models.TextChoices):
        NONE = "", _("Not appealed")
        PENDING = "pending", _("Appeal awaiting a decision")
        UPHELD = "upheld", _("Appeal upheld")
        REJECTED = "rejected", _("Appeal rejected")

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="+", verbose_name=_("ticket"))
    agent = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="qa_reviews", verbose_name=_("agent"))
    team = models.ForeignKey("org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector"))
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="reviews",
                                  verbose_name=_("scorecard version"))
    score = models.PositiveSmallIntegerField(_("score"))
    original_score = models.PositiveSmallIntegerField(_("score before the appeal"))
    failed = models.BooleanField(_("failed on a critical item"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    quoted_message = models.TextField(_("quoted message"), blank=True)
    mystery = models.BooleanField(_("mystery customer (神秘客户)"), default=False)
    created_at = models.DateTimeField(_("reviewed at"), db_index=True)
    appeal_state = models.CharField(_("appeal"), max_length=10, choices=AppealState.choices, blank=True, default="")

    class Meta:
        verbose_name = _("QA review")
        verbose_name_plural = _("QA reviews")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agent", "created_at"], name="qa_review_agent_month"),
            models.Index(fields=["centre", "created_at"], name="qa_review_centre_month"),
            models.Index(fields=["ticket"], name="qa_review_ticket"),
        ]

    def __str__(self) -> str:
        return _("QA review of %(number)s") % {"number": self.ticket.number}


class ReviewScore(models.Model):
    """The points of one item of a review; a critical item has 0 points and ``failed``."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"))
    item = models.ForeignKey(ScorecardItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    failed = models.BooleanField(_("critical item failed"), default=False)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["review_id", "item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="uniq_review_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.points}"


class Appeal(models.Model):
    """An agent's appeal of a review (R-QA-2): once per review; a department head decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("review"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("appealed by"))
    created_at = models.DateTimeField(_("appealed at"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)
    score_before = models.PositiveSmallIntegerField(_("score before"))
    score_after = models.PositiveSmallIntegerField(_("score after"), null=True, blank=True)

    class Meta:
        verbose_name = _("QA appeal")
        verbose_name_plural = _("QA appeals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="qa_appeal_status")]

    def __str__(self) -> str:
        return _("Appeal of the QA review of %(number)s") % {"number": self.review.ticket.number}


class CalibrationSession(models.Model):
    """校准: several inspectors score the same tickets blind; the head's scores are the reference."""

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=100)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("scorecard version"))
    tickets = models.ManyToManyField("tickets.Ticket", related_name="+", verbose_name=_("tickets"))
    reference = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("reference scorer"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CalibrationScore(models.Model):
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="scores",
                                verbose_name=_("session"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    inspector = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector"))
    item = models.ForeignKey(ScorecardItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    failed = models.BooleanField(_("critical item failed"), default=False)

    class Meta:
        verbose_name = _("calibration score")
        verbose_name_plural = _("calibration scores")
        constraints = [models.UniqueConstraint(fields=["session", "ticket", "inspector", "item"],
                                               name="uniq_calibration_score")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.ticket_id}/{self.inspector_id}/{self.item_id}: {self.points}"


# -- automatic checks on every ticket (issue 11) ------------------------------------------------------

class CheckRule(VersionedModel):
    """One automatic check, as data QA inspectors and heads edit: its phrases (one list per check) and the
    points it takes off the ticket's automatic score (0–100) when it fails. Seeded by a data migration;
    ``version`` guards concurrent edits through the API (a stale version → 409)."""

    class Kind(models.TextChoices):
        GREETING = "greeting", _("Greeting in the first reply")
        CLOSING = "closing", _("Closing in the last reply")
        FORBIDDEN = "forbidden", _("Forbidden phrases (服务禁语)")
        FIRST_RESPONSE = "first_response", _("First response within the time limit")
        RESOLUTION = "resolution", _("Resolved within the time limit")
        STANDARD_REPLY = "standard_reply", _("Standard reply used")

    kind = models.CharField(_("check"), max_length=20, choices=Kind.choices, unique=True)
    phrases = models.JSONField(_("phrases"), default=list, blank=True)
    weight = models.PositiveSmallIntegerField(_("points taken off when it fails"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("changed by"))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("automatic check")
        verbose_name_plural = _("automatic checks")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class TicketCheck(models.Model):
    """The automatic checks' result for one ticket: its score (0–100) and whether any check failed."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("ticket"))
    centre = models.ForeignKey("org.Centre", on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    agent = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("agent"))
    score = models.PositiveSmallIntegerField(_("automatic score"), default=100)
    flagged = models.BooleanField(_("flagged"), default=False)
    results = models.JSONField(_("results"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("automatic check result")
        verbose_name_plural = _("automatic check results")
        indexes = [models.Index(fields=["flagged", "checked_at"], name="qa_check_flagged"),
                   models.Index(fields=["agent", "checked_at"], name="qa_check_agent"),
                   # the sample's "flagged" risk: the flagged ones among a month's tickets (a small index)
                   models.Index(fields=["ticket"], condition=models.Q(flagged=True), name="qa_check_flagged_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class CheckFlag(models.Model):
    """One failed automatic check of a ticket (kept while it still fails; ``raised_at`` is when it first
    failed, for the weekly trends)."""

    check_result = models.ForeignKey(TicketCheck, on_delete=models.CASCADE, related_name="flags",
                                     verbose_name=_("result"))
    kind = models.CharField(_("check"), max_length=20, choices=CheckRule.Kind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)

    class Meta:
        verbose_name = _("automatic check flag")
        verbose_name_plural = _("automatic check flags")
        ordering = ["check_result_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["check_result", "kind"], name="uniq_check_flag_kind")]

    def __str__(self) -> str:
        return f"{self.check_result_id}: {self.kind}"


# -- the weekly QA summary (R-QA-3) -------------------------------------------------------------------

class WeeklySummary(VersionedModel):
    """A department's QA summary of one ISO week: drafted on Monday, edited and published by a head or QA."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    week_start = models.DateField(_("week (Monday)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    text = models.TextField(_("text"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    created_at = models.DateTimeField(_("drafted at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("published by"))
    training_plan_id = models.PositiveIntegerField(_("training plan"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly QA summary")
        verbose_name_plural = _("weekly QA summaries")
        ordering = ["-week_start", "department_id"]
        constraints = [models.UniqueConstraint(fields=["department", "week_start"], name="uniq_weekly_summary")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.week_start:%G-W%V}"
