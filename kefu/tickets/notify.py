"""Who hears about what on a ticket, and the one way tickets send notifications (in-app and e-mail,
after the transaction commits)."""

from __future__ import annotations

from django.db import transaction

from kefu.org.selectors import leads_of_team, managers_of
from kefu.tickets.choices import Level


def people_at_level(ticket, level: str) -> list:
    """The people who hold an escalation level for this ticket: the owner, the owner's team leads,
    the department's heads, the centre's directors."""
    owner = ticket.owner
    if level == Level.AGENT:
        return [owner] if owner is not None else []
    if level == Level.LEAD:
        return list(leads_of_team(owner.team_id if owner else None))
    department_id = owner.department_id if owner else None
    return list(managers_of(department_id, "head" if level == Level.HEAD else "director"))


def approvers_for(ticket, role: str) -> list:
    level = {"agent": Level.AGENT, "lead": Level.LEAD, "head": Level.HEAD}.get(role, Level.DIRECTOR)
    return people_at_level(ticket, level)


def notify_later(recipients, *, kind: str, ticket, title: str, url: str = "", email: bool = False) -> None:
    """Notify after commit (nothing is sent for a rolled-back change); duplicates removed."""
    unique = {p.pk: p for p in recipients if p is not None}
    if not unique:
        return
    link = url or f"/tickets/{ticket.pk}/"

    def send():
        from kefu.notifications.services import notify

        notify(recipients=list(unique.values()), kind=kind, title=str(title), body=ticket.title, url=link,
               email=email)

    transaction.on_commit(send)
