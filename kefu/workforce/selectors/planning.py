"""Reads of issue 10's pages: plan proposals, their draft week and its coverage, the centre's shift types."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from kefu.org.scope import scope_for
from kefu.workforce.models import PlanProposal, Shift, ShiftType
from kefu.workforce.selectors import Roster, RosterRow, calendar_days
from kefu.workforce.selectors.staffing import scheduled_per_hour


def recent_proposals(user, limit: int = 20) -> list[PlanProposal]:
    return list(PlanProposal.objects.filter(team_id__in=scope_for(user).team_ids)
                .select_related("team", "requested_by").order_by("-created_at", "-id")[:limit])


def shift_types(user) -> QuerySet[ShiftType]:
    return ShiftType.objects.filter(centre_id=user.centre_id).order_by("start", "id")


def proposal_shifts(proposal: PlanProposal) -> list[Shift]:
    return list(Shift.objects.filter(proposal=proposal).select_related("person", "shift_type", "leave")
                .order_by("date", "start_at", "id"))


def proposal_week(proposal: PlanProposal) -> Roster:
    """The team's people × the proposal's days with its shifts (two queries and the cached calendar)."""
    from kefu.org.models import User

    days = [proposal.week_start + dt.timedelta(days=i) for i in range(7)]
    people = list(User.objects.filter(team_id=proposal.team_id, is_active=True).order_by("id"))
    rows = {p.pk: RosterRow(p, [[] for _ in days]) for p in people}
    for shift in proposal_shifts(proposal):
        row = rows.get(shift.person_id)
        if row is None:
            row = rows[shift.person_id] = RosterRow(shift.person, [[] for _ in days])
        if 0 <= (shift.date - days[0]).days < 7:
            row.cells[(shift.date - days[0]).days].append(shift)
    headcount = [sum(1 for r in rows.values() for s in r.cells[i] if not s.on_leave) for i in range(7)]
    return Roster(team=proposal.team, days=calendar_days(days), rows=list(rows.values()), headcount=headcount)


def coverage(proposal: PlanProposal, week: Roster) -> dict:
    """Per hour of the week: the requirement the solver was given and the agents the draft has on shift now
    (after the lead's edits). For the ECharts chart and the shortfall figure."""
    shifts = [s for row in week.rows for cell in row.cells for s in cell]
    required = (proposal.summary or {}).get("requirement", {})
    labels, need, planned, state = [], [], [], []
    for info in week.days:
        on_shift = scheduled_per_hour(shifts, info.date)
        for hour in range(24):
            key = f"{info.date:%Y-%m-%d}T{hour:02d}:00"
            n = int(required.get(key, 0))
            labels.append(f"{info.date:%m-%d} {hour:02d}")
            need.append(n)
            planned.append(round(on_shift[hour], 2))
            state.append("under" if on_shift[hour] < n else "over" if on_shift[hour] >= n + 1 else "ok")
    shortfall = sum(max(0.0, n - p) for n, p in zip(need, planned, strict=True))
    return {"hours": labels, "required": need, "scheduled": planned, "state": state,
            "shortfall": round(shortfall, 2), "at": timezone.now().isoformat()}
