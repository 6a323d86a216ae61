"""Overdue follow-up reminders (R-CUS-6): the owner first, the team lead after a configurable delay.

* A customer is overdue when it has an owner and ``next_due < today``; it is overdue by
  ``today − next_due`` days (1 on the first overdue day).
* The owner gets one reminder per customer and due date (level ``owner``) from the first overdue day.
* When the customer is overdue by at least ``customers.lead_reminder_after_days`` days, a team lead of the
  owner's team (a person with the role "lead" and the same team, other than the owner) gets one too
  (level ``lead``). The data model keeps one reminder per customer, due date and level, so when a team
  has several leads the one with the lowest id receives it. No team or no lead: no lead reminder.
* Idempotent: the unique constraint (customer, due_date, level) and ``bulk_create(ignore_conflicts=True)``
  make a second run of the same day — or of any later hour — create nothing new. A follow-up moves
  ``next_due``, so a later overdue of the same customer is reminded again.
* Each run sends every recipient of new reminders one notification listing them (the bell; an e-mail too
  after the transaction commits), in the recipient's interface language.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kefu.customers.models import Customer, Reminder
from kefu.org.roles import Role
from kefu.rules.selectors import get_rule

logger = logging.getLogger(__name__)

CHUNK = 2000
Level = Reminder.Level


@dataclass(frozen=True)
class _New:
    customer_id: int
    name: str
    due_date: dt.date
    level: str
    days_overdue: int


def _leads_by_team(team_ids: set[int]) -> dict[int, list[int]]:
    """Active team leads per team, lowest id first."""
    leads: dict[int, list[int]] = defaultdict(list)
    rows = (get_user_model().objects.filter(team_id__in=team_ids, is_active=True, roles__role=Role.LEAD)
            .order_by("pk").values_list("team_id", "pk"))
    for team_id, pk in rows:
        leads[team_id].append(pk)
    return leads


def _candidates(today: dt.date, lead_from: dt.date) -> QuerySet[Customer]:
    """Overdue owned customers still missing a reminder for their current due date."""
    owner_done = Reminder.objects.filter(customer_id=OuterRef("pk"), due_date=OuterRef("next_due"), level=Level.OWNER)
    lead_done = Reminder.objects.filter(customer_id=OuterRef("pk"), due_date=OuterRef("next_due"), level=Level.LEAD)
    return (
        Customer.objects.filter(owner__isnull=False, next_due__lt=today)
        .annotate(owner_done=Exists(owner_done), lead_done=Exists(lead_done))
        .filter(Q(owner_done=False) | Q(lead_done=False, next_due__lte=lead_from))
    )


def send_overdue_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Create the missing overdue reminders and e-mail the digests (hourly job).

    Returns ``{"owner": n, "lead": n, "recipients": n}`` — reminders created at each level and the number
    of people with new reminders (each gets one digest e-mail when they have an address).
    """
    today = today or timezone.localdate()
    after_days = get_rule("customers.lead_reminder_after_days")
    lead_from = today - dt.timedelta(days=after_days)  # next_due on or before this: the lead is reminded
    created = {Level.OWNER: 0, Level.LEAD: 0}
    digests: dict[int, list[_New]] = defaultdict(list)
    qs = _candidates(today, lead_from)
    with transaction.atomic():
        last = 0
        while True:
            rows = list(qs.filter(pk__gt=last).order_by("pk").values_list(
                "pk", "name", "owner_id", "owner__team_id", "next_due", "owner_done", "lead_done")[:CHUNK])
            if not rows:
                break
            last = rows[-1][0]
            leads = _leads_by_team({r[3] for r in rows if r[3] is not None})
            new: list[Reminder] = []
            for pk, name, owner_id, team_id, next_due, owner_done, lead_done in rows:
                overdue = (today - next_due).days
                if not owner_done:
                    new.append(Reminder(customer_id=pk, due_date=next_due, level=Level.OWNER, recipient_id=owner_id))
                    digests[owner_id].append(_New(pk, name, next_due, Level.OWNER, overdue))
                if not lead_done and next_due <= lead_from:
                    lead = next((p for p in leads.get(team_id, ()) if p != owner_id), None)
                    if lead is not None:
                        new.append(Reminder(customer_id=pk, due_date=next_due, level=Level.LEAD, recipient_id=lead))
                        digests[lead].append(_New(pk, name, next_due, Level.LEAD, overdue))
            Reminder.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
            for r in new:
                created[r.level] += 1
        _notify_digests(dict(digests))
    return {"owner": created[Level.OWNER], "lead": created[Level.LEAD], "recipients": len(digests)}


def _digest_text(items: list[_New]) -> tuple[str, str]:
    subject = ngettext("%(n)s overdue follow-up", "%(n)s overdue follow-ups", len(items)) % {"n": len(items)}
    lines = [_("These customers are waiting for a follow-up:"), ""]
    for item in sorted(items, key=lambda i: (i.due_date, i.customer_id)):
        line = _("%(name)s (#%(id)s): due %(date)s, %(days)s day(s) overdue") % {
            "name": item.name, "id": item.customer_id, "date": item.due_date.isoformat(), "days": item.days_overdue}
        if item.level == Level.LEAD:
            line += " · " + _("a customer of your team")
        lines.append("- " + line)
    return subject, "\n".join(lines) + "\n"


def _notify_digests(digests: dict[int, list[_New]]) -> int:
    """One notification per recipient (the bell, and an e-mail after the commit when they have an
    address) listing their new reminders, in their own language. Returns how many were sent."""
    from django.urls import reverse

    from kefu.notifications.services import notify

    if not digests:
        return 0
    people = get_user_model().objects.filter(pk__in=list(digests)).only("pk", "email", "language", "is_active")
    for person in people:
        items = digests[person.pk]
        with translation.override(person.language or settings.LANGUAGE_CODE):
            subject, body = _digest_text(items)
        own = any(i.level == Level.OWNER for i in items)
        notify(recipients=[person], kind="followup_overdue", title=subject, body=body,
               url=reverse("customers:my_day" if own else "customers:team_due"), email=True)
    return len(people)


def unread_reminders(user) -> QuerySet[Reminder]:
    """The caller's unread reminders (overdue follow-ups, their team's, pool warnings), oldest due first."""
    return (Reminder.objects.filter(recipient=user, read_at__isnull=True)
            .select_related("customer").order_by("due_date", "id"))


def mark_read(*, actor, reminder_ids: list[int]) -> int:
    """Mark the caller's own reminders among ``reminder_ids`` as read; others' are left alone. Returns the
    number marked."""
    return Reminder.objects.filter(pk__in=list(reminder_ids), recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now())
