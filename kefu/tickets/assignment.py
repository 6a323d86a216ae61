"""Automatic assignment of tickets that arrive without a person (web form, API): round-robin or
lowest open load among the agents of the shop's teams who are on duty now, with a per-agent cap.

"On duty" comes from the workforce roster (R-WFM-1): a PUBLISHED shift covers now, not freed by leave, and
the person is not on a break (暂停接单). Without a roster — none of the shop's agents has a published shift
today (a centre that does not roster, the demo of the tickets app) — it falls back to the agent's own toggle
(AgentAvailability.on_duty), still minus breaks. A ticket of a VIP customer goes only to agents whose level
opens the "vip" skill (R-ORG-3); with none of them on duty it waits in the queue."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.org.selectors import users_with_role
from kefu.rules.selectors import get_rule
from kefu.tickets.choices import OPEN_STATUSES, EventKind
from kefu.tickets.models import AgentAvailability, Ticket, TicketEvent
from kefu.workforce.selectors import duty

VIP_SKILL = "vip"


def is_vip_ticket(ticket: Ticket) -> bool:
    """The ticket's customer is in the VIP value tier (R-CUS-7)."""
    if not ticket.customer_id:
        return False
    from kefu.customers.choices import ValueTier
    from kefu.customers.models import Customer

    return Customer.objects.filter(pk=ticket.customer_id, value_tier=ValueTier.VIP).exists()


def on_duty_ids(person_ids, *, now: dt.datetime) -> set[int]:
    """Of ``person_ids``: on a published shift now (or, with no roster for any of them today, their toggle
    on), and not on a break."""
    ids = set(person_ids)
    if not ids:
        return set()
    if duty.rostered_today_person_ids(now, ids):
        on = duty.on_shift_person_ids(now, ids)
    else:  # no roster: the desk toggle says who takes tickets
        on = set(AgentAvailability.objects.filter(person_id__in=ids, on_duty=True).values_list("person_id", flat=True))
    return on - duty.on_break_person_ids(now, on) if on else on


def candidates(ticket: Ticket, *, now: dt.datetime | None = None):
    """Agents on duty whose team serves the ticket's shop, with their open-ticket count."""
    now = now or timezone.now()
    cap_default = get_rule("tickets.max_open_per_agent", centre_id=ticket.shop.centre_id)
    serving = list(users_with_role("agent").filter(team__shops=ticket.shop_id).distinct())
    on = on_duty_ids([a.pk for a in serving], now=now)
    if on and is_vip_ticket(ticket):
        on = duty.people_allowed_skill(VIP_SKILL, on)
    agents = [a for a in serving if a.pk in on]
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


def ranked(ticket: Ticket, mode: str, *, now: dt.datetime | None = None) -> list:
    """The candidates, best first for ``mode``."""
    pool = candidates(ticket, now=now)
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    if mode == "round_robin":
        key = lambda c: (c[2] or never, c[0].pk)  # noqa: E731 - the longest without a new ticket first
    else:
        key = lambda c: (c[1], c[2] or never, c[0].pk)  # noqa: E731 - lowest load, then longest waiting
    return [c[0] for c in sorted(pool, key=key)]


def choose(ticket: Ticket, mode: str, *, now: dt.datetime | None = None):
    pool = ranked(ticket, mode, now=now)
    return pool[0] if pool else None


# A row created only to lock the agent (they never used the toggle) carries no personal cap of its own: the
# centre's ``tickets.max_open_per_agent`` (at most 1000) is what limits them, as it did without a row.
NO_PERSONAL_CAP = 1000


def _claim(agent, ticket: Ticket) -> AgentAvailability | None:
    """Lock ``agent``'s availability row (created when missing) and re-count their open tickets under the lock:
    the row when they are still below their cap, None when a concurrent assignment filled it meanwhile."""
    AgentAvailability.objects.get_or_create(person=agent, defaults={"max_open": NO_PERSONAL_CAP})
    avail = AgentAvailability.objects.select_for_update().get(person=agent)
    cap = min(avail.max_open, get_rule("tickets.max_open_per_agent", centre_id=ticket.shop.centre_id))
    load = Ticket.objects.filter(owner=agent, status__in=OPEN_STATUSES).exclude(pk=ticket.pk).count()
    return avail if load < cap else None


def auto_assign(ticket: Ticket, *, now: dt.datetime):
    """Called by create_ticket inside its transaction. Leaves the ticket in the queue when the mode
    is manual or nobody is available."""
    mode = get_rule("tickets.assignment_mode", centre_id=ticket.shop.centre_id)
    if mode == "manual":
        return None
    for agent in ranked(ticket, mode, now=now):
        avail = _claim(agent, ticket)
        if avail is not None:
            break
    else:
        return None
    ticket.owner = agent
    ticket.save(update_fields=["owner"])
    avail.last_assigned_at = now  # on a row of its own even for an agent who never used the toggle
    avail.save(update_fields=["last_assigned_at"])
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
    """The agent says they are taking work now or not: what automatic assignment goes by when there is no
    roster (see the module's note); audited."""
    avail, _created = AgentAvailability.objects.select_for_update().get_or_create(person=actor)
    if avail.on_duty != on_duty:
        avail.on_duty = on_duty
        avail.save(update_fields=["on_duty"])
        record(actor=actor, action=Action.UPDATE, obj=avail, before={"on_duty": not on_duty},
               after={"on_duty": on_duty})
    return avail


@transaction.atomic
def set_taking_tickets(*, actor, taking: bool) -> AgentAvailability:
    """The desk's toggle (暂停接单 / 恢复接单). During a published shift pausing starts a break (R-WFM-5: away
    time) and taking tickets again ends it; the availability toggle follows, for a centre without a roster."""
    from kefu.workforce.services import breaks

    current = duty.open_break(actor)
    if taking:
        if current is not None:
            breaks.end_break(actor=actor)
    elif current is None and duty.current_shift(actor, timezone.now()) is not None:
        breaks.start_break(actor=actor)
    return set_on_duty(actor=actor, on_duty=taking)


def desk_state(person, *, now: dt.datetime) -> dict:
    """What the desk's toggle shows: taking tickets or not, and since when a break has lasted (one query, with the
    desk's counts: kefu.tickets.desk_numbers)."""
    from kefu.tickets.desk_numbers import desk_numbers

    return desk_numbers(person, now=now)[1]
