"""The department's live wallboard (大屏): today's contacts against the same time last week (and per hour), open,
unassigned, near- and past-limit tickets, agents on shift and on a break, CSAT of today's callbacks and the top
complaint causes — within the viewer's scope (a lead: their team). Read by the page and by GET /api/v1/wallboard;
a fixed number of queries whatever the number of tickets."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.performance import access
from kefu.tickets import wallboard as tickets
from kefu.workforce.selectors import duty

TOP_CAUSES = 5


def check_viewer(user) -> None:
    """Leads and up; anyone else is told there is no such page (404)."""
    if not access.can_review(user):
        raise NotFound(_("The wallboard is for team leads and managers."))


def staff_ids(user) -> list[int]:
    """Agents and leads of the viewer's scope (a lead: their team). One query."""
    people = access.people_in_scope(user).filter(roles__role__in=[Role.AGENT, Role.LEAD]).distinct()
    return list(people.values_list("pk", flat=True))


def board(user, *, now: dt.datetime | None = None) -> dict:
    check_viewer(user)
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    local = timezone.localtime(now, tz)
    today_start = timezone.make_aware(dt.datetime.combine(local.date(), dt.time.min), tz)
    week_start = today_start - dt.timedelta(days=local.weekday())
    contacts = tickets.contacts_by_hour(user, now=now, tz=tz)
    ids = staff_ids(user)
    on_shift = duty.on_shift_person_ids(now, ids) if ids else set()
    on_break = duty.on_break_person_ids(now, ids) if ids else set()
    today, last_week = contacts["so_far"]["today"], contacts["so_far"]["last_week"]
    scope = scope_for(user)
    return {
        "at": local.isoformat(timespec="seconds"),
        "scope": {"level": scope.level, "team_ids": sorted(scope.team_ids)},
        "contacts": {
            "today": today,
            "last_week": last_week,
            "change": round((today - last_week) / last_week, 4) if last_week else None,
            "hours": list(range(24)),
            "today_by_hour": contacts["hours"]["today"],
            "last_week_by_hour": contacts["hours"]["last_week"],
        },
        "tickets": tickets.open_counts(user),
        # a break counts while its person is on shift; a centre working without a roster counts every break
        "agents": {"on_shift": len(on_shift), "on_break": len(on_break & on_shift) if on_shift else len(on_break),
                   "staff": len(ids)},
        "csat": tickets.csat(user, start=today_start, end=now),
        "causes": [{"cause": c["cause"] or "—", "today": c["today"], "week": c["week"]}
                   for c in tickets.complaint_causes(user, week_start=week_start, today_start=today_start, end=now,
                                                     limit=TOP_CAUSES)],
    }
