"""Reads of the duty log (值班日志) and the handover (交接班, R-WFM-1, R-WFM-2), per team and day, within the
caller's scope: agents their own team's, leads their team's, heads and directors their scope's teams'."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.workforce.models import DutyLogEntry, Handover, Shift
from kefu.workforce.selectors import teams_for_roster


def visible_team_ids(user) -> set[int]:
    return set(teams_for_roster(user).values_list("pk", flat=True))


def duty_log(user, *, team_id: int, day: dt.date) -> QuerySet[DutyLogEntry]:
    """The team's entries of ``day`` (an entry of a shift belongs to the shift's day, a night shift's after
    midnight too), newest first; nothing for a team outside the caller's scope."""
    if team_id not in visible_team_ids(user):
        return DutyLogEntry.objects.none()
    return (DutyLogEntry.objects.filter(team_id=team_id)
            .filter(Q(shift__date=day) | Q(shift__isnull=True, at__date=day))
            .select_related("author", "shift", "shift__shift_type").order_by("-at", "-id"))


def handovers_in_scope(user) -> QuerySet[Handover]:
    return Handover.objects.filter(Q(outgoing_shift__team_id__in=visible_team_ids(user)) | Q(author_id=user.pk))


@dataclass
class HandoverCard:
    handover: Handover
    incoming: list[Shift] = field(default_factory=list)
    open_tickets: list = field(default_factory=list)
    checked_in: bool = False
    can_edit: bool = False
    can_sign_off: bool = False
    can_acknowledge: bool = False


def incoming_groups(handovers: list[Handover]) -> dict[int, list[Shift]]:
    """The incoming people's shifts of each handover (with their attendance), in one query."""
    keys = {(h.incoming_shift.team_id, h.incoming_shift.start_at) for h in handovers if h.incoming_shift_id}
    if not keys:
        return {}
    q = Q()
    for team_id, start_at in keys:
        q |= Q(team_id=team_id, start_at=start_at)
    by_key: dict[tuple, list[Shift]] = defaultdict(list)
    for shift in (Shift.objects.filter(q, status=Shift.Status.PUBLISHED, leave__isnull=True)
                  .select_related("person", "attendance").order_by("person_id", "id")):
        by_key[(shift.team_id, shift.start_at)].append(shift)
    return {h.pk: [s for s in by_key[(h.incoming_shift.team_id, h.incoming_shift.start_at)]
                   if s.person_id != h.author_id]
            for h in handovers if h.incoming_shift_id}


def _checked_in(shift: Shift) -> bool:
    try:
        return shift.attendance.check_in_at is not None
    except Shift.attendance.RelatedObjectDoesNotExist:
        return False


def open_tickets_of(user, owner_ids) -> dict[int, list]:
    """The unfinished (open) tickets of each of ``owner_ids`` that the caller can see, in one query."""
    from kefu.tickets.access import tickets_in_scope
    from kefu.tickets.choices import OPEN_STATUSES

    found: dict[int, list] = defaultdict(list)
    if not owner_ids:
        return found
    for ticket in (tickets_in_scope(user).filter(owner_id__in=owner_ids, status__in=OPEN_STATUSES)
                   .select_related("shop").order_by("resolution_due", "id")[:500]):
        found[ticket.owner_id].append(ticket)
    return found


def handover_cards(user, handovers: list[Handover]) -> list[HandoverCard]:
    groups = incoming_groups(handovers)
    tickets = open_tickets_of(user, {h.author_id for h in handovers if h.status != Handover.Status.ACKNOWLEDGED})
    cards = []
    for h in handovers:
        incoming = groups.get(h.pk, [])
        card = HandoverCard(h, incoming, tickets.get(h.author_id, []) if h.status != Handover.Status.ACKNOWLEDGED
                            else [], any(_checked_in(s) for s in incoming))
        card.can_edit = h.author_id == user.pk and h.status == Handover.Status.DRAFT
        card.can_sign_off = card.can_edit and card.checked_in
        card.can_acknowledge = (h.status == Handover.Status.SIGNED_OFF
                                and any(s.person_id == user.pk for s in incoming))
        cards.append(card)
    return cards


def handovers(user, *, team_id: int | None = None, day: dt.date | None = None) -> QuerySet[Handover]:
    qs = handovers_in_scope(user)
    if team_id:
        qs = qs.filter(outgoing_shift__team_id=team_id)
    if day:
        qs = qs.filter(outgoing_shift__date=day)
    return (qs.select_related("author", "acknowledged_by", "outgoing_shift", "outgoing_shift__shift_type",
                              "incoming_shift", "incoming_shift__person")
            .prefetch_related("tickets").order_by("-outgoing_shift__start_at", "-id"))


def my_outgoing_shift(user, *, now: dt.datetime | None = None) -> Shift | None:
    """The caller's shift under way, else the one that ended last within a day, for the handover form."""
    now = now or timezone.now()
    qs = (Shift.objects.filter(person=user, status=Shift.Status.PUBLISHED, leave__isnull=True, start_at__lte=now,
                               end_at__gt=now - dt.timedelta(days=1))
          .select_related("team", "shift_type", "handover_out"))
    return qs.filter(end_at__gt=now).order_by("start_at").first() or qs.order_by("-end_at").first()


def pickable_tickets(user) -> list:
    """Tickets the caller may link to their handover without typing: their own open tickets."""
    from kefu.tickets.selectors import my_open_tickets

    return list(my_open_tickets(user)[:50])
