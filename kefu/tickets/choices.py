"""Vocabularies of SPEC §3 (R-TIC-1, R-TIC-2, R-TIC-6, R-TIC-7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    QUERY = "query", _("Query")
    SERVICE = "service", _("Service request")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    AFTER_SALES = "after_sales", _("After-sales")
    FAULT = "fault", _("Fault report")


class AfterSalesKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")
    REPLACEMENT = "replacement", _("Replacement")
    REFUND = "refund", _("Refund")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    CHAT = "chat", _("Online chat")
    EMAIL = "email", _("E-mail / letter")
    VISIT = "visit", _("Visit")
    WEB = "web", _("Web form")
    API = "api", _("API")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CALLBACK_DONE = "callback_done", _("Callback done")
    CLOSED = "closed", _("Closed")


class WaitingOn(models.TextChoices):
    CUSTOMER = "customer", _("the customer")
    DEPARTMENT = "department", _("another department")


class Severity(models.TextChoices):
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class Level(models.TextChoices):
    """The escalation ladder of R-TIC-6 (请示报告)."""

    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Team lead")
    HEAD = "head", _("Department head")
    DIRECTOR = "director", _("Centre director")


LADDER = [Level.AGENT, Level.LEAD, Level.HEAD, Level.DIRECTOR]

# R-TIC-2: the allowed transitions. Reopening is "in_progress" from resolved or closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CALLBACK_DONE, Status.CLOSED, Status.IN_PROGRESS}),
    Status.CALLBACK_DONE: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}

OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)
CALLBACK_TYPES = (TicketType.COMPLAINT, TicketType.AFTER_SALES)


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")


class CompensationStatus(models.TextChoices):
    APPROVED = "approved", _("Approved")
    PENDING = "pending", _("Pending approval")
    REJECTED = "rejected", _("Rejected")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REPLY = "reply", _("Reply to the customer")
    NOTE = "note", _("Internal note")
    TRANSITION = "transition", _("Status change")
    HANDOVER = "handover", _("Handed over")
    TASK = "task", _("Department task")
    ESCALATION = "escalation", _("Escalation")
    COMPENSATION = "compensation", _("Compensation")
    CALLBACK = "callback", _("Callback")
    ASSIGNMENT = "assignment", _("Assignment")
    SUPERVISION = "supervision", _("Supervision")
    REMINDER = "reminder", _("Reminder")
    SLA = "sla", _("Time limit")
    MERGE = "merge", _("Merge")
