"""In-app notifications (the bell) and the record of the e-mail sent for each.

A notification is a message to one person; the event behind it (a ticket assigned, an announcement
published …) is recorded in the audit trail by the service that caused it (R-AUD).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The known kinds. ``Notification.kind`` is a free short code: apps may add their own; unknown codes
    are shown as they are."""

    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned")
    HANDOVER_TASK = "handover_task", _("Handover task")
    SLA_WARNING = "sla_warning", _("Time limit warning")
    SLA_BREACH = "sla_breach", _("Time limit breached")
    ESCALATION = "escalation", _("Escalation")
    ESCALATION_SKIPPED = "escalation_skipped", _("Escalation past you (emergency)")
    STUCK_TICKET = "stuck_ticket", _("Reminder (催办)")
    SUPERVISION = "supervision", _("Supervision (督办)")
    COMPENSATION = "compensation", _("Compensation")
    FOLLOWUP_OVERDUE = "followup_overdue", _("Follow-up overdue")
    ANNOUNCEMENT = "announcement", _("Announcement")
    TRAINING_ASSIGNED = "training_assigned", _("Training assigned")
    TRAINING_SESSION = "training_session", _("Training session")


KIND_ICONS = {
    Kind.TICKET_ASSIGNED: "ti-ticket",
    Kind.HANDOVER_TASK: "ti-arrows-exchange",
    Kind.SLA_WARNING: "ti-clock-exclamation",
    Kind.SLA_BREACH: "ti-alarm",
    Kind.ESCALATION: "ti-arrow-big-up-lines",
    Kind.ESCALATION_SKIPPED: "ti-arrow-big-up-lines",
    Kind.STUCK_TICKET: "ti-hourglass-empty",
    Kind.SUPERVISION: "ti-eye",
    Kind.COMPENSATION: "ti-coin-yuan",
    Kind.FOLLOWUP_OVERDUE: "ti-phone-call",
    Kind.ANNOUNCEMENT: "ti-speakerphone",
    Kind.TRAINING_ASSIGNED: "ti-school",
    Kind.TRAINING_SESSION: "ti-presentation",
}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        try:
            return str(Kind(self.kind).label)
        except ValueError:
            return self.kind

    @property
    def icon(self) -> str:
        return KIND_ICONS.get(self.kind, "ti-bell")
