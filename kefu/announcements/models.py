"""Announcements (最新通告, R-TIC-10): business changes and promotions that people confirm having read.

The audience is computed when asked, not stored per person: everyone of the centre when ``teams`` is
empty, else the members of those teams — so a person who joins a team later sees its announcements.
An :class:`AnnouncementRead` row exists per person who confirmed or was reminded.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel

USER = settings.AUTH_USER_MODEL


class Kind(models.TextChoices):
    BUSINESS_CHANGE = "business_change", _("Business change")
    PROMOTION = "promotion", _("Promotion")
    OTHER = "other", _("Other")


class Announcement(VersionedModel):
    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BUSINESS_CHANGE)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("published by"))
    teams = models.ManyToManyField("org.Team", blank=True, related_name="+", verbose_name=_("teams"),
                                   help_text=_("Empty: everyone in the centre."))
    requires_confirmation = models.BooleanField(_("requires confirmation"), default=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("withdrawn by"))

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["centre", "-published_at"], name="announcement_centre_idx")]

    def __str__(self) -> str:
        return self.title

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.withdrawn_at is None and self.published_at <= now
                and (self.expires_at is None or self.expires_at > now))


class AnnouncementRead(models.Model):
    """A person's receipt of an announcement: confirmed (``confirmed_at``) and/or reminded (``reminded_at``)."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads",
                                     verbose_name=_("announcement"))
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        verbose_name = _("announcement confirmation")
        verbose_name_plural = _("announcement confirmations")
        constraints = [models.UniqueConstraint(fields=["announcement", "person"], name="uniq_announcement_read")]
        indexes = [models.Index(fields=["person", "confirmed_at"], name="announcement_read_person_idx")]

    def __str__(self) -> str:
        return f"{self.announcement_id} {self.person_id} {self.confirmed_at or '-'}"
