"""Shifts, leave, attendance and violations (SPEC §4, R-WFM-1 … R-WFM-5, R-ORG-4).

Times of day are local (the organisation's zone, default Asia/Shanghai); every shift and leave also
carries its moments as aware datetimes (``start_at``/``end_at``) so that rules compare instants. A shift
whose end is not after its start crosses midnight and ends the next day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel


def private_files() -> FileSystemStorage:
    """Medical certificates and evidence are personal data: kept under DATA_DIR, never under the public
    MEDIA_ROOT; they are served only through a view that checks the caller's scope."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "workforce", base_url=None)


class ShiftKind(models.TextChoices):
    DAY = "day", _("Day shift")
    NIGHT = "night", _("Night shift")
    CUSTOM = "custom", _("Custom shift")


def shift_moments(day: dt.date, start: dt.time, end: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """The aware start and end of a shift on ``day`` (an end not after the start is the next day)."""
    tz = timezone.get_default_timezone()
    start_at = timezone.make_aware(dt.datetime.combine(day, start), tz)
    end_day = day if end > start else day + dt.timedelta(days=1)
    end_at = timezone.make_aware(dt.datetime.combine(end_day, end), tz)
    return start_at, end_at


class ShiftType(VersionedModel):
    """A kind of shift of a centre (早班, 晚班, 夜班 …) with its hours, breaks and work type (R-WFM-1)."""

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="shift_types",
                               verbose_name=_("centre"))
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=8, choices=ShiftKind.choices, default=ShiftKind.DAY)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"), help_text=_("An end not after the start is on the next day."))
    breaks = models.JSONField(_("breaks"), default=list, blank=True,
                              help_text=_('Pairs of local times, e.g. [["12:00", "13:00"]].'))
    work_type = models.CharField(_("work type / skill"), max_length=50, blank=True)
    headcount = models.PositiveIntegerField(_("headcount per team"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift type")
        verbose_name_plural = _("shift types")
        ordering = ["start", "id"]
        constraints = [models.UniqueConstraint(fields=["centre", "code"], name="uniq_shift_type_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


class Shift(VersionedModel):
    """One person's shift on one day of a team's roster (R-WFM-1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts",
                               verbose_name=_("person"))
    team = models.ForeignKey("org.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="shifts",
                             verbose_name=_("team"))
    date = models.DateField(_("date"))
    shift_type = models.ForeignKey(ShiftType, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="shifts", verbose_name=_("shift type"))
    kind = models.CharField(_("kind"), max_length=8, choices=ShiftKind.choices, default=ShiftKind.DAY)
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))
    start_at = models.DateTimeField(_("starts at"))
    end_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    leave = models.ForeignKey("workforce.LeaveRequest", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="freed_shifts", verbose_name=_("freed by leave"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["date", "start_at", "id"]
        indexes = [
            models.Index(fields=["team", "date"], name="wfm_shift_team_date"),
            models.Index(fields=["person", "start_at"], name="wfm_shift_person_start"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.date:%Y-%m-%d} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def on_leave(self) -> bool:
        return self.leave_id is not None


class LeaveKind(models.TextChoices):
    PERSONAL = "personal", _("Personal leave")
    SPECIAL_PERSONAL = "special_personal", _("Special personal leave")
    SICK = "sick", _("Sick leave")
    ANNUAL = "annual", _("Annual leave")
    OTHER = "other", _("Other leave")


class LeaveRequest(VersionedModel):
    """请假 (R-WFM-4): asked by the person (or, for sick leave and by a manager, for them), decided by the
    department head (≤ 1 day) or the centre director (> 1 day, or touching a public holiday)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class ApproverRole(models.TextChoices):
        HEAD = "head", _("Department head")
        DIRECTOR = "director", _("Centre director")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="leave_requests",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=20, choices=LeaveKind.choices)
    start_at = models.DateTimeField(_("from"))
    end_at = models.DateTimeField(_("until"))
    days = models.PositiveIntegerField(_("days"), default=1)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    approver_role = models.CharField(_("approver"), max_length=10, choices=ApproverRole.choices)
    touches_holiday = models.BooleanField(_("touches a public holiday"), default=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("filed by"))
    manager_approved = models.BooleanField(
        _("filed by a manager"), default=False,
        help_text=_("A lead or head filed it for the person: their explicit approval of the notice (R-WFM-4)."))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    certificate = models.FileField(_("medical certificate"), upload_to="leave-certificates/%Y/%m/", blank=True,
                                   storage=private_files)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "start_at"], name="wfm_leave_person_start"),
            models.Index(fields=["status", "approver_role"], name="wfm_leave_status_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {timezone.localtime(self.start_at):%Y-%m-%d %H:%M}"

    def needs_certificate(self, certificate_days: int) -> bool:
        """R-WFM-4: sick leave of ``certificate_days`` (setting, default 1) or more needs a medical certificate."""
        long = self.end_at - self.start_at >= dt.timedelta(days=certificate_days)
        return self.kind == LeaveKind.SICK and long and not self.certificate


class AnnualLeaveEntitlement(VersionedModel):
    """年假: the days of annual leave a person has in a calendar year (R-WFM-4)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="annual_entitlements", verbose_name=_("person"))
    year = models.PositiveIntegerField(_("year"))
    days = models.PositiveIntegerField(_("days"))

    class Meta:
        verbose_name = _("annual leave entitlement")
        verbose_name_plural = _("annual leave entitlements")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="uniq_annual_entitlement")]

    def __str__(self) -> str:
        return f"{self.person} {self.year}: {self.days}"


class Attendance(VersionedModel):
    """Check-in/out for one shift (R-WFM-5), by the person or recorded by a lead."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances",
                               verbose_name=_("person"))
    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="attendance",
                                 verbose_name=_("shift"))
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True,
                                       help_text=_("Empty when the person did not come (absence)."))
    absent = models.BooleanField(_("absent (旷工)"), default=False,
                                 help_text=_("No check-in and no approved leave by the shift's end."))
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("minutes late"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-check_in_at", "-id"]

    def __str__(self) -> str:
        if self.check_in_at is None:
            return f"{self.person} {self.shift_id} absent"
        return f"{self.person} {timezone.localtime(self.check_in_at):%Y-%m-%d %H:%M}"


class Violation(models.Model):
    """违纪 (R-ORG-4): recorded at once, with the rule broken, evidence and who recorded it."""

    class Kind(models.TextChoices):
        LATE = "late", _("Late arrival")
        AWAY = "away", _("Away from the post")
        ABSENCE = "absence", _("Absence (旷工)")
        OTHER = "other", _("Other")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="violations",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    rule = models.CharField(_("rule broken"), max_length=20)
    evidence = models.TextField(_("evidence"))
    attachment = models.FileField(_("attachment"), upload_to="violations/%Y/%m/", blank=True,
                                  storage=private_files)
    shift = models.ForeignKey(Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="violations",
                              verbose_name=_("shift"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "at"], name="wfm_violation_person_at")]

    def __str__(self) -> str:
        return f"{self.person} {self.rule} {timezone.localtime(self.at):%Y-%m-%d}"
