"""Time limits (R-TIC-4): due moments on the business calendar (R-CAL) or 7×24, the 80 % warning,
breach at 100 %, and the pause while waiting on the customer.

Due moments are stored on the ticket (first response and resolution, each with its warning moment)
so lists sort and filter by them with an index; a pause shifts them by the paused business time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kefu.bizcalendar.selectors import (
    WorkSchedule,
    add_business_time,
    business_time_between,
    default_schedule,
)
from kefu.rules import cache as rules_cache
from kefu.rules.selectors import get_rule
from kefu.tickets.models import SlaPolicy, Ticket
from kefu.tickets.settings_defs import DEFAULT_SLA

OK, WARNING, BREACHED = "ok", "warning", "breached"
POLICY_CACHE = "sla"  # the rules cache's namespace for SlaPolicy rows (models._policies_changed renews it)


@dataclass(frozen=True)
class Limits:
    first_response: dt.timedelta
    resolution: dt.timedelta
    calendar: str  # "business" | "24x7"


def _load_policies(_slot: int) -> dict[tuple[int, str, str], Limits]:
    """Every centre's rows: a few dozen, and one cache entry means a row moved to another centre
    renews both centres at once."""
    return {(p.centre_id, p.type, p.priority): Limits(dt.timedelta(minutes=p.first_response_minutes),
                                                      dt.timedelta(minutes=p.resolution_minutes), p.calendar)
            for p in SlaPolicy.objects.all()}


def limits_for(*, centre_id: int | None, type: str, priority: str) -> Limits:  # noqa: A002 - domain word
    """The centre's time limits for this type and priority: its SlaPolicy row (kept in the rules'
    in-process cache, renewed when a row changes), else the SPEC defaults."""
    if centre_id is not None:
        policies = rules_cache.overrides(0, _load_policies, namespace=POLICY_CACHE)
        policy = policies.get((centre_id, type, priority))
        if policy is not None:
            return policy
    first, resolution = DEFAULT_SLA[priority]
    calendar = get_rule("calendar.mode", centre_id=centre_id)
    return Limits(dt.timedelta(minutes=first), dt.timedelta(minutes=resolution), calendar)


def schedule_for(calendar: str, centre_id: int | None) -> WorkSchedule:
    if calendar == "24x7":
        return WorkSchedule(mode="24x7")
    return default_schedule(centre_id)


def _pct(centre_id: int | None) -> tuple[int, int]:
    return get_rule("tickets.sla_warning_pct", centre_id=centre_id), get_rule("tickets.sla_breach_pct",
                                                                                centre_id=centre_id)


def set_due_times(ticket: Ticket, *, centre_id: int | None) -> None:
    """Fill the four due moments of a new ticket from its type, priority and created_at."""
    limits = limits_for(centre_id=centre_id, type=ticket.type, priority=ticket.priority)
    schedule = schedule_for(limits.calendar, centre_id)
    warn_pct, breach_pct = _pct(centre_id)
    start = ticket.created_at
    ticket.sla_calendar = limits.calendar
    ticket.first_response_due = add_business_time(start, limits.first_response * breach_pct / 100, schedule)
    ticket.first_response_warn_at = add_business_time(start, limits.first_response * warn_pct / 100, schedule)
    ticket.resolution_due = add_business_time(start, limits.resolution * breach_pct / 100, schedule)
    ticket.resolution_warn_at = add_business_time(start, limits.resolution * warn_pct / 100, schedule)


_FIRST_RESPONSE = ("first_response_due", "first_response_warn_at")
_RESOLUTION = ("resolution_due", "resolution_warn_at")


def reprice(ticket: Ticket, *, centre_id: int | None, previous_priority: str) -> None:
    """New due moments for a changed priority that keep the time already spent waiting on the customer.

    Each pause moved the due moments later (``shift_for_pause``); recomputing them from ``created_at``
    alone would take those pauses back. The pauses so far are the business time between the previous
    priority's unshifted moment and the stored one (first response and resolution apart, since pauses
    after the first response no longer move the first response's moments); the new moments are moved
    by as much."""
    unshifted = _Moments(type=ticket.type, priority=previous_priority, created_at=ticket.created_at)
    set_due_times(unshifted, centre_id=centre_id)
    previous_schedule = schedule_for(unshifted.sla_calendar, centre_id)
    paused = {
        names: business_time_between(getattr(unshifted, names[0]), getattr(ticket, names[0]), previous_schedule)
        if getattr(ticket, names[0]) is not None else dt.timedelta(0)
        for names in (_FIRST_RESPONSE, _RESOLUTION)
    }
    set_due_times(ticket, centre_id=centre_id)
    schedule = schedule_for(ticket.sla_calendar, centre_id)
    for names, shift in paused.items():
        if shift > dt.timedelta(0):
            for name in names:
                setattr(ticket, name, add_business_time(getattr(ticket, name), shift, schedule))


@dataclass
class _Moments:
    """What ``set_due_times`` reads and fills, without a ticket."""

    type: str  # noqa: A003 - the ticket's field
    priority: str
    created_at: dt.datetime
    sla_calendar: str = ""
    first_response_due: dt.datetime | None = None
    first_response_warn_at: dt.datetime | None = None
    resolution_due: dt.datetime | None = None
    resolution_warn_at: dt.datetime | None = None


def shift_for_pause(ticket: Ticket, *, paused_from: dt.datetime, resumed_at: dt.datetime,
                    centre_id: int | None) -> dt.timedelta:
    """Move the due moments later by the business time spent waiting on the customer."""
    schedule = schedule_for(ticket.sla_calendar, centre_id)
    paused = business_time_between(paused_from, resumed_at, schedule)
    if paused <= dt.timedelta(0):
        return dt.timedelta(0)
    fields = ["resolution_due", "resolution_warn_at"]
    if ticket.first_responded_at is None:
        fields += ["first_response_due", "first_response_warn_at"]
    for name in fields:
        value = getattr(ticket, name)
        if value is not None:
            setattr(ticket, name, add_business_time(value, paused, schedule))
    return paused


def state_at(ticket: Ticket, now: dt.datetime) -> str:
    """ok / warning / breached at ``now``. A paused ticket keeps the state it had when paused;
    resolved and closed tickets are judged at their resolution."""
    if ticket.paused_at is not None:
        now = ticket.paused_at
    if ticket.resolved_at is not None:
        now = ticket.resolved_at
    pending_first = ticket.first_responded_at is None
    if (ticket.resolution_due and now >= ticket.resolution_due) or (
            pending_first and ticket.first_response_due and now >= ticket.first_response_due):
        return BREACHED
    if (ticket.resolution_warn_at and now >= ticket.resolution_warn_at) or (
            pending_first and ticket.first_response_warn_at and now >= ticket.first_response_warn_at):
        return WARNING
    return OK


def next_deadline(ticket: Ticket) -> dt.datetime | None:
    """The deadline the owner is racing now (first response until answered, then resolution)."""
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        return min(ticket.first_response_due, ticket.resolution_due or ticket.first_response_due)
    return ticket.resolution_due
