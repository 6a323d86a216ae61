"""Periodic work on tickets: the time-limit scan (R-TIC-4 warning and breach, R-TIC-6 automatic
escalation) and stuck-ticket reminders (R-TIC-5). Huey wrappers are in tasks.py."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.rules.selectors import get_rule
from kefu.tickets import sla
from kefu.tickets.choices import LADDER, OPEN_STATUSES, EventKind, Status
from kefu.tickets.models import Ticket, TicketEvent
from kefu.tickets.notify import notify_later, owner_or_leads, people_at_level


def scan_sla(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Move open tickets to warning/breached when their moment has come; notify the owner on a
    warning and the owner's lead on a breach; escalate one level on breach when the setting says so.
    Each ticket changes state once per level, so running the job often is harmless."""
    now = now or timezone.now()
    counts = {"warning": 0, "breached": 0, "escalated": 0}
    candidates = (Ticket.objects.filter(status__in=OPEN_STATUSES, paused_at__isnull=True)
                  .exclude(sla_state="breached")
                  .filter(resolution_warn_at__lte=now) | Ticket.objects.filter(
                      status__in=OPEN_STATUSES, paused_at__isnull=True, first_responded_at__isnull=True,
                      first_response_warn_at__lte=now).exclude(sla_state="breached"))
    for ticket_id in candidates.values_list("pk", flat=True).distinct():
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("shop", "owner").get(pk=ticket_id)
            new_state = sla.state_at(ticket, now)
            if new_state == ticket.sla_state:
                continue
            before = ticket.sla_state
            ticket.sla_state = new_state
            ticket.save(update_fields=["sla_state"])
            counts[new_state] = counts.get(new_state, 0) + 1
            TicketEvent.objects.create(ticket=ticket, at=now, kind=EventKind.SLA, data={"state": new_state})
            record(actor=None, action=Action.UPDATE, obj=ticket, before={"sla_state": before},
                   after={"sla_state": new_state}, note="time limit scan")
            if new_state == sla.WARNING:
                pct = get_rule("tickets.sla_warning_pct", centre_id=ticket.shop.centre_id)
                notify_later(owner_or_leads(ticket), kind="sla_warning", ticket=ticket,
                             title=_("Ticket %(number)s has used %(pct)s%% of its time limit")
                             % {"number": ticket.number, "pct": pct})
            else:
                notify_later([ticket.owner, *people_at_level(ticket, "lead")], kind="sla_breach", ticket=ticket,
                             email=True, title=_("Ticket %(number)s is past its time limit") % {"number": ticket.number})
                centre_id = ticket.shop.centre_id
                if get_rule("tickets.escalate_on_breach", centre_id=centre_id) and \
                        LADDER.index(ticket.escalation_level) < len(LADDER) - 1:
                    from kefu.tickets.services import _escalate

                    _escalate(ticket, actor=None, to_level=LADDER[LADDER.index(ticket.escalation_level) + 1],
                              reason=_("Time limit breached."), emergency=False, automatic=True, now=now)
                    counts["escalated"] += 1
    return counts


def remind_stuck(*, now: dt.datetime | None = None) -> int:
    """R-TIC-5: remind the owners of tickets with no action for the configured hours — once per
    stuck period (a new reminder only after another full period without action)."""
    from kefu.tickets.services import remind

    now = now or timezone.now()
    hours = get_rule("tickets.stuck_hours")
    cutoff = now - dt.timedelta(hours=hours)
    stuck = (Ticket.objects.filter(status__in=OPEN_STATUSES, last_action_at__lte=cutoff, owner__isnull=False)
             .exclude(status=Status.WAITING, waiting_on="customer"))
    reminded = 0
    for ticket in stuck.only("pk", "last_action_at"):
        already = TicketEvent.objects.filter(ticket_id=ticket.pk, kind=EventKind.REMINDER, at__gt=cutoff,
                                             data__automatic=True).exists()
        if not already:
            remind(actor=None, ticket_id=ticket.pk, note=_("No action for %(hours)s hours.") % {"hours": hours},
                   automatic=True)
            reminded += 1
    return reminded
