"""Who hears about what on a ticket, and the one way tickets send notifications (in-app and e-mail,
after the transaction commits)."""

from __future__ import annotations

from django.db import transaction

from kefu.org.selectors import leads_of_team, managers_of, users_with_role
from kefu.tickets.choices import Level


def _shop_team_leads(ticket) -> list:
    """The leads of the teams that serve the ticket's shop (an unassigned ticket has no owner's lead)."""
    return list(users_with_role("lead").filter(team__shops=ticket.shop_id).distinct())


def _service_department_id(ticket) -> int | None:
    owner = ticket.owner
    if owner is not None and owner.department_id:
        return owner.department_id
    from kefu.org.models import Team

    return Team.objects.filter(shops=ticket.shop_id).values_list("department_id", flat=True).order_by("id").first()


def people_at_level(ticket, level: str) -> list:
    """The people who hold an escalation level for this ticket (R-TIC-6): the owner, the owner's team
    leads (for an unassigned ticket: the leads of the shop's teams), the service department's heads,
    the centre's directors."""
    owner = ticket.owner
    if level == Level.AGENT:
        return [owner] if owner is not None else []
    if level == Level.LEAD:
        leads = list(leads_of_team(owner.team_id)) if owner is not None and owner.team_id else []
        return leads or _shop_team_leads(ticket)
    if level == Level.HEAD:
        return list(managers_of(_service_department_id(ticket), "head"))
    centre_id = ticket.shop.centre_id
    return [p for p in managers_of(None, "director") if p.centre_id in (None, centre_id)]


def approvers_for(ticket, role: str) -> list:
    level = {"agent": Level.AGENT, "lead": Level.LEAD, "head": Level.HEAD}.get(role, Level.DIRECTOR)
    return people_at_level(ticket, level)


def owner_or_leads(ticket) -> list:
    """The owner; for an unassigned ticket the leads who would assign it."""
    return [ticket.owner] if ticket.owner_id else people_at_level(ticket, Level.LEAD)


def ticket_url(ticket) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("tickets:detail", args=[ticket.pk])
    except NoReverseMatch:  # pages not mounted (e.g. an API-only deployment)
        return f"/tickets/{ticket.pk}/"


def notify_later(recipients, *, kind: str, ticket, title: str, url: str = "", email: bool = False) -> None:
    """Notify after commit (nothing is sent for a rolled-back change); duplicates removed."""
    unique = {p.pk: p for p in recipients if p is not None}
    if not unique:
        return
    link = url or ticket_url(ticket)
    body = ticket.title

    def send():
        from kefu.notifications.services import notify

        notify(recipients=list(unique.values()), kind=kind, title=str(title), body=body, url=link,
               email=email)

    transaction.on_commit(send)
