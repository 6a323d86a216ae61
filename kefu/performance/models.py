"""Performance: the 3E daily log (R-KPI-3); KPI and reports come next (R-KPI-1, R-KPI-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel


class DailyLog(VersionedModel):
    """3E 日志 (每人·每天·每件事): what one agent was asked, discussed, solved, left open, needs help with,
    and plans for tomorrow. One per person per day."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_logs",
                               verbose_name=_("person"))
    date = models.DateField(_("date"))
    products = models.TextField(_("products asked about"), blank=True)
    discussed = models.TextField(_("discussed"), blank=True)
    solved = models.TextField(_("solved"), blank=True)
    open = models.TextField(_("still open"), blank=True)
    help_needed = models.TextField(_("help needed"), blank=True)
    plan = models.TextField(_("tomorrow's plan"), blank=True)
    help_handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("help handled by"))
    help_handled_at = models.DateTimeField(_("help handled at"), null=True, blank=True)
    help_reply = models.CharField(_("reply to the help request"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("3E daily log")
        verbose_name_plural = _("3E daily logs")
        ordering = ["-date", "person_id"]
        constraints = [models.UniqueConstraint(fields=["person", "date"], name="uniq_daily_log_person_date")]
        indexes = [models.Index(fields=["date", "person"], name="perf_dailylog_date_person")]

    def __str__(self) -> str:
        return f"{self.person} {self.date:%Y-%m-%d}"
