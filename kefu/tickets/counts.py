"""Ticket numbers for the home page of each role (reads only, within scope; one query per figure)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from kefu.org.roles import Role
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES, Level, TaskStatus
from kefu.tickets.models import Callback, Compensation, DepartmentTask, Ticket


def my_counts(user) -> dict[str, int]:
    """An agent's own desk: open tickets, those past or near their time limit, callbacks waiting."""
    mine = Ticket.objects.filter(owner=user, status__in=OPEN_STATUSES).aggregate(
        open=Count("id"), breached=Count("id", filter=Q(sla_state="breached")),
        warning=Count("id", filter=Q(sla_state="warning")))
    mine["callbacks"] = Callback.objects.filter(assigned_to=user, done_at__isnull=True).count()
    return mine


def department_task_count(user) -> dict[str, int]:
    """Open tasks handed to the person's department, and how many are past due."""
    if not user.department_id:
        return {"open": 0, "overdue": 0}
    return DepartmentTask.objects.filter(department_id=user.department_id, status=TaskStatus.OPEN).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due__lt=timezone.now())))


SCOPE_COUNTS_SECONDS = 15  # a person's scope counts are reused this long (settings.KEFU_SCOPE_COUNTS_SECONDS)


def _scope_counts_seconds() -> int:
    default = 0 if getattr(settings, "TESTING", False) else SCOPE_COUNTS_SECONDS
    return int(getattr(settings, "KEFU_SCOPE_COUNTS_SECONDS", default))


def scope_counts(user) -> dict[str, int]:
    """:func:`count_scope`, kept for :data:`SCOPE_COUNTS_SECONDS` per person in the cache: a director's desk
    and home page counted all of the centre's open tickets (64,098 on the benchmark: 0.2–0.5 s) on every load.
    What the person sees: the tiles' numbers as they were up to 15 seconds ago (a reload within that time
    shows the same numbers, also after their own action); the lists and the board below them are always
    current. 0 seconds (the tests' default) counts on every call."""
    seconds = _scope_counts_seconds()
    if seconds <= 0:
        return count_scope(user)
    key = _key(user)
    kept = cache.get(key)
    now = time.time()
    # the age is checked here too, not only by the cache's expiry: Redis expires by its own clock
    if kept is None or not 0 <= now - kept[0] < seconds:
        kept = (now, count_scope(user))
        cache.set(key, kept, seconds)
    return dict(kept[1])


def _key(user) -> str:
    return f"kefu:tickets:scope_counts:{user.pk}"


# the roles whose pages show scope counts (the desk's tiles for managers and QA, the home page's for leads up)
_COUNTED_ROLES = (Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN, Role.QA)


def forget(user) -> None:
    """The person changed a ticket: their next page counts afresh, not the numbers kept from before their own
    change (dropped now and again at the commit, so that a page read in between keeps nothing stale)."""
    if getattr(user, "pk", None) is None or _scope_counts_seconds() <= 0:
        return
    if not (user.is_superuser or user.has_role(*_COUNTED_ROLES)):
        return
    key = _key(user)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def count_scope(user) -> dict[str, int]:
    """Leads and managers: the open tickets of their scope, breached, escalated to their level or above,
    supervised, and compensations waiting for a role they hold. A lead counts their team's tickets and the
    unassigned ones of their shops."""
    tickets = tickets_in_scope(user)
    if user.has_role(Role.LEAD) and not user.has_role(Role.HEAD, Role.DIRECTOR, Role.ADMIN):
        tickets = tickets.filter(Q(owner__team_id=user.team_id) | Q(owner__isnull=True))
    counts = tickets.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("id"), breached=Count("id", filter=Q(sla_state="breached")),
        warning=Count("id", filter=Q(sla_state="warning")),
        queue=Count("id", filter=Q(owner__isnull=True)),
        escalated=Count("id", filter=~Q(escalation_level=Level.AGENT)),
        supervised=Count("id", filter=Q(supervised=True)))
    roles = [r for r in (Role.LEAD, Role.HEAD, Role.DIRECTOR) if user.has_role(r)]
    counts["approvals"] = Compensation.objects.filter(
        status="pending", required_role__in=roles,
        ticket__in=tickets.values("pk")).count() if roles else 0
    return counts
