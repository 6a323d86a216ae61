"""The live wallboard (大屏): each figure against a fixture at a frozen moment, the page (dark, no menu) and its
refresh through GET /api/v1/wallboard, the scope (a lead sees their team, an agent gets 404), the query count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.performance import wallboard

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 8)  # a Tuesday
LAST_WEEK = TODAY - dt.timedelta(days=7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


NOW = at(TODAY, 15, 30)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as travel:
        yield travel


def ticket(demo, who: str | None, created: dt.datetime, **fields):
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket

    t = tickets.create_ticket(actor=demo.users[who or "agent1"], shop=demo.shops["tmall"], type="consultation",
                              channel="hotline", title="咨询")
    values = {"created_at": created, "last_action_at": created} | fields
    if who is None:
        values["owner"] = None
    Ticket.objects.filter(pk=t.pk).update(**values)
    return Ticket.objects.get(pk=t.pk)


def published_shift(demo, username: str, start: dt.datetime, end: dt.datetime):
    from kefu.workforce.models import Shift

    return Shift.objects.create(person=demo.users[username], team=demo.users[username].team, date=start.date(),
                                start=start.time(), end=end.time(), start_at=start, end_at=end,
                                status=Shift.Status.PUBLISHED)


@pytest.fixture
def board_data(demo):
    """Today (Tue 08 Dec, now 15:30): agent1 (一班) 3 contacts at 09:10, 10:20 and 15:00 — the 15:00 one a complaint
    "物流慢", past its limit; agent4 (二班) 1 contact at 11:00, near its limit, a complaint "物流慢"; 1 unassigned at
    12:00. Last Tuesday: agent1 at 09:00 and 16:00 (after 15:30: not "so far"), agent4 at 14:00. Monday: a complaint
    "质量" of agent1 (this week, not today); the Sunday before: one of last week (not counted).
    Callbacks made today on agent1's tickets: 5 and 4; on agent4's: 1. Shifts: agent1, agent2 and agent4 on shift
    now, agent3's ended at 12:00; agent2 on a break."""
    from kefu.tickets.models import Callback
    from kefu.workforce.models import AwayPeriod

    t1 = ticket(demo, "agent1", at(TODAY, 9, 10), status="resolved")
    t2 = ticket(demo, "agent1", at(TODAY, 10, 20), status="resolved")
    ticket(demo, "agent1", at(TODAY, 15), type="complaint", root_cause="物流慢", sla_state="breached")
    t4 = ticket(demo, "agent4", at(TODAY, 11), type="complaint", root_cause="物流慢", sla_state="warning")
    ticket(demo, None, at(TODAY, 12))
    for who, moment in (("agent1", at(LAST_WEEK, 9)), ("agent1", at(LAST_WEEK, 16)), ("agent4", at(LAST_WEEK, 14))):
        ticket(demo, who, moment, status="closed")
    ticket(demo, "agent1", at(TODAY - dt.timedelta(days=1), 10), type="complaint", root_cause="质量", status="closed")
    ticket(demo, "agent1", at(TODAY - dt.timedelta(days=2), 10), type="complaint", root_cause="旧", status="closed")
    for t, satisfaction in ((t1, 5), (t2, 4), (t4, 1)):
        Callback.objects.create(ticket=t, due=at(TODAY, 17), created_at=at(TODAY, 13), assigned_to=demo.users["agent1"],
                                done_at=at(TODAY, 14), satisfaction=satisfaction)
    Callback.objects.create(ticket=t1, due=at(TODAY, 17), created_at=at(TODAY, 13), assigned_to=demo.users["agent1"],
                            done_at=at(LAST_WEEK, 14), satisfaction=1)  # not today
    for who in ("agent1", "agent2", "agent4"):
        published_shift(demo, who, at(TODAY, 9), at(TODAY, 18))
    published_shift(demo, "agent3", at(TODAY, 8), at(TODAY, 12))
    AwayPeriod.objects.create(person=demo.users["agent2"], start_at=at(TODAY, 15, 20))
    AwayPeriod.objects.create(person=demo.users["agent1"], start_at=at(TODAY, 14), end_at=at(TODAY, 14, 15))
    return demo


