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
    swap = models.ForeignKey("workforce.ShiftSwap", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("came by swap"),
                             help_text=_("The approved swap (换班) that gave this shift to its person."))
    proposal = models.ForeignKey("workforce.PlanProposal", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="shifts", verbose_name=_("from proposal"))
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

    @property
    def moments_text(self) -> str:
        """"2026-12-07 22:00 – 2026-12-08 06:00" in local time: the roster cell's tooltip. Formatted here
        because two ``date`` filters per cell were a seventh of the roster page's time (bench/README.md)."""
        return f"{timezone.localtime(self.start_at):%Y-%m-%d %H:%M} – {timezone.localtime(self.end_at):%Y-%m-%d %H:%M}"


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
    certificate_due = models.DateField(_("certificate due"), null=True, blank=True,
                                       help_text=_("The first day back: a sick leave of a day or more needs its "
                                                   "medical certificate by then (R-WFM-4)."))
    certificate_reminded_at = models.DateTimeField(_("certificate reminder sent"), null=True, blank=True)
    certificate_flagged_at = models.DateTimeField(_("certificate flagged missing"), null=True, blank=True)
    delegated_from = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("decided on behalf of"))
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


# -- people: skills and level (R-WFM-1, R-ORG-3) ----------------------------------------------------------

class Level(VersionedModel):
    """A step of the level ladder (客服等级, R-ORG-3): 试用 → 铁牌 → 铜牌 → 银牌 → 金牌, with its criteria."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("0 for the first level."))
    base_pay = models.DecimalField(_("base pay"), max_digits=10, decimal_places=2, default=0)
    min_months = models.PositiveSmallIntegerField(_("months of service at least"), default=0)
    clean_months = models.PositiveSmallIntegerField(_("months without a violation"), default=0)
    min_score = models.DecimalField(_("assessment score at least"), max_digits=5, decimal_places=2, default=0)
    approver_role = models.CharField(_("approved by"), max_length=10, default="lead",
                                     help_text=_("lead, head or director"))
    skills = models.JSONField(_("skills it opens"), default=list, blank=True,
                              help_text=_('Skills only this level and above take, e.g. ["vip"].'))

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class WorkerProfile(VersionedModel):
    """What the roster and assignment need to know of a person: skills (work types, shops, VIP), the day
    they started (months of service) and their current level."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker_profile",
                                  verbose_name=_("person"))
    skills = models.JSONField(_("skills"), default=list, blank=True,
                              help_text=_('Work types and skills, e.g. ["phone", "online", "vip"].'))
    shops = models.ManyToManyField("org.Shop", blank=True, related_name="+", verbose_name=_("shops"))
    hired_on = models.DateField(_("in service since"), null=True, blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True, related_name="people",
                              verbose_name=_("level"))
    max_shifts_per_week = models.PositiveSmallIntegerField(_("shifts per week at most"), null=True, blank=True)

    class Meta:
        verbose_name = _("worker profile")
        verbose_name_plural = _("worker profiles")

    def __str__(self) -> str:
        return str(self.person)


