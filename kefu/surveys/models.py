"""Customer surveys (R-SAT-1): the RATER questionnaire sent to a sample of customers as a public link.

RATER (SERVQUAL's five dimensions): reliability, assurance, tangibles, empathy, responsiveness. A survey
scores a period; each invited customer gets one secret link that answers once and expires. CSAT after
callbacks is kept with the callback (tickets app) and only read here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel


class Dimension(models.TextChoices):
    RELIABILITY = "reliability", _("Reliability")
    ASSURANCE = "assurance", _("Assurance")
    TANGIBLES = "tangibles", _("Tangibles")
    EMPATHY = "empathy", _("Empathy")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")


DIMENSIONS: tuple[str, ...] = tuple(Dimension.values)


class Survey(VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    title = models.CharField(_("title"), max_length=100)
    intro = models.CharField(_("introduction"), max_length=500, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    text = models.CharField(_("question"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """One customer's secret link: answers once, until it expires."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations",
                               verbose_name=_("survey"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("customer"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("ticket"))
    team = models.ForeignKey("org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "customer"], name="uniq_survey_customer")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.customer_id}"


class Response(models.Model):
    """The answer given through one link; the dimension averages are kept for the trend charts."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response",
                                      verbose_name=_("invitation"))
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey"))
    team = models.ForeignKey("org.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    submitted_at = models.DateTimeField(_("answered at"), default=timezone.now)
    scores = models.JSONField(_("scores"), default=dict, help_text=_("Question id → 1 … 5."))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    reliability = models.DecimalField(_("reliability"), max_digits=3, decimal_places=2, null=True)
    assurance = models.DecimalField(_("assurance"), max_digits=3, decimal_places=2, null=True)
    tangibles = models.DecimalField(_("tangibles"), max_digits=3, decimal_places=2, null=True)
    empathy = models.DecimalField(_("empathy"), max_digits=3, decimal_places=2, null=True)
    responsiveness = models.DecimalField(_("responsiveness"), max_digits=3, decimal_places=2, null=True)
    overall = models.DecimalField(_("overall"), max_digits=3, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["submitted_at"], name="survey_response_at")]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.invitation_id}"
