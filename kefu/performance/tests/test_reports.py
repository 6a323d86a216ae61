"""R-KPI-2 reports: every figure of the daily, weekly and monthly report against a hand-made fixture; snapshots
(published stays, recompute makes a new version with its difference); Excel read back; scope; query counts;
the API's shapes."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.performance.reports import build, coverage, parse_period

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)  # a Tuesday of ISO week 2026-W50 (7–13 December)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(DAY + dt.timedelta(days=1), 10), tick=False) as t:
        yield t


@pytest.fixture
def data(demo):
    """一班 = agent1, agent2; 二班 = agent4.

    T1 agent1 consultation/hotline, created DAY 9:00, resolved DAY 10:00 (due 12:00).
    T2 agent1 complaint/chat (物流慢), created DAY-3, in progress, last action DAY-1 10:00 (stuck after 24 h),
       due DAY 15:00 (breached), escalated DAY 11:00, supervised (督办 event) on 7 Dec, handed to 物流部 DAY 11:00
       (due 18:00, still open).
    T3 agent2 complaint/hotline (态度), created DAY 14:00, new, supervised (flag and event DAY 15:00).
    T4 agent4 after-sales/web, created DAY-1, resolved DAY 16:00, due DAY 12:00 (breached), handed to 维修部 on
       7 Dec (done 8 Dec, on time).
    T6 agent1 consultation, created and resolved DAY-1.  T7 agent4 complaint, no root cause, created 7 Dec 9:00,
       resolved 7 Dec 12:00.
    November: T8 agent1 resolved 20 Nov; T9 agent2 complaint (物流慢) created 10 Nov, resolved 11 Nov.
    Callbacks: T1 done DAY 18:00 (2 points, due DAY 20:00); T4 done DAY 17:00 (4, due DAY 20:00);
       T3 due DAY 20:00 not made; T6 done 6 Dec (5).
    Shifts DAY: agent1, agent2 (一班); agent1 filed a 3E log, agent2 did not; agent4 filed one (no shift).
    Attendance: agent1 5 minutes late. Violation: agent1 late on DAY. QA: agent1 80, agent4 60 (failed)."""
    from kefu.performance.models import DailyLog
    from kefu.quality.models import Review
    from kefu.quality.selectors import default_scorecard
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Callback, DepartmentTask, Escalation, Ticket, TicketEvent
    from kefu.workforce.models import Attendance, Shift, Violation

    u = demo.users

    def make(who, type_, channel, created, *, resolved=None, due=None, last=None, status=None, **extra):
        t = tickets.create_ticket(actor=u[who], shop=demo.shops["tmall"], type=type_, channel=channel, title=who)
        Ticket.objects.filter(pk=t.pk).update(
            owner=u[who], created_at=created, resolved_at=resolved, resolution_due=due,
            last_action_at=last or resolved or created,
            status=status or ("resolved" if resolved else "in_progress"), **extra)
        return Ticket.objects.get(pk=t.pk)

    d1, d3 = DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=3)
    t1 = make("agent1", "consultation", "hotline", at(DAY, 9), resolved=at(DAY, 10), due=at(DAY, 12))
    t2 = make("agent1", "complaint", "chat", at(d3, 10), due=at(DAY, 15), last=at(d1, 10), root_cause="物流慢")
    t3 = make("agent2", "complaint", "hotline", at(DAY, 14), status="new", supervised=True, root_cause="态度")
    t4 = make("agent4", "after_sales", "web", at(d1, 10), resolved=at(DAY, 16), due=at(DAY, 12))
    t6 = make("agent1", "consultation", "hotline", at(d1, 9), resolved=at(d1, 11))
    make("agent4", "complaint", "email", at(dt.date(2026, 12, 7), 9), resolved=at(dt.date(2026, 12, 7), 12))
    make("agent1", "query", "hotline", at(dt.date(2026, 11, 20), 9), resolved=at(dt.date(2026, 11, 20), 10))
    make("agent2", "complaint", "hotline", at(dt.date(2026, 11, 10), 9), resolved=at(dt.date(2026, 11, 11), 9),
         root_cause="物流慢")
    Escalation.objects.create(ticket=t2, from_level="agent", to_level="lead", reason="x", at=at(DAY, 11))
    TicketEvent.objects.create(ticket=t2, at=at(dt.date(2026, 12, 7), 10), kind="supervision")
    TicketEvent.objects.create(ticket=t3, at=at(DAY, 15), kind="supervision")
    DepartmentTask.objects.create(ticket=t2, department=demo.departments["物流部"], note="查件", due=at(DAY, 18),
                                  created_by=u["agent1"], created_at=at(DAY, 11))
    DepartmentTask.objects.create(ticket=t4, department=demo.departments["维修部"], note="修", due=at(DAY + dt.timedelta(1), 9),
                                  created_by=u["agent4"], created_at=at(dt.date(2026, 12, 7), 9), status="done",
                                  done_at=at(DAY, 9))
    for ticket, done, sat in ((t1, at(DAY, 18), 2), (t4, at(DAY, 17), 4), (t3, None, None)):
        Callback.objects.create(ticket=ticket, due=at(DAY, 20), created_at=at(DAY, 10), done_at=done, satisfaction=sat)
    Callback.objects.create(ticket=t6, due=at(dt.date(2026, 12, 6), 12), created_at=at(d1, 11),
                            done_at=at(dt.date(2026, 12, 6), 11), satisfaction=5)
    shifts = {}
    for who in ("agent1", "agent2"):
        shifts[who] = Shift.objects.create(person=u[who], team=u[who].team, date=DAY, start=dt.time(9), end=dt.time(18),
                                           start_at=at(DAY, 9), end_at=at(DAY, 18), status="published")
    DailyLog.objects.create(person=u["agent1"], date=DAY, solved="x")
    DailyLog.objects.create(person=u["agent4"], date=DAY, solved="y")
    Attendance.objects.create(person=u["agent1"], shift=shifts["agent1"], check_in_at=at(DAY, 9, 5), late_minutes=5)
    Violation.objects.create(person=u["agent1"], kind="late", rule="R-WFM-5", evidence="迟到", at=at(DAY, 9, 5))
    card = default_scorecard()
    for who, ticket, score, failed in (("agent1", t1, 80, False), ("agent4", t4, 60, True)):
        Review.objects.create(centre=demo.centre, ticket=ticket, agent=u[who], team=u[who].team,
                              inspector=u["qa1"], scorecard=card, score=score, original_score=score, failed=failed,
                              created_at=at(DAY, 12))
    return {"t1": t1, "t2": t2, "t3": t3, "t4": t4}


def report(demo, who, kind, key, team=None):
    user = demo.users[who]
    return build(user, parse_period(kind, key), coverage(user, team))


def section(data, key):
    return next(s for s in data["sections"] if s["key"] == key)["rows"]


def by(rows, key):
    return {r[key]: r for r in rows}


# -- daily --------------------------------------------------------------------------------------------

def test_r_kpi_2_daily_report_figures(demo, data):
    rep = report(demo, "head1", "daily", DAY.isoformat())
    teams = by(section(rep, "by_team"), "team")
    assert teams["一班"] == {"team": "一班", "created": 2, "resolved": 1, "open_end": 2, "stuck": 1, "escalated": 1,
                           "supervised": 1, "complaints": 1, "breaches": 1, "callbacks": 1, "csat": 2.0,
                           "logs_filed": 1, "logs_missing": 1}
    assert teams["二班"] == {"team": "二班", "created": 0, "resolved": 1, "open_end": 0, "stuck": 0, "escalated": 0,
                           "supervised": 0, "complaints": 0, "breaches": 1, "callbacks": 1, "csat": 4.0,
                           "logs_filed": 1, "logs_missing": 0}
    assert rep["headline"] == {"created": 2, "resolved": 2, "open_end": 2, "stuck": 1, "escalated": 1,
                               "supervised": 1, "complaints": 1, "breaches": 2, "callbacks": 2, "logs_filed": 2,
                               "logs_missing": 1}
    types = by(section(rep, "by_type"), "type")
    assert types["consultation"] == {"type": "consultation", "created": 1, "resolved": 1, "open_end": 0}
    assert types["complaint"] == {"type": "complaint", "created": 1, "resolved": 0, "open_end": 2}
    assert types["after_sales"] == {"type": "after_sales", "created": 0, "resolved": 1, "open_end": 0}
    assert types["query"]["created"] == types["query"]["resolved"] == 0
    assert by(section(rep, "by_channel"), "channel")["hotline"]["created"] == 2
    assert by(section(rep, "by_channel"), "channel")["chat"]["created"] == 0
    assert [r["number"] for r in section(rep, "stuck")] == [data["t2"].number]
    difficult = {r["number"]: r["reason"] for r in section(rep, "difficult")}
    assert difficult == {data["t2"].number: "escalated,complaint", data["t3"].number: "supervised,complaint"}
    assert {r["number"] for r in section(rep, "breaches")} == {data["t2"].number, data["t4"].number}
    assert [r["username"] for r in section(rep, "logs_missing")] == ["agent2"]
    assert rep["charts"]["types"]["created"][rep["charts"]["types"]["labels"].index("complaint")] == 1


def test_r_kpi_2_daily_stuck_follows_the_setting(demo, data):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="tickets.stuck_hours", value=72, version=0)
    rep = report(demo, "head1", "daily", DAY.isoformat())
    assert rep["headline"]["stuck"] == 0 and rep["settings"]["stuck_hours"] == 72


# -- weekly -------------------------------------------------------------------------------------------

def test_r_kpi_2_weekly_report_figures(demo, data):
    rep = report(demo, "head1", "weekly", "2026-W50")
    assert (rep["date_from"], rep["date_to"]) == ("2026-12-07", "2026-12-13")
    teams = by(section(rep, "by_team"), "team")
    assert teams["一班"] == {"team": "一班", "supervised": 2, "handed": 1, "handed_open": 1, "handed_done": 0,
                           "handed_overdue": 1, "complaints": 1, "callbacks": 1, "callbacks_due": 2,
                           "callback_rate": 0.5, "csat": 2.0, "satisfied_rate": 0.0}
    assert teams["二班"] == {"team": "二班", "supervised": 0, "handed": 1, "handed_open": 0, "handed_done": 1,
                           "handed_overdue": 0, "complaints": 1, "callbacks": 1, "callbacks_due": 1,
                           "callback_rate": 1.0, "csat": 4.0, "satisfied_rate": 1.0}
    assert rep["headline"] == {"supervised": 2, "handed": 2, "handed_open": 1, "handed_overdue": 1, "complaints": 2,
                               "callbacks": 2, "csat": 3.0, "satisfied_rate": 0.5}
    days = by(section(rep, "by_day"), "day")
    assert len(days) == 7
    assert days["2026-12-07"] == {"day": "2026-12-07", "supervised": 1, "handed": 1, "complaints": 1, "callbacks": 0,
                                  "csat": None}
    assert days["2026-12-08"] == {"day": "2026-12-08", "supervised": 1, "handed": 1, "complaints": 1, "callbacks": 2,
                                  "csat": 3.0}
    assert {r["number"] for r in section(rep, "supervised")} == {data["t2"].number, data["t3"].number}
    assert section(rep, "handed") == [
        {"department": "物流部", "handed": 1, "open": 1, "done": 0, "returned": 0, "overdue": 1},
        {"department": "维修部", "handed": 1, "open": 0, "done": 1, "returned": 0, "overdue": 0}]
    assert section(rep, "causes") == [{"root_cause": "—", "complaints": 1}, {"root_cause": "态度", "complaints": 1}]


def test_r_kpi_2_week_key_field_errors(demo):
    from kefu.core.errors import InvalidInput

    for bad in ("2026-50", "2026-W54", "x"):
        with pytest.raises(InvalidInput) as exc:
            parse_period("weekly", bad)
        assert exc.value.errors[0].field == "week"
    with pytest.raises(InvalidInput):
        parse_period("monthly", "2026-13")
    assert parse_period("weekly", "").key == "2026-W49"  # last complete week
    assert parse_period("monthly", "").key == "2026-11"


# -- monthly ------------------------------------------------------------------------------------------

def test_r_kpi_2_monthly_analysis_figures(demo, data):
    rep = report(demo, "head1", "monthly", "2026-12")
    assert rep["due"] == "2027-01-22"
    kt = by(section(rep, "kpi_team"), "team")
    assert kt["一班"]["handled"] == 2 and kt["二班"]["handled"] == 2
    assert kt["一班"]["violations"] == 1 and kt["二班"]["violations"] == 0
    assert kt["一班"]["qa_score"] == 80.0 and kt["二班"]["qa_score"] == 60.0
    ka = by(section(rep, "kpi_agent"), "username")
    assert ka["agent1"]["handled"] == 2 and ka["agent1"]["team"] == "一班" and ka["agent4"]["handled"] == 2
    compare = {(r["team"], r["kpi"]): r for r in section(rep, "compare")}
    assert compare[("一班", "handled")] | {} == {"team": "一班", "kpi": "handled", "month": 2, "previous": 2,
                                                "change": 0}
    assert compare[("二班", "handled")]["previous"] == 0
    assert section(rep, "causes") == [
        {"root_cause": "—", "complaints": 1, "previous": 0, "change": 1},
        {"root_cause": "态度", "complaints": 1, "previous": 0, "change": 1},
        {"root_cause": "物流慢", "complaints": 1, "previous": 1, "change": 0}]
    qa = by(section(rep, "qa"), "team")
    assert qa["一班"] == {"team": "一班", "reviews": 1, "qa_score": 80.0, "failed": 0, "mystery": 0}
    assert qa["二班"] == {"team": "二班", "reviews": 1, "qa_score": 60.0, "failed": 1, "mystery": 0}
    surveys = by(section(rep, "surveys"), "month")
    assert surveys["2026-12"]["callbacks"] == 3 and surveys["2026-12"]["csat"] == pytest.approx(3.67, abs=0.01)
    assert surveys["2026-11"]["callbacks"] == 0 and surveys["2026-11"]["csat"] is None
    att = by(section(rep, "attendance"), "team")
    assert att["一班"] == {"team": "一班", "shifts": 2, "checked_in": 1, "late": 1, "absent": 0, "violations_late": 1,
                         "violations_away": 0, "violations_absence": 0, "violations_other": 0, "violations": 1}
    assert att["二班"]["shifts"] == 0 and att["二班"]["violations"] == 0
    assert rep["headline"]["handled"] == 4 and rep["headline"]["complaints"] == 3
    assert rep["headline"]["qa_reviews"] == 2 and rep["previous"]["handled"] == 2


def test_r_kpi_2_monthly_due_day_is_the_setting(demo, data):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="performance.monthly_report_due_day", value=15, version=0)
    assert report(demo, "head1", "monthly", "2026-12")["due"] == "2027-01-15"


def test_r_kpi_2_monthly_reminder_on_the_20th_to_heads_without_a_published_analysis(demo, clock):
    from kefu.notifications.models import Notification
    from kefu.performance.reports.reminders import remind_monthly_report

    assert remind_monthly_report(today=dt.date(2026, 12, 19)) == 0
    assert remind_monthly_report(today=dt.date(2026, 12, 20)) == 1
    note = Notification.objects.get(recipient=demo.users["head1"], kind="report_due")
    assert "2026-11" in note.title and "2026-12-22" in note.title and "month=2026-11" in note.url


def test_r_kpi_2_no_reminder_once_published(demo, data, django_capture_on_commit_callbacks):
    from kefu.performance.reports import snapshots
    from kefu.performance.reports.reminders import remind_monthly_report

    with django_capture_on_commit_callbacks(execute=True):
        snap = snapshots.request_report(actor=demo.users["head1"], kind="monthly", period="2026-11")
    snapshots.publish(actor=demo.users["head1"], snapshot_id=snap.pk)
    assert remind_monthly_report(today=dt.date(2026, 12, 20)) == 0


# -- snapshots ----------------------------------------------------------------------------------------

def test_r_kpi_2_published_snapshot_does_not_change_and_recompute_shows_the_difference(
        demo, data, clients, django_capture_on_commit_callbacks):
    from kefu.performance.models import ReportSnapshot
    from kefu.performance.reports import snapshots
    from kefu.tickets.models import Ticket

    head = demo.users["head1"]
    with django_capture_on_commit_callbacks(execute=True):
        v1 = snapshots.request_report(actor=head, kind="daily", period=DAY.isoformat())
    v1.refresh_from_db()
    assert (v1.state, v1.progress, v1.version) == ("done", 100, 1)
    snapshots.publish(actor=head, snapshot_id=v1.pk)
    # a correction: T3 was in fact resolved that evening
    Ticket.objects.filter(pk=data["t3"].pk).update(resolved_at=at(DAY, 19), status="resolved")
    client = clients("head")
    body = client.get("/api/v1/reports/daily", {"date": DAY.isoformat()}).json()
    assert body["headline"]["resolved"] == 2 and body["snapshot"]["version"] == 1 and body["snapshot"]["published"]

    with django_capture_on_commit_callbacks(execute=True):
        v2 = snapshots.request_report(actor=head, kind="daily", period=DAY.isoformat())
    v2.refresh_from_db()
    assert v2.version == 2 and v2.data["headline"]["resolved"] == 3
    assert ReportSnapshot.objects.get(pk=v1.pk).data["headline"]["resolved"] == 2
    changes = {c["key"]: c for c in snapshots.diff(v1.data, v2.data)}
    assert changes["resolved"] == {"key": "resolved", "before": 2, "after": 3, "change": 1}
    assert changes["open_end"]["change"] == -1 and "created" not in changes
    # the period's report is still the published version; the page shows it and what the recomputation changed
    assert client.get("/api/v1/reports/daily", {"date": DAY.isoformat()}).json()["snapshot"]["version"] == 1
    page = client.get(reverse("performance:report_daily"), {"date": DAY.isoformat()})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="report-changes"' in html and 'data-key="resolved"' in html
    snapshots.publish(actor=head, snapshot_id=v2.pk)
    assert client.get("/api/v1/reports/daily", {"date": DAY.isoformat()}).json()["snapshot"]["version"] == 2
    assert not ReportSnapshot.objects.get(pk=v1.pk).published


def test_r_kpi_2_page_generates_in_the_background_and_polls(demo, data, clients, django_capture_on_commit_callbacks):
    from kefu.performance.models import ReportSnapshot

    client = clients("lead")
    url = reverse("performance:report_weekly")
    page = client.get(url, {"week": "2026-W50"})
    assert page.status_code == 200 and 'data-testid="report-empty"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url + "?week=2026-W50", {"week": "2026-W50"}).status_code == 302
    snap = ReportSnapshot.objects.get()
    assert (snap.state, snap.scope, snap.period) == ("queued", f"team:{demo.teams[0].pk}", "2026-W50")
    html = client.get(url, {"week": "2026-W50"}).content.decode()
    assert 'hx-trigger="every 2s"' in html and reverse("performance:report_status", args=[snap.pk]) in html
    for callback in callbacks:
        callback()  # the Huey job (immediate in tests)
    status = client.get(reverse("performance:report_status", args=[snap.pk]))
    assert status["HX-Refresh"] == "true"
    html = client.get(url, {"week": "2026-W50"}).content.decode()
    assert 'data-testid="section-by_team"' in html and "report-data" in html and "二班" not in html


def test_r_kpi_2_bad_period_on_the_page_is_a_form_error(demo, clients):
    page = clients("head").get(reverse("performance:report_monthly"), {"month": "2026-13"})
    assert page.status_code == 422 and 'data-field="period"' in page.content.decode()


# -- Excel --------------------------------------------------------------------------------------------

def test_r_kpi_2_excel_read_back(demo, data, clients):
    from openpyxl import load_workbook

    response = clients("head").get("/api/v1/reports/weekly", {"week": "2026-W50", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概要", "按班组", "按日", "督办工单", "转交部门", "投诉按根因"]
    teams = book["按班组"]
    header = [c.value for c in teams[1]]
    assert header[:3] == ["班组", "已督办", "转交协办"]
    rows = {r[0]: r for r in teams.iter_rows(min_row=2, values_only=True)}
    assert rows["一班"][1] == 2 and isinstance(rows["一班"][1], int)
    rate_col = header.index("回访完成率")
    assert rows["一班"][rate_col] == 0.5 and teams.cell(row=2, column=rate_col + 1).number_format == "0.0%"
    days = list(book["按日"].iter_rows(min_row=2, values_only=True))
    assert len(days) == 7 and days[1][0] == "2026-12-08" and days[1][4] == 2
    summary = {r[0]: r[1] for r in book["概要"].iter_rows(min_row=2, values_only=True)}
    assert summary["已督办"] == 2 and summary["投诉"] == 2 and summary["满意度（1–5）"] == 3.0


def test_r_kpi_2_monthly_excel_has_every_section(demo, data, clients):
    from openpyxl import load_workbook

    response = clients("head").get(reverse("performance:report_monthly"), {"month": "2026-12"})
    assert response.status_code == 200  # no snapshot yet: nothing to download from the page
    response = clients("head").get("/api/v1/reports/monthly", {"month": "2026-12", "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 8
    kpi_agent = book[book.sheetnames[2]]
    values = [r for r in kpi_agent.iter_rows(min_row=2, values_only=True) if r[1] == "agent1"][0]
    assert values[3] == 2  # handled, a number


# -- scope and API --------------------------------------------------------------------------------------

def test_r_kpi_2_lead_sees_only_their_team(demo, data, clients):
    client = clients("lead")
    body = client.get("/api/v1/reports/daily", {"date": DAY.isoformat()}).json()
    assert [t["name"] for t in body["teams"]] == ["一班"]
    assert [r["team"] for r in body["sections"][0]["rows"]] == ["一班"]
    assert body["headline"]["resolved"] == 1 and body["snapshot"] is None
    other = demo.teams[1].pk
    assert client.get("/api/v1/reports/daily", {"date": DAY.isoformat(), "team": other}).status_code == 404
    assert client.get(reverse("performance:report_daily"), {"team": other}).status_code in (404, 422)


@pytest.mark.parametrize("path", ["/api/v1/reports/daily", "/api/v1/reports/weekly", "/api/v1/reports/monthly"])
def test_r_kpi_2_agent_gets_404(demo, clients, path):
    assert clients("agent").get(path).status_code == 404


@pytest.mark.parametrize("name", ["reports", "report_daily", "report_weekly", "report_monthly"])
def test_r_kpi_2_pages_agent_404(demo, clients, name):
    assert clients("agent").get(reverse(f"performance:{name}")).status_code == 404


def test_r_kpi_2_api_shapes(demo, data, clients):
    client = clients("director")
    for path, params in (("daily", {"date": DAY.isoformat()}), ("weekly", {"week": "2026-W50"}),
                         ("monthly", {"month": "2026-12"})):
        response = client.get(f"/api/v1/reports/{path}", params)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"kind", "period", "date_from", "date_to", "teams", "headline", "sections", "charts",
                             "snapshot"}
        assert body["kind"] == path and all({"key", "columns", "rows"} <= set(s) for s in body["sections"])
        xlsx = client.get(f"/api/v1/reports/{path}", params | {"format": "xlsx"})
        assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bad = client.get("/api/v1/reports/weekly", {"week": "50"})
    assert bad.status_code == 422 and "detail" in bad.json()
    assert client.get("/api/v1/reports/daily", {"format": "pdf"}).status_code == 422
    created = client.post("/api/v1/reports/monthly/snapshots", {"period": "2026-12"}, content_type="application/json")
    assert created.status_code == 202 and created.json()["version"] == 1
    assert client.post("/api/v1/reports/yearly/snapshots", {}, content_type="application/json").status_code == 422


# -- query counts ----------------------------------------------------------------------------------------

def _queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind,params", [("daily", {"date": DAY.isoformat()}), ("weekly", {"week": "2026-W50"}),
                                         ("monthly", {"month": "2026-12"})])
def test_r_kpi_2_report_query_counts_do_not_grow_with_the_data(demo, data, clients, kind, params,
                                                               django_capture_on_commit_callbacks):
    """The report's own queries (API, computed on the spot) and the page (a snapshot) for 3 times the data."""
    from kefu.performance.reports import snapshots

    client = clients("head")
    api = f"/api/v1/reports/{kind}"
    period = next(iter(params.values()))
    _queries(client, api, params)  # the per-process caches warm (rule settings, assessment weights)
    small = _queries(client, api, params)
    _more(demo)
    assert _queries(client, api, params) == small
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.request_report(actor=demo.users["head1"], kind=kind, period=period)
    page = reverse(f"performance:report_{kind}")
    one_version = _queries(client, page, params)
    for _i in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            snapshots.request_report(actor=demo.users["head1"], kind=kind, period=period)
    assert _queries(client, page, params) == one_version <= 12


