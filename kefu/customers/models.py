"""The customer archive (SPEC §2, R-CUS-1 … R-CUS-11).

Stored: what people enter and what jobs compute (grade, next_due, value, churn flags, pool state).
Not stored: urgency and importance — both are derived in queries from ``next_due`` and
``expected_amount`` against today's date and the settings in force, so lists are never stale.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel
from kefu.core.numbers import decimal_range_constraint
from kefu.customers.choices import (
    CareKind,
    DealStatus,
    FollowUpMethod,
    Gender,
    Grade,
    NeedStatus,
    PoolAction,
    ValueTier,
)

USER = settings.AUTH_USER_MODEL
# Money columns (CNY, two places). SQLite does not enforce the digits, and a wider value breaks every
# read of its row, so each money column has a CHECK built from these same figures (R-ERR).
AMOUNT_DIGITS, AMOUNT_PLACES = 14, 2


class Customer(VersionedModel):
    shop = models.ForeignKey("org.Shop", on_delete=models.PROTECT, related_name="+", verbose_name=_("shop"))
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"), help_text=_("Empty: the customer is in the shop's pool."))
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    source_channel = models.CharField(_("source channel"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    wechat = models.CharField(_("WeChat"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    preferences = models.TextField(_("preferences"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    referred_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="referrals", verbose_name=_("referred by"))

    need_status = models.CharField(_("need"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.LATENT)
    deal_status = models.CharField(_("deal status"), max_length=12, choices=DealStatus.choices,
                                   default=DealStatus.PROSPECT)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    expected_amount = models.DecimalField(_("expected deal amount"), max_digits=AMOUNT_DIGITS,
                                          decimal_places=AMOUNT_PLACES, null=True, blank=True)

    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    grade_proposed = models.CharField(_("proposed grade"), max_length=1, choices=Grade.choices)
    grade_reason = models.CharField(_("reason for the grade"), max_length=300, blank=True)

    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    next_due = models.DateField(_("next follow-up due"))

    value_score = models.FloatField(_("value score"), default=0)
    value_tier = models.CharField(_("value tier"), max_length=16, choices=ValueTier.choices,
                                  default=ValueTier.GENERAL)
    churn_risk = models.BooleanField(_("churn risk"), default=False)
    churn_reasons = models.JSONField(_("churn reasons"), default=list, blank=True)
    complaints_total = models.PositiveIntegerField(_("complaints and feedback"), default=0)
    complaints_open = models.PositiveIntegerField(_("open complaints"), default=0)

    owner_since = models.DateTimeField(_("owner since"), null=True, blank=True)
    countdown_from = models.DateField(
        _("pool countdown from"), null=True, blank=True,
        help_text=_("The later of the last follow-up and the day the owner got the customer (R-CUS-10)."),
    )
    pool_entered_at = models.DateTimeField(_("in the pool since"), null=True, blank=True)
    previous_owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                       verbose_name=_("previous owner"))

    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # R-CUS-6 due list: an agent's customers by next_due, then grade.
            models.Index(fields=["owner", "next_due", "grade"], name="cus_due_idx"),
            models.Index(fields=["shop", "owner", "next_due"], name="cus_shop_due_idx"),
            models.Index(fields=["shop", "-id"], name="cus_shop_recent_idx"),
            models.Index(fields=["value_tier", "shop"], name="cus_tier_idx"),
            models.Index(fields=["grade", "countdown_from"], name="cus_pool_clock_idx",
                         condition=models.Q(owner__isnull=False)),
        ]
        constraints = [
            # Not negative (the importer's and the form's rule) and within the column's digits.
            decimal_range_constraint("expected_amount", max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES,
                                     min_value=0, name="cus_expected_amount_range"),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerPhone(models.Model):
    """A phone number, normalized to digits (R-TIC caller matching); ``reversed_number`` makes
    "ends with" searches (phone tail digits) an index prefix search."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=20, db_index=True)
    reversed_number = models.CharField(max_length=20, db_index=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class CustomerTag(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("tag"), max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "tag"], name="uniq_customer_tag")]
        indexes = [models.Index(fields=["tag", "customer"], name="cus_tag_idx")]

    def __str__(self) -> str:
        return self.tag


