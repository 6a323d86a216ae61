"""The audit trail (R-AUD): append-only. Rows are written by :func:`kefu.audit.services.record`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadOnlyAuditError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ReadOnlyAuditError("The audit trail cannot be changed.")

    def delete(self):
        raise ReadOnlyAuditError("The audit trail cannot be deleted.")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        TRANSITION = "transition", _("Status changed")
        VIEW = "view", _("Viewed personal data")
        EXPORT = "export", _("Exported personal data")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        TOKEN = "token", _("API token")

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("who"), db_constraint=False,
        db_index=False,  # audit_actor_idx below leads with it; every index is written on every event
    )
    actor_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    centre_id = models.BigIntegerField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        # Integrity guard, not business flow: an existing audit row is never rewritten.
        if self.pk is not None:
            raise ReadOnlyAuditError("The audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReadOnlyAuditError("The audit trail cannot be deleted.")