def _more(demo):
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Callback, Ticket

    for who in ("agent2", "agent3", "agent5", "agent6") * 2:
        t = tickets.create_ticket(actor=demo.users[who], shop=demo.shops["jd"], type="complaint", channel="chat",
                                  title="more")
        Ticket.objects.filter(pk=t.pk).update(owner=demo.users[who], created_at=at(DAY, 11), resolved_at=at(DAY, 13),
                                              status="resolved", root_cause=f"cause-{who}")
        Callback.objects.create(ticket=t, due=at(DAY, 20), created_at=at(DAY, 13), done_at=at(DAY, 19), satisfaction=5)


def test_r_kpi_2_index_and_publish_from_the_page(demo, data, clients, django_capture_on_commit_callbacks):
    from kefu.performance.models import ReportSnapshot

    client = clients("head")
    url = reverse("performance:report_monthly")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "?month=2026-11", {"month": "2026-11"})
    snap = ReportSnapshot.objects.get()
    assert snap.state == "done" and not snap.published
    html = client.get(url, {"month": "2026-11"}).content.decode()
    assert 'data-testid="report-publish"' in html and 'data-testid="report-xlsx"' in html
    response = client.post(reverse("performance:report_publish", args=[snap.pk]))
    assert response.status_code == 302 and "month=2026-11" in response["Location"]
    snap.refresh_from_db()
    assert snap.published
    index = client.get(reverse("performance:reports")).content.decode()
    assert "2026-11" in index and reverse("performance:report_weekly") in index
    xlsx = client.get(url, {"month": "2026-11", "format": "xlsx"})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # another lead cannot read or publish the head's snapshot
    assert clients("lead").get(reverse("performance:report_status", args=[snap.pk])).status_code == 404
    assert clients("lead").post(reverse("performance:report_publish", args=[snap.pk])).status_code == 404


