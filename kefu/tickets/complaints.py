"""Complaint handling beyond the ticket flow (R-TIC-7): classification (severity and root-cause category)
and service recovery actions (服务补救). Compensation lives in :mod:`kefu.tickets.services`."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit.services import Action, record
from kefu.core.concurrency import check_version
from kefu.core.errors import Errors, RuleViolation
from kefu.tickets.access import access_ticket
from kefu.tickets.choices import Severity, TicketType
from kefu.tickets.models import RecoveryAction, Ticket, TicketEvent


class RootCause(models.TextChoices):
    """Root-cause categories of complaints, for the weekly case review and the dashboard."""

    LOGISTICS = "物流延误", gettext_lazy("Logistics delay")
    PRODUCT = "商品质量", gettext_lazy("Product quality")
    SERVICE = "服务态度", gettext_lazy("Service attitude")
    SYSTEM = "系统故障", gettext_lazy("System fault")
    POLICY = "政策规则", gettext_lazy("Policy or rules")
    PRICE = "价格争议", gettext_lazy("Price dispute")
    OTHER = "其他", gettext_lazy("Other")


KIND_CLASSIFIED = "classified"
KIND_RECOVERY = "recovery"


def _complaint(actor, ticket_id: int) -> Ticket:
    ticket = access_ticket(actor, ticket_id, act=True, for_update=True)
    if ticket.type != TicketType.COMPLAINT:
        raise RuleViolation(_("Only complaints have a root cause and recovery actions."), rule="R-TIC-7")
    return ticket


@transaction.atomic
def classify_complaint(*, actor, ticket_id: int, version: int | None, root_cause: str,
                       severity: str | None = None) -> Ticket:
    """Set the root-cause category (and optionally correct the severity) of a complaint."""
    ticket = _complaint(actor, ticket_id)
    check_version(ticket, version)
    errors = Errors()
    if root_cause not in RootCause.values:
        errors.add("root_cause", _("Choose one of: %(expected)s.") % {"expected": "、".join(RootCause.values)})
    if severity is not None and severity not in Severity.values:
        errors.add("severity", _("Choose one of: %(expected)s.") % {"expected": ", ".join(Severity.values)})
    errors.raise_if_any(_("The complaint was not classified."))
    before = {"root_cause": ticket.root_cause, "severity": ticket.severity}
    ticket.root_cause = root_cause
    if severity is not None:
        ticket.severity = severity
    after = {"root_cause": ticket.root_cause, "severity": ticket.severity}
    if after == before:
        return ticket
    now = timezone.now()
    ticket.version += 1
    ticket.last_action_at = now
    ticket.save(update_fields=["root_cause", "severity", "version", "last_action_at"])
    TicketEvent.objects.create(ticket=ticket, at=now, actor=actor, kind=KIND_CLASSIFIED,
                               body=RootCause(root_cause).label, data=after)
    record(actor=actor, action=Action.UPDATE, obj=ticket, before=before, after=after)
    return ticket


@transaction.atomic
def add_recovery_action(*, actor, ticket_id: int, action: str) -> RecoveryAction:
    """Record what was done to win the customer back (an apology call, a coupon, an express re-delivery…)."""
    ticket = _complaint(actor, ticket_id)
    text = (action or "").strip()
    errors = Errors()
    if not text:
        errors.add("action", _("Say what was done."))
    elif len(text) > 200:
        errors.add("action", _("At most %(n)s characters.") % {"n": 200})
    errors.raise_if_any(_("The recovery action was not saved."))
    now = timezone.now()
    recovery = RecoveryAction.objects.create(ticket=ticket, action=text, by=actor, at=now)
    ticket.version += 1
    ticket.last_action_at = now
    ticket.save(update_fields=["version", "last_action_at"])
    TicketEvent.objects.create(ticket=ticket, at=now, actor=actor, kind=KIND_RECOVERY, body=text)
    record(actor=actor, action=Action.CREATE, obj=recovery, after={"ticket": ticket.number, "action": text})
    return recovery
