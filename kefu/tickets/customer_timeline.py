"""The customer's tickets in the customer timeline (R-CUS-1): registered by the tickets app."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from kefu.customers.selectors import TimelineEntry
from kefu.tickets.models import Ticket


def ticket_entries(customer, limit: int) -> list[TimelineEntry]:
    entries = []
    for t in (Ticket.objects.filter(customer=customer, merged_into__isnull=True).select_related("owner")
              .order_by("-created_at")[:limit]):
        try:
            url = reverse("tickets:detail", args=[t.pk])
        except NoReverseMatch:
            url = ""
        entries.append(TimelineEntry(
            t.created_at, "ticket", f"{t.number} · {t.get_type_display()} · {t.get_status_display()}", t.title,
            str(t.owner) if t.owner_id else "", {"url": url}))
    return entries