def test_r_kpi_2_failed_job_is_shown(demo, clients, monkeypatch, django_capture_on_commit_callbacks):
    from kefu.performance.models import ReportSnapshot
    from kefu.performance.reports import daily

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(daily, "build", boom)
    client = clients("head")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("performance:report_daily") + "?date=2026-12-08", {"date": "2026-12-08"})
    snap = ReportSnapshot.objects.get()
    assert snap.state == "failed" and "went away" in snap.error
    response = client.get(reverse("performance:report_status", args=[snap.pk]))
    assert response["HX-Refresh"] == "true" and "went away" in response.content.decode()


def test_r_kpi_2_reminder_task_runs_the_service(demo):
    from kefu.notifications.models import Notification
    from kefu.performance import tasks

    with time_machine.travel(at(dt.date(2026, 12, 20), 9), tick=False):
        tasks.remind_monthly_report()
    assert Notification.objects.filter(kind="report_due").count() == 1


def test_r_kpi_2_default_periods_on_the_api(demo, clients):
    body = clients("lead").get("/api/v1/reports/weekly").json()
    assert (body["period"], body["date_from"], body["date_to"]) == ("2026-W49", "2026-11-30", "2026-12-06")
    assert clients("lead").get("/api/v1/reports/daily").json()["period"] == DAY.isoformat()
    assert clients("lead").get("/api/v1/reports/monthly").json()["period"] == "2026-11"
