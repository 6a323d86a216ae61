"""Reading the automatic checks (issue 11): the inspector's flagged list, an agent's own flags, the rules
and the flags per kind in a period (the weekly summary's trends)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, QuerySet

from kefu.quality.models import CheckFlag, CheckRule, Review, TicketCheck
from kefu.tickets.access import tickets_in_scope

LIST_MAX = 50


def _for_list(qs: QuerySet[TicketCheck]) -> QuerySet[TicketCheck]:
    return (qs.select_related("ticket", "agent")
            .prefetch_related(Prefetch("flags", queryset=CheckFlag.objects.order_by("kind")))
            .order_by("-checked_at", "-id"))


def flagged_tickets(user, *, limit: int = LIST_MAX) -> list[TicketCheck]:
    """The inspector's "flagged" list: flagged tickets of the caller's scope no review has looked at yet,
    newest first (three queries)."""
    qs = (TicketCheck.objects.filter(flagged=True, ticket__in=tickets_in_scope(user).values("pk"))
          .exclude(ticket_id__in=Review.objects.values("ticket_id")))
    return list(_for_list(qs)[:limit])


def my_flags(user, *, limit: int = LIST_MAX) -> list[TicketCheck]:
    """The caller's own flagged tickets (an agent sees their flags only)."""
    return list(_for_list(TicketCheck.objects.filter(flagged=True, agent_id=user.pk))[:limit])


def rules() -> list[CheckRule]:
    return list(CheckRule.objects.select_related("updated_by").order_by("id"))


def flags_per_kind(agent_ids, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """How many flags of each kind were raised on the agents' tickets in [start, end)."""
    return dict(CheckFlag.objects.filter(check_result__agent_id__in=list(agent_ids), raised_at__gte=start,
                                         raised_at__lt=end)
                .values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))


def ticket_checks(user, ticket_id: int):
    """``(ticket, its TicketCheck or None)`` for a ticket of the caller's scope: 404 outside it; 403 for an
    agent who does not own it (an agent sees their own flags only)."""
    from django.utils.translation import gettext as _

    from kefu.core.errors import NotAllowed, NotFound
    from kefu.quality import access

    ticket = tickets_in_scope(user).filter(pk=ticket_id).only("id", "owner_id").first()
    if ticket is None:
        raise NotFound(_("No such ticket."))
    if ticket.owner_id != user.pk and not access.may_see_team(user):
        raise NotAllowed(_("An agent sees the automatic checks of their own tickets only."))
    result = (TicketCheck.objects.filter(ticket_id=ticket.pk)
              .prefetch_related(Prefetch("flags", queryset=CheckFlag.objects.order_by("kind"))).first())
    return ticket, result
