"""R-KPI-2 report fixes: the monthly analysis's CSAT and RATER sections follow the team filter; the daily report
per shift/team (volumes by type within the shift's hours, stuck tickets at its end, difficult cases within its
hours) in the JSON, the page's chart and the Excel file (one sheet per section, numbers as numbers), against a
hand-built fixture."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.performance.reports import build, coverage, parse_period

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(DAY + dt.timedelta(days=1), 10), tick=False):
        yield


def report(demo, who, kind, key, team=None):
    user = demo.users[who]
    return build(user, parse_period(kind, key), coverage(user, team))


def section(data, key):
    return next(s for s in data["sections"] if s["key"] == key)


def team(demo, name):
    return next(t for t in demo.teams if t.name == name)


# -- monthly: CSAT and RATER of the covered teams only ----------------------------------------------------------

@pytest.fixture
def satisfaction(demo):
    """December: callbacks on 一班's tickets (agent1) rated 5 and 4, on 二班's (agent4) rated 1. RATER answers:
    一班 reliability 5, 二班 reliability 1 (every dimension the same)."""
    from kefu.surveys.models import DIMENSIONS, Invitation, Response, Survey
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Callback

    u = demo.users
    for who, sat in (("agent1", 5), ("agent1", 4), ("agent4", 1)):
        t = tickets.create_ticket(actor=u[who], shop=demo.shops["tmall"], type="complaint", channel="hotline", title=who)
        Callback.objects.create(ticket=t, due=at(DAY, 20), created_at=at(DAY, 10), done_at=at(DAY, 18),
                                satisfaction=sat)
    survey = Survey.objects.create(centre=demo.centre, title="RATER 12月", period_start=dt.date(2026, 12, 1),
                                   period_end=dt.date(2026, 12, 31), status="open")
    for n, (name, score) in enumerate((("一班", 5), ("二班", 1))):
        inv = Invitation.objects.create(survey=survey, token=f"tok{n}", team=team(demo, name),
                                        expires_at=at(DAY, 23), answered_at=at(DAY, 12))
        Response.objects.create(invitation=inv, survey=survey, team=team(demo, name), submitted_at=at(DAY, 12),
                                overall=score, **dict.fromkeys(DIMENSIONS, score))
    return demo


def test_r_kpi_2_monthly_csat_and_rater_follow_the_team_filter(satisfaction):
    demo = satisfaction
    whole = report(demo, "head1", "monthly", "2026-12")
    one = report(demo, "head1", "monthly", "2026-12", team=team(demo, "一班").pk)
    two = report(demo, "head1", "monthly", "2026-12", team=team(demo, "二班").pk)

    def december(data):
        return next(r for r in section(data, "surveys")["rows"] if r["month"] == "2026-12")

    assert (december(whole)["callbacks"], december(whole)["csat"], december(whole)["rater_answers"]) == (3, 3.33, 2)
    assert (december(one)["callbacks"], december(one)["csat"], december(one)["satisfied_rate"]) == (2, 4.5, 1.0)
    assert (december(one)["rater_answers"], december(one)["rater_reliability"]) == (1, 5.0)
    assert (december(two)["callbacks"], december(two)["csat"], december(two)["satisfied_rate"]) == (1, 1.0, 0.0)
    assert (december(two)["rater_answers"], december(two)["rater_reliability"]) == (1, 1.0)
    # the chart data say the same
    assert one["charts"]["csat"]["avg"][-1] == 4.5 and two["charts"]["rater"]["answers"][-1] == 1


def test_r_kpi_2_a_lead_filtering_on_their_team_sees_the_same(satisfaction):
    demo = satisfaction
    lead = report(demo, "lead1", "monthly", "2026-12", team=team(demo, "一班").pk)
    row = next(r for r in section(lead, "surveys")["rows"] if r["month"] == "2026-12")
    assert (row["callbacks"], row["csat"], row["rater_answers"]) == (2, 4.5, 1)


def test_r_kpi_1_the_monthly_analysis_keeps_its_weights_version(demo):
    from kefu.performance import weights

    rep = report(demo, "head1", "monthly", "2026-11")
    assert rep["weights"]["version"] == 1
    weights.add_version(actor=demo.users["head1"], fcr=10, sla=10, csat=10, qa=10, discipline=10,
                        effective_from=DAY + dt.timedelta(days=1))
    assert report(demo, "head1", "monthly", "2026-11")["weights"]["version"] == 1  # November began under v1


# -- daily: per shift and team -----------------------------------------------------------------------------

@pytest.fixture
def shifts(demo):
    """Shift types 早班 08:00–16:00 and 晚班 16:00–24:00 on DAY.
    一班: agent1 and agent2 早班, agent3 晚班; 二班: agent4 早班; agent5 (二班) a draft 晚班 (not counted).
    Tickets (created): T1 agent1 consultation 09:00 (一班 早班); T2 agent2 complaint 15:59 (一班 早班, difficult);
    T3 agent1 query 16:00 — exactly the change of shift: 晚班; T4 agent3 consultation 07:59 — before any shift;
    T5 agent4 query 10:00 (二班 早班), escalated 11:00 (difficult); T8 agent3 consultation 17:00, supervised
    (一班 晚班, difficult).
    Open tickets: T6 agent1, last action DAY−1 15:00 — stuck (24 h) at 16:00 and at 24:00; T7 agent1, last action
    DAY 00:00 — exactly 24 h at 24:00: stuck at the end of 晚班 only; T9 agent4 waiting on the customer since DAY−2:
    never stuck."""
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Escalation, Ticket
    from kefu.workforce.models import Shift, ShiftType

    u = demo.users
    early = ShiftType.objects.create(centre=demo.centre, code="early", name="早班", start=dt.time(8), end=dt.time(16))
    late = ShiftType.objects.create(centre=demo.centre, code="late", name="晚班", start=dt.time(16), end=dt.time(0))
    for who, kind, status in (("agent1", early, "published"), ("agent2", early, "published"),
                              ("agent3", late, "published"), ("agent4", early, "published"),
                              ("agent5", late, "draft")):
        end_at = at(DAY, 16) if kind is early else at(DAY + dt.timedelta(days=1), 0)
        Shift.objects.create(person=u[who], team=u[who].team, date=DAY, shift_type=kind, start=kind.start,
                             end=kind.end, start_at=at(DAY, kind.start.hour), end_at=end_at, status=status)

    def make(who, type_, created, *, last=None, **extra):
        t = tickets.create_ticket(actor=u[who], shop=demo.shops["tmall"], type=type_, channel="hotline", title=who)
        Ticket.objects.filter(pk=t.pk).update(owner=u[who], created_at=created, last_action_at=last or created,
                                              status=extra.pop("status", "in_progress"), **extra)
        return Ticket.objects.get(pk=t.pk)

    make("agent1", "consultation", at(DAY, 9))
    make("agent2", "complaint", at(DAY, 15, 59))
    make("agent1", "query", at(DAY, 16))
    make("agent3", "consultation", at(DAY, 7, 59))
    t5 = make("agent4", "query", at(DAY, 10))
    make("agent3", "consultation", at(DAY, 17), supervised=True)
    make("agent1", "consultation", at(DAY - dt.timedelta(days=2), 10), last=at(DAY - dt.timedelta(days=1), 15))
    make("agent1", "consultation", at(DAY - dt.timedelta(days=1), 20), last=at(DAY, 0))
    make("agent4", "consultation", at(DAY - dt.timedelta(days=3), 10), last=at(DAY - dt.timedelta(days=2), 10),
         status="waiting", waiting_on="customer")
    Escalation.objects.create(ticket=t5, from_level="agent", to_level="lead", reason="x", at=at(DAY, 11))
    return demo


def by_shift(data):
    return {(r["team"], r["shift"]): r for r in section(data, "by_shift")["rows"]}


def test_r_kpi_2_daily_report_per_shift_and_team(shifts):
    rows = by_shift(report(shifts, "head1", "daily", DAY.isoformat()))
    assert list(rows) == [("一班", "早班"), ("一班", "晚班"), ("二班", "早班")]  # the draft shift is not one
    early1, late1, early2 = rows[("一班", "早班")], rows[("一班", "晚班")], rows[("二班", "早班")]
    assert (early1["hours"], early1["people"], early1["created"]) == ("08:00–16:00", 2, 2)
    assert (early1["type:consultation"], early1["type:complaint"], early1["type:query"]) == (1, 1, 0)
    assert (early1["stuck"], early1["difficult"]) == (1, 1)
    assert (late1["hours"], late1["people"], late1["created"]) == ("16:00–00:00", 1, 2)
    assert (late1["type:query"], late1["type:consultation"]) == (1, 1)  # 16:00 sharp belongs to 晚班
    assert (late1["stuck"], late1["difficult"]) == (2, 1)  # T7: exactly 24 h at 24:00
    assert (early2["people"], early2["created"], early2["type:query"], early2["stuck"], early2["difficult"]) == (
        1, 1, 1, 0, 1)  # waiting on the customer is never stuck; escalated within the hours
    # T4 (07:59, before any shift) is in the day's totals, not in a shift
    data = report(shifts, "head1", "daily", DAY.isoformat())
    assert data["headline"]["created"] == 6 and sum(r["created"] for r in rows.values()) == 5


def test_r_kpi_2_daily_per_shift_follows_the_team_filter_and_the_setting(shifts):
    from kefu.rules.services import set_rule

    two = report(shifts, "head1", "daily", DAY.isoformat(), team=team(shifts, "二班").pk)
    assert list(by_shift(two)) == [("二班", "早班")]
    set_rule(actor=shifts.users["admin"], key="tickets.stuck_hours", value=33, version=0)
    rows = by_shift(report(shifts, "head1", "daily", DAY.isoformat()))
    assert rows[("一班", "早班")]["stuck"] == 0 and rows[("一班", "晚班")]["stuck"] == 1  # T6: 33 h at 24:00


def test_r_kpi_2_daily_per_shift_without_shifts_is_empty(demo):
    data = report(demo, "head1", "daily", DAY.isoformat())
    assert section(data, "by_shift")["rows"] == [] and data["charts"]["shifts"]["labels"] == []


def test_r_kpi_2_daily_per_shift_chart_and_excel(shifts, clients, django_capture_on_commit_callbacks):
    from openpyxl import load_workbook

    from kefu.performance.reports import snapshots

    chart = report(shifts, "head1", "daily", DAY.isoformat())["charts"]["shifts"]
    assert chart["labels"] == ["一班 早班 08:00–16:00", "一班 晚班 16:00–00:00", "二班 早班 08:00–16:00"]
    assert chart["series"]["consultation"] == [1, 1, 0] and chart["stuck"] == [1, 2, 0]
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.request_report(actor=shifts.users["head1"], kind="daily", period=DAY.isoformat())
    page = clients("head").get(f"/performance/reports/daily/?date={DAY.isoformat()}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="chart-c"' in html and 'data-testid="section-by_shift"' in html
    xlsx = clients("head").get("/api/v1/reports/daily", {"date": DAY.isoformat(), "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "按班次" in book.sheetnames
    sheet = book["按班次"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["班组", "班次", "时间", "在班人数", "创建"] and "创建：咨询" in header
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    late = rows[("一班", "晚班")]
    assert late[header.index("滞留")] == 2 and isinstance(late[header.index("创建：咨询")], int)
    assert late[header.index("疑难案例")] == 1 and late[header.index("创建")] == 2


def test_r_kpi_2_generate_makes_the_report_of_the_period_shown(demo, clients, django_capture_on_commit_callbacks):
    """"Generate" posts to the page's own address (?month=…&team=…): that period and team are generated, not
    the default (last month)."""
    from kefu.performance.models import ReportSnapshot

    one = team(demo, "一班").pk
    with django_capture_on_commit_callbacks(execute=True):
        response = clients("head").post(f"/performance/reports/monthly/?month=2026-12&team={one}")
    assert response.status_code == 302 and "month=2026-12" in response["Location"]
    snap = ReportSnapshot.objects.get()
    assert (snap.kind, snap.period, snap.team_id, snap.state) == ("monthly", "2026-12", one, "done")
