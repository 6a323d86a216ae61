"""R-WFM-5 attendance board: a team's month per person (shifts, worked, late, absences, breaks and away minutes,
leave days, violations), team totals, a 6-month trend for the charts, the API, the Excel download; a fixed
number of queries whatever the team's size; leads see only the teams of their scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.workforce import services
from kefu.workforce.models import LeaveRequest
from kefu.workforce.selectors import attendance
from kefu.workforce.services import breaks
from kefu.workforce.tests.conftest import MONDAY, at, call

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
DECEMBER = dt.date(2026, 12, 1)


@pytest.fixture
def month(demo, clock, make_shift):
    """A hand-made December 2026 of 一班, seen on the 20th at noon:

    - agent1: Mon 7 on time with two breaks (30 and 10 minutes), Tue 8 checked in 25 minutes late, Wed 9 absent;
    - agent2: Thu 10 freed by a day of approved leave, Fri 11 checked in 5 minutes late;
    - agent3: a shift on the 28th, still to come.
    """
    a1, a2 = demo.users["agent1"], demo.users["agent2"]
    for day in (MONDAY, MONDAY + DAY, MONDAY + 2 * DAY):
        make_shift("agent1", day)
    LeaveRequest.objects.create(person=a2, kind="personal", start_at=at(MONDAY + 3 * DAY, 0),
                                end_at=at(MONDAY + 4 * DAY, 0), reason="家里有事", status="approved",
                                approver_role="head", filed_by=a2)
    make_shift("agent2", MONDAY + 3 * DAY)  # freed by the leave from the start
    make_shift("agent2", MONDAY + 4 * DAY)
    make_shift("agent3", dt.date(2026, 12, 28))
    clock(at(MONDAY, 9))
    services.check_in(actor=a1)
    clock(at(MONDAY, 10))
    breaks.start_break(actor=a1)
    clock(at(MONDAY, 10, 30))
    breaks.end_break(actor=a1)  # 30 minutes: a violation
    clock(at(MONDAY, 15))
    breaks.start_break(actor=a1)
    clock(at(MONDAY, 15, 10))
    breaks.end_break(actor=a1)
    clock(at(MONDAY + DAY, 9, 25))
    services.check_in(actor=a1)  # 25 minutes late: a violation
    clock(at(MONDAY + 2 * DAY, 18, 1))
    assert services.record_absences() == 1  # Wednesday: absent, a violation
    clock(at(MONDAY + 4 * DAY, 9, 5))
    services.check_in(actor=a2)  # 5 minutes late: no violation
    clock(at(dt.date(2026, 12, 20), 12))
    return demo.teams[0]


FIELDS = ("shifts", "due", "worked", "late", "late_minutes", "absences", "breaks", "away_minutes", "leave_days",
          "violations")


def figures(row):
    return tuple(getattr(row, f) for f in FIELDS)


def test_R_WFM_5_board_figures_of_a_hand_made_month(demo, month):
    board = attendance.monthly(demo.users["lead1"], month, DECEMBER)
    rows = {row.person.username: row for row in board.rows}
    assert set(rows) == {"lead1", "agent1", "agent2", "agent3"}
    #                                 shifts due worked late min absent breaks away leave violations
    assert figures(rows["agent1"]) == (3, 3, 2, 1, 25, 1, 2, 40, 0, 3)
    assert figures(rows["agent2"]) == (1, 1, 1, 1, 5, 0, 0, 0, 1, 0)
    assert figures(rows["agent3"]) == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert figures(board.totals) == (5, 4, 3, 2, 30, 1, 2, 40, 1, 3)
    assert rows["agent1"].attendance_rate == 66.7 and rows["agent3"].attendance_rate is None
    assert board.totals.attendance_rate == 75.0


def test_R_WFM_5_a_break_under_way_counts_up_to_now(demo, month, clock, make_shift):
    make_shift("agent3", dt.date(2026, 12, 21))
    clock(at(dt.date(2026, 12, 21), 9, 30))
    breaks.start_break(actor=demo.users["agent3"])
    clock(at(dt.date(2026, 12, 21), 9, 45))
    row = next(r for r in attendance.monthly(demo.users["lead1"], month, DECEMBER).rows
               if r.person.username == "agent3")
    assert (row.breaks, row.away_minutes) == (1, 15)


def test_R_WFM_5_trend_of_six_months_per_team(demo, month):
    trend = attendance.trend(attendance.board_teams(demo.users["head1"]), DECEMBER)
    assert trend["months"] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    first = trend["teams"][0]
    assert first["team"] == month.name
    assert first["rate"] == [None] * 5 + [75.0] and first["late"] == [0] * 5 + [2]
    assert trend["teams"][1]["rate"] == [None] * 6


def test_R_WFM_5_board_queries_do_not_grow_with_the_team(demo, month, clock, make_shift):
    from kefu.org.services import create_person

    def count():
        with CaptureQueriesContext(connection) as ctx:
            attendance.monthly(demo.users["lead1"], month, DECEMBER)
        return len(ctx.captured_queries)

    before = count()
    for i in range(4):
        person = create_person(actor=None, username=f"extra{i}", password="x-2026-long", display_name=f"新人{i}",
                               department=month.department, team=month, roles=["agent"])
        demo.users[person.username] = person
        make_shift(person.username, MONDAY)
        clock(at(MONDAY, 9, 30 + i))
        services.check_in(actor=person)
        breaks.start_break(actor=person)
        clock(at(MONDAY, 11))
        breaks.end_break(actor=person)
    clock(at(dt.date(2026, 12, 20), 12))
    assert count() == before
    assert before <= 5


def test_R_WFM_5_board_page_for_the_lead(demo, month, clients):
    response = clients("lead").get("/workforce/attendance-board/?month=2026-12")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-person="agent1"' in page and 'data-person="agent4"' not in page
    assert 'id="attendance-trend-data"' in page and "echarts" in page


def test_R_WFM_5_board_scope_lead_of_one_team_gets_404_for_the_other(demo, month, clients):
    other = demo.teams[1]
    lead = clients("lead")
    assert lead.get(f"/workforce/attendance-board/?team={other.pk}").status_code == 404
    assert call(lead, "get", f"/attendance/monthly?team={other.pk}&month=2026-12").status_code == 404
    head = clients("head")
    assert head.get(f"/workforce/attendance-board/?team={other.pk}&month=2026-12").status_code == 200
    assert clients("agent").get("/workforce/attendance-board/").status_code == 403
    assert call(clients("agent"), "get", "/attendance/monthly").status_code == 403


def test_R_WFM_5_board_api_items_per_person(demo, month, clients):
    response = call(clients("lead"), "get", "/attendance/monthly?month=2026-12")
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == month.name and body["month"] == "2026-12"
    items = {item["person"]: item for item in body["items"]}
    assert items["agent1"]["late_minutes"] == 25 and items["agent1"]["away_minutes"] == 40
    assert items["agent1"]["absences"] == 1 and items["agent2"]["leave_days"] == 1
    assert body["totals"]["violations"] == 3


@pytest.mark.parametrize("bad", ["2026-13", "december", "2026", "0000-01"])
def test_R_WFM_5_board_bad_month_is_a_field_error(demo, clients, bad):
    response = call(clients("lead"), "get", f"/attendance/monthly?month={bad}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "month"
    page = clients("lead").get(f"/workforce/attendance-board/?month={bad}")
    assert page.status_code == 422 and 'data-testid="month-error"' in page.content.decode()


def test_R_WFM_5_board_excel_download(demo, month, clients):
    from openpyxl import load_workbook

    response = clients("lead").get("/workforce/attendance-board/?month=2026-12&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["agent1"][2:12] == (3, 2, 1, 25, 1, 2, 40, 0, 3, 66.7)
    from kefu.audit.models import AuditEvent

    export = AuditEvent.objects.get(action="export", object_type="org.team")
    assert export.actor == demo.users["lead1"] and export.after["month"] == "2026-12"
