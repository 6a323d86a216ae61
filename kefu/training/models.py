"""Training (R-TRN-1): courses with their materials and question bank, sessions with attendance, exams
drawn from the bank with automatic scoring, and training plans that assign courses to agents.

A course's ``tags`` are topics or skills, e.g. the QA scorecard item codes (服务用语, 服务态度, 语气语调,
需求归纳, 应变能力): a plan made from QA weak points (短板, R-QA-3) assigns the courses whose tags match.

An exam attempt keeps what it was drawn with (``seed`` and ``question_ids``) and what was answered, so its
result reads the same later whatever happens to the bank.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import VersionedModel


def private_files() -> FileSystemStorage:
    """Course materials are internal documents: kept under DATA_DIR, never under the public MEDIA_ROOT, and
    served only through a view that checks the caller belongs to the course's centre."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "training", base_url=None)


class Course(VersionedModel):
    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="training_courses",
                               verbose_name=_("centre"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = models.JSONField(_("topics and skills"), default=list, blank=True)
    exam_questions = models.PositiveSmallIntegerField(_("questions per exam"), default=10)
    exam_minutes = models.PositiveSmallIntegerField(_("exam time limit (minutes)"), default=20)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["centre", "title"], name="uniq_training_course_title")]

    def __str__(self) -> str:
        return self.title


class Material(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="materials", verbose_name=_("course"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="materials/%Y/%m/", blank=True, storage=private_files)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")
        ordering = ["course_id", "id"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("trainer"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """One invited person of a session; ``status`` stays ``invited`` until the trainer or a lead records it."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("session"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices, default=Status.INVITED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session attendance")
        verbose_name_plural = _("session attendance")
        ordering = ["session_id", "person_id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="uniq_training_attendance")]

    def __str__(self) -> str:
        return f"{self.session}: {self.person}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions", verbose_name=_("course"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("question"))
    # the options as shown (a true/false question: ["正确", "错误"] in the interface's words) and the indexes
    # of the right ones
    choices = models.JSONField(_("options"), default=list)
    correct = models.JSONField(_("right answers"), default=list)
    explanation = models.TextField(_("explanation"), blank=True)
    active = models.BooleanField(_("in the bank"), default=True)

    class Meta:
        verbose_name = _("exam question")
        verbose_name_plural = _("exam questions")
        ordering = ["course_id", "id"]
        indexes = [models.Index(fields=["course", "active"], name="training_question_bank")]

    def __str__(self) -> str:
        return self.text[:60]


class Plan(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Assigned by hand")
        QA_WEAK_ITEMS = "qa_weak_items", _("From QA weak points")

    centre = models.ForeignKey("org.Centre", on_delete=models.PROTECT, related_name="training_plans",
                               verbose_name=_("centre"))
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """A course someone must take by ``due``; done once they pass its exam (or, without a question bank,
    once they attended a session of it)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments", null=True, blank=True,
                             verbose_name=_("training plan"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name=_("course"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    due = models.DateField(_("due date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["person", "completed_at"], name="training_assignment_open")]

    def __str__(self) -> str:
        return f"{self.person}: {self.course}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        EXPIRED = "expired", _("Time ran out")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("course"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("person"))
    number = models.PositiveSmallIntegerField(_("attempt"))
    seed = models.BigIntegerField(_("draw seed"))
    question_ids = models.JSONField(_("questions drawn"), default=list)
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    correct_count = models.PositiveSmallIntegerField(_("right answers"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark"))
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["course", "person", "number"], name="uniq_training_attempt")]
        indexes = [models.Index(fields=["person", "status"], name="training_attempt_person")]

    def __str__(self) -> str:
        return f"{self.person}: {self.course} ({self.number})"
