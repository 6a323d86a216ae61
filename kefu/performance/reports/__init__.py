"""Reports (R-KPI-2): the daily report (日报), the weekly report (周报) and the monthly service quality analysis
(月度服务质量分析), each computed from the records with a fixed number of grouped queries, kept as snapshots
(``snapshots``) and written to Excel (``excel``).

A report is a plain dict (stored as a snapshot's JSON, returned by the API as it is)::

    {"kind": "daily", "period": "2026-12-08", "date_from": …, "date_to": …, "teams": [{"id", "name"}],
     "headline": {"created": 12, …},                     # the figures compared between versions
     "sections": [{"key": "by_type", "columns": ["type", "created", …], "rows": [{…}, …]}, …],
     "charts": {…}}

Column and section keys are translated when shown (``labels``), so a snapshot reads in every language.
Tickets belong to a team through their owner (the agent who took the contact, R-TIC-3).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import FieldError, InvalidInput, NotFound
from kefu.org.scope import scope_for
from kefu.performance import access

KINDS = ("daily", "weekly", "monthly")
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str
    key: str
    date_from: dt.date
    date_to: dt.date  # inclusive


def parse_period(kind: str, value: str | None, *, today: dt.date | None = None) -> Period:
    """The period of a report from its key; empty → the latest complete one (yesterday, last week, last
    month). A bad key is a field error on ``date``, ``week`` or ``month``."""
    today = today or timezone.localdate()
    value = (value or "").strip()
    if kind == "daily":
        if not value:
            day = today - dt.timedelta(days=1)
        else:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                raise _bad("date", _("Enter a date as YYYY-MM-DD.")) from None
        return Period(kind, day.isoformat(), day, day)
    if kind == "weekly":
        if not value:
            monday = today - dt.timedelta(days=today.weekday() + 7)
        else:
            match = WEEK_RE.match(value)
            try:
                monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1) if match else None
            except ValueError:
                monday = None
            if monday is None:
                raise _bad("week", _("Enter an ISO week as YYYY-Www, e.g. 2026-W50."))
        year, week, _d = monday.isocalendar()
        return Period(kind, f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6))
    if kind == "monthly":
        if not value:
            first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        else:
            match = MONTH_RE.match(value)
            try:
                first = dt.date(int(match[1]), int(match[2]), 1) if match else None
            except ValueError:
                first = None
            if first is None:
                raise _bad("month", _("Enter a month as YYYY-MM."))
        return Period(kind, f"{first:%Y-%m}", first, next_month(first) - dt.timedelta(days=1))
    raise _bad("kind", _("Choose a daily, weekly or monthly report."))


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _bad(name: str, message) -> InvalidInput:
    return InvalidInput(_("The request has invalid fields."), errors=[FieldError(name, message)])


def days(period: Period) -> list[dt.date]:
    return [period.date_from + dt.timedelta(days=i) for i in range((period.date_to - period.date_from).days + 1)]


@dataclass(frozen=True)
class Coverage:
    """The teams a report covers for its reader, and its snapshot scope key."""

    team_ids: tuple[int, ...]
    names: dict[int, str]
    scope: str
    team_id: int | None


def coverage(user, team_id: int | None = None) -> Coverage:
    """Leads: their team(s); heads: their department's teams; directors: the centre's. Anyone else: not
    found (agents do not see reports). A team outside the reader's scope is not found either."""
    if not access.can_review(user):
        raise NotFound(_("Reports are for team leads and managers."))
    scope = scope_for(user)
    teams = {t.pk: t.name for t in scope.teams().order_by("name")}
    if team_id:
        if team_id not in teams:
            raise NotFound(_("No such team in your scope."))
        return Coverage((team_id,), {team_id: teams[team_id]}, f"team:{team_id}", team_id)
    ids = tuple(teams)
    if scope.level == "centre":
        key = f"centre:{scope.centre_id or 0}"
    elif scope.level == "department":
        key = "department:" + ",".join(str(i) for i in sorted(scope.department_ids)) or "-"
    else:
        key = "team:" + ",".join(str(i) for i in sorted(ids))
    return Coverage(ids, teams, key[:100], None)


def build(user, period: Period, cover: Coverage, *, progress=None) -> dict:
    """Compute the report of ``period`` for the teams of ``cover`` (``progress(percent)`` is told along)."""
    from kefu.performance.reports import daily, monthly, weekly

    builder = {"daily": daily.build, "weekly": weekly.build, "monthly": monthly.build}[period.kind]
    data = builder(user, period, cover, progress=progress or (lambda _p: None))
    data.update({"kind": period.kind, "period": period.key, "date_from": period.date_from.isoformat(),
                 "date_to": period.date_to.isoformat(),
                 "teams": [{"id": pk, "name": cover.names[pk]} for pk in cover.team_ids]})
    return data