class FollowUp(models.Model):
    """跟进记录 (R-CUS-5). Every follow-up re-grades the customer and recomputes next_due."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="followups")
    agent = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("agent"))
    at = models.DateTimeField(_("time"))
    method = models.CharField(_("method"), max_length=10, choices=FollowUpMethod.choices)
    content = models.TextField(_("content"))
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    grade_before = models.CharField(max_length=1, choices=Grade.choices)
    grade_after = models.CharField(_("grade after"), max_length=1, choices=Grade.choices)
    next_due_after = models.DateField(_("next due after"))
    was_due = models.DateField(null=True, blank=True, help_text="next_due before this follow-up (on-time check)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["customer", "-at"], name="fu_customer_idx"),
            models.Index(fields=["agent", "at"], name="fu_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.at:%Y-%m-%d}"


class GradeChange(models.Model):
    """Grade history (R-CUS-5): every change of grade, with its reason and source."""

    class Source(models.TextChoices):
        CREATED = "created", _("Created")
        FOLLOWUP = "followup", _("Follow-up")
        OVERRIDE = "override", _("Override")
        IMPORT = "import", _("Import")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="grade_changes")
    at = models.DateTimeField()
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    from_grade = models.CharField(max_length=1, blank=True)
    to_grade = models.CharField(max_length=1)
    proposed = models.CharField(max_length=1)
    reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        indexes = [models.Index(fields=["customer", "-at"], name="gc_customer_idx")]

    def __str__(self) -> str:
        return f"{self.from_grade}→{self.to_grade}"


class Order(models.Model):
    """Orders / purchases (R-CUS-1, R-CUS-7 value inputs)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    shop = models.ForeignKey("org.Shop", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("order number"), max_length=64, blank=True)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    items = models.JSONField(_("items"), default=list, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["customer", "date"], name="order_customer_idx")]
        constraints = [
            # Within the column's digits; a refund may be negative.
            decimal_range_constraint("amount", max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES,
                                     name="order_amount_range"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class CampaignEntry(models.Model):
    """A customer's participation in a campaign (R-CUS-7 value input)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="campaigns")
    campaign = models.CharField(_("campaign"), max_length=100)
    date = models.DateField(_("date"))

    def __str__(self) -> str:
        return self.campaign


class CareTask(models.Model):
    """Care items (R-CUS-9): birthday and holiday greetings, new-year revisit, due on a date."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="care_tasks")
    owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=CareKind.choices)
    title = models.CharField(_("title"), max_length=100)
    due_date = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "kind", "due_date"], name="uniq_care_task")]
        indexes = [models.Index(fields=["owner", "due_date"], name="care_owner_idx")]

    def __str__(self) -> str:
        return self.title


class Reminder(models.Model):
    """An overdue follow-up reminder; one per customer, due date and level, however often the job runs."""

    class Level(models.TextChoices):
        OWNER = "owner", _("Owner")
        LEAD = "lead", _("Team lead")
        POOL_WARNING = "pool", _("Pool warning")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField()
    level = models.CharField(max_length=8, choices=Level.choices)
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "due_date", "level"], name="uniq_reminder")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="reminder_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.due_date} {self.level}"


class PoolEvent(models.Model):
    """Claims, releases, returns and reassignments (R-CUS-10); caps and cool-downs count these."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="pool_events")
    action = models.CharField(max_length=8, choices=PoolAction.choices)
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    from_owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    to_owner = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["actor", "action", "at"], name="pool_actor_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.action}"


class ImportJob(models.Model):
    """An Excel/CSV import (R-CUS-11) running as a background job, with progress and a row report."""

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("Only if every row is valid")
        VALID_ONLY = "valid", _("Import the valid rows only")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip duplicates")
        MERGE = "merge", _("Merge into the existing customer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused: the file has errors")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey("org.Shop", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    on_duplicate = models.CharField(max_length=8, choices=OnDuplicate.choices, default=OnDuplicate.SKIP)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress_pct(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
