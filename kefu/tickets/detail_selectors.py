"""What the ticket page reads (issue 13): the ticket with the rows it prints beside it, and of its
department tasks, compensations, callbacks, escalations, recovery actions, linked tickets and
attachments only the kinds it has — one statement says which (most tickets have none of most), so the
page builds and runs no query for an empty list. The same rows, in the same order, as
``selectors.ticket_detail``'s prefetches."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from kefu.tickets import attachments
from kefu.tickets.models import (
    Attachment,
    Callback,
    Compensation,
    DepartmentTask,
    Escalation,
    RecoveryAction,
    Ticket,
)

_KINDS = ("tasks", "compensations", "callbacks", "escalations", "recovery_actions", "related", "attachments")


@dataclass
class TicketPage:
    ticket: Ticket
    tasks: list = field(default_factory=list)
    compensations: list = field(default_factory=list)
    callbacks: list = field(default_factory=list)
    escalations: list = field(default_factory=list)
    recovery_actions: list = field(default_factory=list)
    related: list = field(default_factory=list)
    attachments: list = field(default_factory=list)


def _which_sql() -> str:
    tables = [m._meta.db_table for m in (DepartmentTask, Compensation, Callback, Escalation, RecoveryAction)]
    through = Ticket.related.through._meta.db_table
    parts = [f"EXISTS (SELECT 1 FROM {t} WHERE ticket_id = %s)" for t in tables]  # noqa: S608 - model tables
    parts.append(f"EXISTS (SELECT 1 FROM {through} WHERE from_ticket_id = %s)")  # noqa: S608
    parts.append(f"EXISTS (SELECT 1 FROM {Attachment._meta.db_table} WHERE ticket_id = %s)")  # noqa: S608
    return "SELECT " + ", ".join(parts)


_WHICH = None


def kinds_present(ticket_id: int) -> set[str]:
    """Which of the ticket's lists have rows (one statement)."""
    global _WHICH  # noqa: PLW0603 - built once per process
    if _WHICH is None:
        _WHICH = _which_sql()
    with connection.cursor() as cursor:
        cursor.execute(_WHICH, [ticket_id] * len(_KINDS))
        row = cursor.fetchone()
    return {kind for kind, present in zip(_KINDS, row, strict=True) if present}


def ticket_page(ticket: Ticket) -> TicketPage:
    """Read through the ticket's related managers, so each row knows its ticket without a query."""
    t = Ticket.objects.select_related("owner", "shop", "customer", "created_by", "merged_into").get(pk=ticket.pk)
    present = kinds_present(t.pk)
    page = TicketPage(ticket=t)
    if "tasks" in present:
        page.tasks = list(t.tasks.select_related("department", "done_by")
                          .order_by("created_at", "id"))
    if "compensations" in present:
        page.compensations = list(t.compensations.select_related("requested_by")
                                  .order_by("requested_at", "id"))
    if "callbacks" in present:
        page.callbacks = list(t.callbacks.order_by("created_at", "id"))
    if "escalations" in present:  # the page prints levels and moments, not who
        page.escalations = sorted(t.escalations.all(), key=lambda e: (e.at, e.pk))
    if "recovery_actions" in present:
        page.recovery_actions = list(t.recovery_actions.select_related("by").order_by("at", "id"))
    if "related" in present:
        page.related = list(t.related.all())
    if "attachments" in present:
        page.attachments = attachments.attachments_of(t)
    return page
