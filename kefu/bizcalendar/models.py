"""The business calendar (R-CAL): administrators' overrides of the packaged official schedule.

There is one calendar per installation: every centre, every SLA (R-TIC-4) and every rule that speaks of
holidays or business hours reads the same days. Official public holidays and adjusted working days (调休)
come from the ``chinese_calendar`` package for the years it knows; a :class:`CalendarDay` row overrides
the package for its date (or supplies the schedule for a year the package does not know yet).

Rows are written only through :mod:`kefu.bizcalendar.services` (or the audited admin); reads go through
:mod:`kefu.bizcalendar.selectors`, which caches a year's overrides.
"""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One date that an administrator declared a holiday or a working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="bizcalendar_day_changed")
def _day_changed(**kwargs) -> None:
    """Any write of an override (services, admin, fixtures) clears the selectors' cache."""
    from kefu.bizcalendar.selectors import invalidate_cache

    invalidate_cache()


@receiver(post_migrate, dispatch_uid="bizcalendar_flushed")
def _tables_reset(**kwargs) -> None:
    """``flush`` (e.g. between transactional tests) deletes rows without signals; it ends in post_migrate."""
    from kefu.bizcalendar.selectors import clear_cache

    clear_cache()
