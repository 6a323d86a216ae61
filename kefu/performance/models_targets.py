"""KPI targets per team and the versioned assessment weights (R-KPI-1). Imported at the end of
``kefu.performance.models`` so that they belong to the performance app."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TARGET_MAX = 100
WEIGHT_MAX = 100


class KpiTarget(models.Model):
    """A team's own target for one KPI; without a row the centre's rule setting ``performance.target.<kpi>``
    is the team's target."""

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    kpi = models.CharField(_("KPI"), max_length=40)
    value = models.PositiveSmallIntegerField(_("target"), validators=[MaxValueValidator(TARGET_MAX)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("team KPI target")
        verbose_name_plural = _("team KPI targets")
        ordering = ["team_id", "kpi"]
        constraints = [models.UniqueConstraint(fields=["team", "kpi"], name="uniq_kpi_target_team_kpi")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kpi} {self.value}"


class AssessmentWeights(models.Model):
    """One version of the assessment score's weights (R-KPI-1, used by R-ORG-3). A change is a new version
    with the day it takes effect; an old version is never changed. A period's score uses the version in
    force on the period's first day (the newest version whose ``effective_from`` is on or before it)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    fcr = models.PositiveSmallIntegerField(_("first-contact resolution"), validators=[MaxValueValidator(WEIGHT_MAX)])
    sla = models.PositiveSmallIntegerField(_("within the time limit"), validators=[MaxValueValidator(WEIGHT_MAX)])
    csat = models.PositiveSmallIntegerField(_("satisfaction"), validators=[MaxValueValidator(WEIGHT_MAX)])
    qa = models.PositiveSmallIntegerField(_("QA score"), validators=[MaxValueValidator(WEIGHT_MAX)])
    discipline = models.PositiveSmallIntegerField(_("discipline"), validators=[MaxValueValidator(WEIGHT_MAX)])
    effective_from = models.DateField(_("in force from"))
    change_note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment weights")
        verbose_name_plural = _("assessment weights")
        ordering = ["-version"]
        indexes = [models.Index(fields=["effective_from", "version"], name="perf_weights_in_force")]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from:%Y-%m-%d})"
