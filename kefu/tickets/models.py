"""Service tickets (SPEC §3). The owner is the agent who first took the contact (R-TIC-3) and stays
the owner until the ticket is closed; other departments get tasks, not the ticket."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel
from kefu.tickets.choices import (
    OPEN_STATUSES,
    AfterSalesKind,
    Channel,
    CompensationStatus,
    EventKind,
    Level,
    Priority,
    Severity,
    Status,
    TaskStatus,
    TicketType,
    WaitingOn,
)

USER = settings.AUTH_USER_MODEL


class SlaPolicy(models.Model):
    """Time limits per type × priority (R-TIC-4), in minutes of business time (or 7×24)."""

    class Calendar(models.TextChoices):
        BUSINESS = "business", _("Business hours")
        ALWAYS = "24x7", _("7×24")

    centre = models.ForeignKey("org.Centre", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    calendar = models.CharField(_("counted in"), max_length=8, choices=Calendar.choices, default=Calendar.BUSINESS)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [models.UniqueConstraint(fields=["centre", "type", "priority"], name="uniq_sla_policy")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.get_priority_display()}"

def _policies_changed(sender, instance: SlaPolicy, using: str, **kwargs) -> None:
    """Every process reads the time limits from its cache (tickets.sla.limits_for): renew it."""
    from kefu.rules import cache

    cache.invalidate(0, using=using, namespace="sla")  # sla.POLICY_CACHE: one entry for all centres


models.signals.post_save.connect(_policies_changed, sender=SlaPolicy, dispatch_uid="kefu.tickets.slapolicy.saved")
models.signals.post_delete.connect(_policies_changed, sender=SlaPolicy, dispatch_uid="kefu.tickets.slapolicy.deleted")


class Ticket(VersionedModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    # foreign keys whose column leads one of the indexes below have no index of their own: every index
    # is written on every ticket created (bench/README.md, "create")
    shop = models.ForeignKey("org.Shop", on_delete=models.PROTECT, related_name="+", verbose_name=_("shop"),
                             db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("customer"), db_index=False)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    after_sales_kind = models.CharField(_("after-sales kind"), max_length=12, choices=AfterSalesKind.choices,
                                        blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, blank=True)
    root_cause = models.CharField(_("root cause"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    waiting_on = models.CharField(_("waiting on"), max_length=12, choices=WaitingOn.choices, blank=True)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("owner"), db_index=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    escalation_level = models.CharField(_("escalation level"), max_length=10, choices=Level.choices,
                                        default=Level.AGENT)
    supervised = models.BooleanField(_("supervised (督办)"), default=False)
    tags = models.JSONField(_("tags"), default=list, blank=True)

    created_at = models.DateTimeField(_("created at"))
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    sla_calendar = models.CharField(max_length=8, default="business")
    first_responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    sla_state = models.CharField(_("time limit state"), max_length=8, default="ok",
                                 choices=[("ok", _("On time")), ("warning", _("Warning")), ("breached", _("Breached"))])
    last_action_at = models.DateTimeField(_("last action"))
    handling_seconds = models.PositiveIntegerField(_("handling time (s)"), default=0)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged",
                                    db_index=False)  # tic_merged_idx: only the few merged tickets
    related = models.ManyToManyField("self", blank=True, symmetrical=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # an agent's open tickets in SLA order (resolution due first), read in order from the index;
            # only open tickets are in it (a partial index: small, and the SLA-order walk below cannot
            # look cheaper to the planner than it)
            models.Index(fields=["owner", "resolution_due", "id"], name="tic_owner_open_idx",
                         condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["shop", "status", "owner"], name="tic_queue_idx"),
            models.Index(fields=["status", "last_action_at"], name="tic_stuck_idx"),
            # open tickets in SLA order: desks and boards, and the time-limit job (resolution due < now)
            models.Index(fields=["resolution_due", "id"], name="tic_open_due_idx", condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["customer", "-created_at"], name="tic_customer_idx"),
            models.Index(fields=["-created_at"], name="tic_recent_idx"),
            # lists in SLA order, and keyword searches with many matches (selectors.TicketList)
            models.Index(fields=["resolution_due", "id"], name="tic_sla_order_idx"),
            models.Index(fields=["caller_phone"], name="tic_caller_idx"),
            models.Index(fields=["merged_into"], name="tic_merged_idx", condition=Q(merged_into__isnull=False)),
            # the board's 督办 column: only the few supervised tickets are in it (none written on create)
            models.Index(fields=["-last_action_at"], name="tic_supervised_idx", condition=Q(supervised=True)),
            # the lead board per owner (board_selectors.lead_board): stuck = the owner's open tickets by last action;
            # escalated = only the few escalated open tickets (none written on create)
            models.Index(fields=["owner", "last_action_at", "id"], name="tic_owner_action_idx",
                         condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["owner", "last_action_at", "id"], name="tic_escalated_idx",
                         condition=Q(status__in=OPEN_STATUSES) & ~Q(escalation_level="agent")),
            # the desk's queue panel: the unassigned open tickets, oldest first (few rows)
            models.Index(fields=["created_at", "id"], name="tic_queue_order_idx",
                         condition=Q(status__in=OPEN_STATUSES, owner__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class TicketCounter(models.Model):
    """Per day sequence for human-readable numbers (KF20261123-0001)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class TicketEvent(models.Model):
    """The ticket's timeline. ``public`` events are what the customer heard (only from the owner)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=14, choices=EventKind.choices)
    body = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "at"], name="tic_event_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class DepartmentTask(models.Model):
    """协办: work handed to another department, with its own time limit (R-TIC-3)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    note = models.TextField(_("what is needed"))
    due = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    done_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["department", "status", "due"], name="task_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.department_id}"


class Escalation(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    from_level = models.CharField(max_length=10, choices=Level.choices)
    to_level = models.CharField(max_length=10, choices=Level.choices)
    skipped = models.JSONField(default=list, blank=True)
    emergency = models.BooleanField(default=False)
    automatic = models.BooleanField(default=False)
    reason = models.TextField()
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.from_level}→{self.to_level}"


class Compensation(models.Model):
    """R-TIC-7 compensation with authority limits (灵活授权)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="compensations")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=CompensationStatus.choices)
    required_role = models.CharField(_("approved by role"), max_length=10, blank=True)
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "required_role"], name="comp_queue_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} ¥{self.amount}"


class RecoveryAction(models.Model):
    """服务补救: what was done to recover the customer's trust after a complaint (R-TIC-7)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="recovery_actions")
    action = models.CharField(_("action"), max_length=200)
    by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.action


class Callback(models.Model):
    """回访 (R-TIC-8): one per resolution of a complaint or after-sales ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    due = models.DateTimeField(_("due"))
    assigned_to = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    solved = models.BooleanField(null=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "due"], name="callback_queue_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.due:%Y-%m-%d}"


class Attachment(models.Model):
    """Stored under DATA_DIR/attachments, never served without a permission check."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=300)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class AgentAvailability(models.Model):
    """On duty toggle and per-agent cap for automatic assignment (until the workforce roster lands)."""

    person = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="+")
    on_duty = models.BooleanField(default=False)
    max_open = models.PositiveIntegerField(default=30)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id} {'on' if self.on_duty else 'off'}"
