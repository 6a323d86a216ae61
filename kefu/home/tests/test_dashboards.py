"""Home pages by role (issue 12): the head's and director's "waiting for you" list coloured by urgency, the
lead's team workload, the agent's plan and KPI line; each offered as Excel (read back with openpyxl); the monthly
report's due date (R-KPI-2, ``performance.monthly_report_due_day``) at its boundaries."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kefu.home import selectors

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 8)  # a Tuesday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


NOW = at(TODAY, 15, 30)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as travel:
        yield travel


def ticket(demo, who: str, **fields):
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket

    t = tickets.create_ticket(actor=demo.users[who], shop=demo.shops["tmall"], type="consultation",
                              channel="hotline", title="咨询")
    Ticket.objects.filter(pk=t.pk).update(**fields)
    return t


def shift(demo, username: str):
    from kefu.workforce.models import Shift

    person = demo.users[username]
    return Shift.objects.create(person=person, team=person.team, date=TODAY, start=dt.time(9), end=dt.time(18),
                                start_at=at(TODAY, 9), end_at=at(TODAY, 18), status=Shift.Status.PUBLISHED)


@pytest.fixture
def work(demo):
    """agent1: 2 open tickets (one 督办, one escalated to the lead and past its limit since 10:00 today), one resolved
    on time and one late this month (on time 50 %: 一班 red); agent2: 1 open ticket. agent1 and agent2 on shift
    today, agent1 filed a log asking for help, agent2 did not; agent3 has no shift. Leave of agent1 pending with
    the head, starting tomorrow 09:00."""
    from kefu.performance.models import DailyLog
    from kefu.workforce.models import LeaveRequest

    ticket(demo, "agent1", supervised=True)
    ticket(demo, "agent1", escalation_level="lead", resolution_due=at(TODAY, 10), sla_state="breached")
    ticket(demo, "agent1", status="resolved", resolved_at=at(TODAY, 11), resolution_due=at(TODAY, 12))
    ticket(demo, "agent1", status="resolved", resolved_at=at(dt.date(2026, 12, 3), 13),
           resolution_due=at(dt.date(2026, 12, 3), 12))
    ticket(demo, "agent2", resolution_due=at(TODAY, 17))  # due later today: not a breach yet
    for who in ("agent1", "agent2"):
        shift(demo, who)
    DailyLog.objects.create(person=demo.users["agent1"], date=TODAY, help_needed="退款规则不清楚")
    DailyLog.objects.create(person=demo.users["agent1"], date=TODAY - dt.timedelta(days=1), plan="回访三位客户")
    LeaveRequest.objects.create(person=demo.users["agent1"], kind="personal", start_at=at(TODAY + dt.timedelta(days=1), 9),
                                end_at=at(TODAY + dt.timedelta(days=1), 18), reason="家事", approver_role="head",
                                filed_by=demo.users["agent1"])
    return demo


def _items(user) -> dict:
    return {a.key: a for a in selectors.attention(user)}


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_head_waiting_list_with_figures_and_urgency(work):
    items = _items(work.users["head1"])
    assert (items["leave"].value, items["leave"].tone) == (1, "danger")  # starts within a day
    assert (items["swaps"].value, items["swaps"].tone) == (0, "")
    assert (items["levels"].value, items["levels"].tone) == (0, "")
    assert (items["supervised"].value, items["supervised"].tone) == (1, "danger")
    assert (items["escalated"].value, items["escalated"].tone) == (1, "warning")
    assert (items["breaches"].value, items["breaches"].tone) == (1, "danger")
    assert (items["teams_below"].value, items["teams_below"].tone) == (1, "danger")
    assert work.teams[0].name in items["teams_below"].detail
    assert items["qa_quota"].value >= 1 and items["qa_quota"].tone == "warning"
    assert (items["report_due"].value, items["report_due"].tone) == (14, "")
    assert "2026-12-22" in items["report_due"].detail


def test_director_sees_the_list_too_and_the_page_loads_it_after(work, clients):
    client = clients("director")
    page = client.get("/").content.decode()
    assert 'hx-get="?part=attention"' in page and 'data-testid="home-attention-loading"' in page
    part = client.get("/?part=attention").content.decode()
    assert 'data-testid="attention-breaches" data-tone="danger"' in part
    assert 'data-testid="attention-supervised" data-tone="danger"' in part


def test_head_list_as_excel(work, clients):
    rows = _sheet(clients("head").get("/?export=attention"))
    assert len(rows) == 1 + 9
    by_label = {r[0]: r for r in rows[1:]}
    breaches = next(r for label, r in by_label.items() if "today" in label or "今日" in label or "今天" in label)
    assert breaches[1] == 1


def test_lead_workload_table_with_figures(work, clients):
    rows = {r.username: r for r in selectors.team_workload(work.users["lead1"], today=TODAY)}
    assert set(rows) == {"agent1", "agent2", "agent3"}
    a1, a2, a3 = rows["agent1"], rows["agent2"], rows["agent3"]
    assert (a1.open_tickets, a1.handled, a1.sla_rate, a1.filed_today, a1.help_requests) == (2, 2, 0.5, True, 1)
    assert (a2.open_tickets, a2.sla_rate, a2.filed_today, a2.help_requests) == (1, None, False, 0)
    assert (a3.open_tickets, a3.filed_today) == (0, None)
    html = clients("lead").get("/").content.decode()
    assert 'data-testid="home-workload"' in html and 'data-testid="log-missing"' in html
    assert "退款规则不清楚" in html


def test_lead_workload_as_excel(work, clients):
    rows = _sheet(clients("lead").get("/?export=workload"))
    assert len(rows) == 4
    data = {r[0]: r for r in rows[1:]}
    assert data["agent1"][2:5] == (2, 2, "50.0%")
    assert data["agent2"][2] == 1


def test_agent_sees_yesterdays_plan_and_kpi_line(work, clients):
    day = selectors.agent_day(work.users["agent1"], today=TODAY)
    assert (day.plan, day.plan_date) == ("回访三位客户", TODAY - dt.timedelta(days=1))
    assert day.kpi["handled"] == 2 and day.kpi["sla_rate"] == 0.5
    html = clients("agent").get("/").content.decode()
    assert "回访三位客户" in html and 'data-testid="agent-kpi"' in html
    rows = _sheet(clients("agent").get("/?export=kpi"))
    assert rows[1][0] == 2 and rows[1][2] == "50.0%"


def test_exports_are_for_their_role_only(work, clients):
    assert clients("agent").get("/?export=workload").status_code == 404
    assert clients("lead").get("/?export=attention").status_code == 404
    assert clients("head").get("/?export=nonsense").status_code == 404


@pytest.mark.parametrize(("day", "left", "tone", "due"), [
    (dt.date(2026, 12, 14), 8, "", "2026-12-22"),
    (dt.date(2026, 12, 15), 7, "warning", "2026-12-22"),
    (dt.date(2026, 12, 20), 2, "danger", "2026-12-22"),
    (dt.date(2026, 12, 22), 0, "danger", "2026-12-22"),
    (dt.date(2026, 12, 23), 30, "", "2027-01-22"),
])
def test_R_KPI_2_monthly_report_due_day_on_the_head_home(demo, clock, day, left, tone, due):
    clock.move_to(at(day, 10))
    item = _items(demo.users["head1"])["report_due"]
    assert (item.value, item.tone) == (left, tone)
    assert due in item.detail


def test_R_KPI_2_due_day_is_the_rule_setting(demo, clock, clients):
    import json

    response = clients("admin").patch("/api/v1/rules/performance.monthly_report_due_day",
                                      data=json.dumps({"value": 10, "version": 0}), content_type="application/json")
    assert response.status_code == 200
    assert selectors.report_due(demo.users["head1"], TODAY) == (dt.date(2026, 12, 10), 2)


def test_waiting_list_in_a_fixed_number_of_queries(work, clients):
    client = clients("head")
    client.get("/?part=attention")
    with CaptureQueriesContext(connection) as few:
        client.get("/?part=attention")
    for _i in range(5):
        ticket(work, "agent4", supervised=True, resolution_due=at(TODAY, 9))
    with CaptureQueriesContext(connection) as many:
        client.get("/?part=attention")
    assert len(many) == len(few) <= 30
