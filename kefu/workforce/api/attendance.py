"""The attendance board as JSON (R-WFM-5): ``GET /attendance/monthly?month=YYYY-MM&team=`` (leads and up, the
teams of their scope), one item per person with the month's figures, and the team's totals."""

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kefu.core.api import ErrorOut
from kefu.workforce.selectors import attendance

router = Router(tags=["workforce"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class MonthlyFilters(Schema):
    month: str = Field("", max_length=7, description="YYYY-MM (default: this month)")
    team: str = Field("", max_length=100, description="A team's id or name (default: the caller's)")


class Figures(Schema):
    shifts: int
    due: int
    worked: int
    late: int
    late_minutes: int
    absences: int
    breaks: int
    away_minutes: int
    leave_days: int
    violations: int
    attendance_rate: float | None


class PersonFigures(Figures):
    person: str
    person_name: str

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.username

    @staticmethod
    def resolve_person_name(obj) -> str:
        return str(obj.person)


class MonthlyOut(Schema):
    team: str
    month: str
    items: list[PersonFigures]
    totals: Figures


@router.get("/attendance/monthly", response={200: MonthlyOut, **ERRORS})
def attendance_monthly(request, filters: Query[MonthlyFilters]):
    """One team's month: per person shifts, worked, late (count, minutes), absences, breaks and away minutes,
    leave days and violations (R-WFM-5); 404 for a team outside the caller's scope."""
    team = attendance.team_for_board(request.user, filters.team)
    month = attendance.parse_month(filters.month)
    board = attendance.monthly(request.user, team, month, now=timezone.now())
    return {"team": team.name, "month": f"{month:%Y-%m}", "items": board.rows, "totals": board.totals}

