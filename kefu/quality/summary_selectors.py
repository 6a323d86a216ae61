"""The weekly QA summary's figures (R-QA-3) for one department and ISO week, as plain JSON-ready data:

- **common problems**: the scorecard items that most often lost points (reviews scoring an item below its
  weight; critical items: reviews failing it), most frequent first;
- **weak items (短板)** per agent: items whose average points over the week are below
  ``quality.weak_item_percent`` of the item's weight;
- **automatic-check trends**: flags raised per check kind this week and the week before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.org.roles import Role
from kefu.quality import autocheck_selectors
from kefu.quality.models import CheckRule, Review, ReviewScore, WeeklySummary
from kefu.rules.selectors import get_rule

COMMON_MAX = 5


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def previous_week(today: dt.date) -> dt.date:
    """The Monday of the ISO week before the one of ``today``."""
    return monday(today) - dt.timedelta(days=7)


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(week_start, dt.time(0), tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def department_agents(department_id: int) -> QuerySet:
    from kefu.org.models import User

    return (User.objects.filter(is_active=True, roles__role=Role.AGENT)
            .filter(Q(department_id=department_id) | Q(team__department_id=department_id)).distinct())


def department_people(department_id: int, roles) -> list:
    from kefu.org.models import User

    return list(User.objects.filter(is_active=True, roles__role__in=list(roles))
                .filter(Q(department_id=department_id) | Q(team__department_id=department_id)).distinct())


def weekly_figures(*, department_id: int, week_start: dt.date, centre_id: int | None) -> dict:
    start, end = week_bounds(week_start)
    agents = {a.pk: str(a) for a in department_agents(department_id)}
    reviews = Review.objects.filter(agent_id__in=list(agents), created_at__gte=start, created_at__lt=end)
    scores = list(reviews.values_list("score", flat=True))
    threshold = get_rule("quality.weak_item_percent", centre_id=centre_id) / 100
    common: dict[str, dict] = {}
    per_agent: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for agent_id, name, weight, critical, points, failed in ReviewScore.objects.filter(review__in=reviews).values_list(
            "review__agent_id", "item__name", "item__weight", "item__critical", "points", "failed"):
        row = common.setdefault(name, {"name": name, "critical": critical, "losing": 0, "lost": 0})
        if critical:
            row["losing"] += int(failed)
            if failed:
                per_agent[agent_id][name].append(0.0)
            continue
        if points < weight:
            row["losing"] += 1
            row["lost"] += weight - points
        if weight:
            per_agent[agent_id][name].append(points / weight)
    problems = sorted((r for r in common.values() if r["losing"]), key=lambda r: (-r["losing"], -r["lost"], r["name"]))
    weak = []
    for agent_id in sorted(per_agent, key=lambda a: agents.get(a, "")):
        items = sorted((name for name, shares in per_agent[agent_id].items()
                        if sum(shares) / len(shares) < threshold), key=lambda n: sum(per_agent[agent_id][n]))
        if items:
            weak.append({"agent_id": agent_id, "agent": agents.get(agent_id, ""), "items": items})
    this_week = autocheck_selectors.flags_per_kind(agents, start, end)
    last_week = autocheck_selectors.flags_per_kind(agents, start - dt.timedelta(days=7), start)
    trends = [{"kind": kind, "label": str(label), "this": this_week.get(kind, 0), "last": last_week.get(kind, 0)}
              for kind, label in CheckRule.Kind.choices]
    return {
        "reviews": len(scores),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "common": problems[:COMMON_MAX],
        "weak": weak,
        "trends": trends,
        "threshold": round(threshold * 100),
    }


def summaries(user) -> QuerySet[WeeklySummary]:
    from kefu.quality import access

    return access.summaries_in_scope(user).select_related("department", "published_by").order_by(
        "-week_start", "department__name")


def summary(user, summary_id: int) -> WeeklySummary:
    from kefu.quality import access

    found = access.access_summary(user, summary_id)
    return WeeklySummary.objects.select_related("department", "published_by").get(pk=found.pk)