def test_wallboard_figures_for_the_head(board_data):
    data = wallboard.board(board_data.users["head1"])
    contacts = data["contacts"]
    assert (contacts["today"], contacts["last_week"]) == (5, 2)
    assert contacts["change"] == 1.5
    assert contacts["today_by_hour"][9:16] == [1, 1, 1, 1, 0, 0, 1]
    assert contacts["last_week_by_hour"][9] == 1 and contacts["last_week_by_hour"][14] == 1
    assert contacts["last_week_by_hour"][16] == 1 and sum(contacts["last_week_by_hour"]) == 3
    assert data["tickets"] == {"open": 3, "unassigned": 1, "warning": 1, "breached": 1}
    assert data["agents"] == {"on_shift": 3, "on_break": 1, "staff": data["agents"]["staff"]}
    assert data["csat"] == {"average": 3.33, "callbacks": 3}
    assert data["causes"] == [{"cause": "物流慢", "today": 2, "week": 2}, {"cause": "质量", "today": 0, "week": 1}]


def test_wallboard_a_lead_sees_their_team_and_the_unassigned(board_data):
    data = wallboard.board(board_data.users["lead1"])
    assert (data["contacts"]["today"], data["contacts"]["last_week"]) == (4, 1)
    assert data["tickets"] == {"open": 2, "unassigned": 1, "warning": 0, "breached": 1}
    assert data["agents"]["on_shift"] == 2 and data["agents"]["on_break"] == 1
    assert data["csat"] == {"average": 4.5, "callbacks": 2}
    assert data["causes"] == [{"cause": "物流慢", "today": 1, "week": 1}, {"cause": "质量", "today": 0, "week": 1}]
    other = wallboard.board(board_data.users["lead2"])
    assert other["tickets"] == {"open": 2, "unassigned": 1, "warning": 1, "breached": 0}
    assert other["agents"]["on_shift"] == 1


def test_wallboard_change_is_empty_without_last_week(demo):
    ticket(demo, "agent1", at(TODAY, 9))
    data = wallboard.board(demo.users["head1"])
    assert (data["contacts"]["today"], data["contacts"]["last_week"], data["contacts"]["change"]) == (1, 0, None)
    assert data["csat"] == {"average": None, "callbacks": 0}


def test_wallboard_api_refreshes_after_a_new_ticket(board_data, clients):
    client = clients("head")
    first = client.get("/api/v1/wallboard")
    assert first.status_code == 200
    assert first.json()["contacts"]["today"] == 5
    ticket(board_data, "agent1", at(TODAY, 15, 10))
    second = client.get("/api/v1/wallboard").json()
    assert second["contacts"]["today"] == 6 and second["tickets"]["open"] == 4


def test_wallboard_agents_get_404_and_anonymous_401(demo, clients):
    assert clients("agent").get("/api/v1/wallboard").status_code == 404
    assert clients("agent").get("/performance/wallboard/").status_code == 404
    from django.test import Client

    assert Client().get("/api/v1/wallboard").status_code == 401


def test_wallboard_page_is_dark_without_the_menu_and_polls(board_data, clients):
    response = clients("lead").get("/performance/wallboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-bs-theme="dark"' in html and 'data-testid="wallboard"' in html
    assert "navbar" not in html
    assert 'data-url="/api/v1/wallboard"' in html and "kefu/wallboard.js" in html
    assert 'data-field="contacts.today">4<' in html
    assert 'data-field="tickets.breached">1<' in html


def test_wallboard_json_in_a_fixed_number_of_queries(board_data, clients):
    client = clients("head")
    client.get("/api/v1/wallboard")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/wallboard")
    for hour in range(8, 15):
        ticket(board_data, "agent2", at(TODAY, hour, 5), type="complaint", root_cause=f"原因{hour}")
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/wallboard")
    assert len(many) == len(few)
    assert len(few) <= 12
