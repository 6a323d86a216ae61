"""Automatic assignment of tickets that arrive without a person (web form, API): round-robin or
lowest open load among the agents of the shop's teams who are on duty now, with a per-agent cap.
Until the workforce roster exists, "on duty" is the agent's own toggle (AgentAvailability)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.org.selectors import users_with_role
from kefu.rules.selectors import get_rule
from kefu.tickets.choices import OPEN_STATUSES, EventKind
from kefu.tickets.models import AgentAvailability, Ticket, TicketEvent


def candidates(ticket: Ticket):
    """Agents on duty whose team serves the ticket's shop, with their open-ticket count."""
    cap_default = get_rule("tickets.max_open_per_agent", centre_id=ticket.shop.centre_id)
    agents = list(
        users_with_role("agent")
        .filter(team__shops=ticket.shop_id)
        .filter(pk__in=AgentAvailability.objects.filter(on_duty=True).values("person_id"))
        .distinct()
    )
    ids = [a.pk for a in agents]
    availability = {a.person_id: a for a in AgentAvailability.objects.filter(person_id__in=ids)}
    loads = dict(Ticket.objects.filter(owner_id__in=ids, status__in=OPEN_STATUSES).exclude(pk=ticket.pk)
                 .values_list("owner_id").annotate(n=Count("id")).values_list("owner_id", "n"))
    out = []
    for agent in agents:
        avail = availability.get(agent.pk)
        cap = min(avail.max_open if avail else cap_default, cap_default)
        load = loads.get(agent.pk, 0)
        if load < cap:
            out.append((agent, load, avail.last_assigned_at if avail else None))
    return out


def choose(ticket: Ticket, mode: str):
    pool = candidates(ticket)
    if not pool:
        return None
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    if mode == "round_robin":
        key = lambda c: (c[2] or never, c[0].pk)  # noqa: E731 - the longest without a new ticket first
    else:
        key = lambda c: (c[1], c[2] or never, c[0].pk)  # noqa: E731 - lowest load, then longest waiting
    return min(pool, key=key)[0]


def auto_assign(ticket: Ticket, *, now: dt.datetime):
    """Called by create_ticket inside its transaction. Leaves the ticket in the queue when the mode
    is manual or nobody is available."""
    mode = get_rule("tickets.assignment_mode", centre_id=ticket.shop.centre_id)
    if mode == "manual":
        return None
    agent = choose(ticket, mode)
    if agent is None:
        return None
    ticket.owner = agent
    ticket.save(update_fields=["owner"])
    AgentAvailability.objects.filter(person=agent).update(last_assigned_at=now)
    TicketEvent.objects.create(ticket=ticket, at=now, kind=EventKind.ASSIGNMENT,
                               data={"to": agent.pk, "mode": mode, "automatic": True})
    record(actor=None, action=Action.UPDATE, obj=ticket, before={"owner": None}, after={"owner": agent.pk},
           note=f"auto-assign:{mode}")
    from kefu.tickets.notify import notify_later

    notify_later([agent], kind="ticket_assigned", ticket=ticket,
                 title=_("Ticket %(number)s assigned to you") % {"number": ticket.number})
    return agent


def is_on_duty(person) -> bool:
    return AgentAvailability.objects.filter(person=person, on_duty=True).exists()


@transaction.atomic
def set_on_duty(*, actor, on_duty: bool) -> AgentAvailability:
    """The agent says they are taking work now (automatic assignment considers them) or not. Until the
    workforce roster exists this toggle is what "on shift" means; audited."""
    avail, _created = AgentAvailability.objects.select_for_update().get_or_create(person=actor)
    if avail.on_duty != on_duty:
        avail.on_duty = on_duty
        avail.save(update_fields=["on_duty"])
        record(actor=actor, action=Action.UPDATE, obj=avail, before={"on_duty": not on_duty},
               after={"on_duty": on_duty})
    return avail