class AssessmentScore(models.Model):
    """考核分 of a person for a month: entered by the head until KPI computes it (R-ORG-3)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assessment_scores",
                               verbose_name=_("person"))
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, default="manual")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="uniq_assessment_month")]

    def __str__(self) -> str:
        return f"{self.person} {self.month:%Y-%m} {self.score}"


class LevelApplication(VersionedModel):
    """An agent's application for the next level; the criteria as checked when applying are kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="level_applications",
                               verbose_name=_("person"))
    from_level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("from level"))
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="applications", verbose_name=_("level"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    criteria = models.JSONField(_("criteria checked"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("applied at"), default=timezone.now)

    class Meta:
        verbose_name = _("level application")
        verbose_name_plural = _("level applications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} → {self.level}"


# -- delegation of approvals (R-WFM-4) --------------------------------------------------------------------

class Delegation(VersionedModel):
    """An approver away hands their approvals to a named delegate for that time."""

    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations",
                                 verbose_name=_("approver"))
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="delegated_to_me", verbose_name=_("delegate"))
    start_at = models.DateTimeField(_("from"))
    end_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-start_at", "-id"]
        indexes = [models.Index(fields=["delegate", "start_at"], name="wfm_delegation_delegate")]

    def __str__(self) -> str:
        return f"{self.approver} → {self.delegate}"


# -- roll call, duty log, handover (R-WFM-1, R-WFM-2) ----------------------------------------------------

class RollCallMark(VersionedModel):
    """点名: the lead's mark for one person's shift, from 10 minutes before it starts, with a comment (点评)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        ON_LEAVE = "leave", _("On leave")

    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="roll_call", verbose_name=_("shift"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    comment = models.CharField(_("comment (点评)"), max_length=300, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("marked by"))
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("roll call mark")
        verbose_name_plural = _("roll call marks")

    def __str__(self) -> str:
        return f"{self.shift_id} {self.status}"


class DutyLogEntry(models.Model):
    """值班日志: what happened during a team's shift, written by the people on duty."""

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="duty_log", verbose_name=_("team"))
    shift = models.ForeignKey(Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="duty_log",
                              verbose_name=_("shift"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    text = models.TextField(_("entry"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["team", "at"], name="wfm_dutylog_team_at")]

    def __str__(self) -> str:
        return f"{self.team_id} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class Handover(VersionedModel):
    """交接班 (R-WFM-2): written by the outgoing person; signed off only once the incoming person has
    checked in; acknowledged by the incoming person."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED_OFF = "signed_off", _("Signed off")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    outgoing_shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="handover_out",
                                          verbose_name=_("outgoing shift"))
    incoming_shift = models.ForeignKey(Shift, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="handovers_in", verbose_name=_("incoming shift"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("outgoing person"))
    equipment = models.TextField(_("equipment state"), blank=True)
    difficult_cases = models.TextField(_("difficult cases"), blank=True)
    tickets = models.ManyToManyField("tickets.Ticket", blank=True, related_name="+",
                                     verbose_name=_("linked tickets"))
    staffing = models.TextField(_("staffing changes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+", verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.author} {self.outgoing_shift_id}"


# -- shift swaps (R-WFM-3) --------------------------------------------------------------------------------

class ShiftSwap(VersionedModel):
    """换班: two people exchange shifts; both team leads approve (one when both are in one team). The
    requester owes the other a shift back (还班) until a swap marked as its pay-back is approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="swaps_asked",
                                  verbose_name=_("asked by"))
    counterpart = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="swaps_offered", verbose_name=_("swap with"))
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swaps_out",
                              verbose_name=_("requester's shift"))
    with_shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swaps_in",
                                   verbose_name=_("counterpart's shift"))
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requester_lead_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                                   blank=True, related_name="+",
                                                   verbose_name=_("approved by the requester's lead"))
    counterpart_lead_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                                     null=True, blank=True, related_name="+",
                                                     verbose_name=_("approved by the counterpart's lead"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    payback_for = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="paybacks", verbose_name=_("pays back (还班)"))
    paid_back = models.BooleanField(_("paid back"), default=False)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requester", "created_at"], name="wfm_swap_requester"),
                   models.Index(fields=["counterpart", "created_at"], name="wfm_swap_counterpart")]

    def __str__(self) -> str:
        return f"{self.requester} ⇄ {self.counterpart}"


# -- breaks (暂停接单) and away time (R-WFM-5) -------------------------------------------------------------

class AwayPeriod(models.Model):
    """A break from taking tickets (暂停接单) during a shift, recorded from the desk's toggle; away for
    20 minutes or more without leave is a violation (R-WFM-5)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods",
                               verbose_name=_("person"))
    shift = models.ForeignKey(Shift, on_delete=models.SET_NULL, null=True, blank=True, related_name="away_periods",
                              verbose_name=_("shift"))
    start_at = models.DateTimeField(_("from"))
    end_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    violation = models.ForeignKey(Violation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("violation"))

    class Meta:
        verbose_name = _("break")
        verbose_name_plural = _("breaks")
        ordering = ["-start_at", "-id"]
        indexes = [models.Index(fields=["person", "start_at"], name="wfm_away_person_start")]

    def __str__(self) -> str:
        return f"{self.person} {timezone.localtime(self.start_at):%Y-%m-%d %H:%M}"


# -- shift plan proposals (OR-Tools) ----------------------------------------------------------------------

class PlanProposal(VersionedModel):
    """A proposed week roster for a team, built by the solver in the background; its shifts are drafts the
    lead edits, then publishes."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready for review")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="plan_proposals",
                             verbose_name=_("team"))
    week_start = models.DateField(_("week of"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("asked by"))
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift plan proposal")
        verbose_name_plural = _("shift plan proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.team} {self.week_start:%Y-%m-%d}"


class CalendarFeed(models.Model):
    """The secret address of a person's schedule as an .ics feed for the phone's calendar."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed",
                                  verbose_name=_("person"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.person)
