"""Reading 3E daily logs (R-KPI-3): my log and yesterday's plan, a team's logs of a day, who has not filed
(people with a shift that day), and the help requests for the lead. A fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from kefu.org.models import User
from kefu.org.scope import scope_for
from kefu.performance.models import DailyLog
from kefu.workforce import selectors as workforce


@dataclass
class MyDay:
    today: DailyLog | None
    previous: DailyLog | None  # the last log before today: its plan is shown back in the morning


def my_day(user, today: dt.date) -> MyDay:
    logs = list(DailyLog.objects.filter(person=user, date__lte=today).order_by("-date")[:2])
    todays = logs[0] if logs and logs[0].date == today else None
    previous = next((log for log in logs if log.date < today), None)
    return MyDay(today=todays, previous=previous)


def my_logs(user) -> QuerySet[DailyLog]:
    return DailyLog.objects.filter(person=user).order_by("-date")


def logs_of_day(user, day: dt.date, *, team_id: int | None = None) -> QuerySet[DailyLog]:
    qs = DailyLog.objects.filter(scope_for(user).people_q("person__"), date=day)
    if team_id:
        qs = qs.filter(person__team_id=team_id)
    return qs.select_related("person", "person__team", "help_handled_by").order_by("person__team_id", "person_id")


def on_shift(user, day: dt.date, *, team_id: int | None = None) -> list[User]:
    """The people in ``user``'s scope with a published shift on ``day`` that leave did not free."""
    seen: dict[int, User] = {}
    for shift in workforce.shifts(user, team_id=team_id, date_from=day, date_to=day).select_related("person__team"):
        if shift.status == "published" and shift.leave_id is None and shift.person_id not in seen:
            seen[shift.person_id] = shift.person
    return sorted(seen.values(), key=lambda p: (p.team_id or 0, p.username))


def missing(user, day: dt.date, *, team_id: int | None = None) -> list[User]:
    """API.md: the people of the caller's team(s) with a shift that day and no log."""
    people = on_shift(user, day, team_id=team_id)
    filed = set(DailyLog.objects.filter(date=day, person_id__in=[p.pk for p in people])
                .values_list("person_id", flat=True))
    return [p for p in people if p.pk not in filed]


def help_requests(user, *, since: dt.date, open_only: bool = True) -> QuerySet[DailyLog]:
    """The logs in ``user``'s scope (not their own) that ask for help, newest first."""
    qs = (DailyLog.objects.filter(scope_for(user).people_q("person__"), date__gte=since)
          .exclude(help_needed="").exclude(person=user))
    if open_only:
        qs = qs.filter(help_handled_at__isnull=True)
    return qs.select_related("person", "person__team").order_by("-date", "person_id")
