"""R-KPI-3 3E daily log: one per person per day, yesterday's plan shown back, the lead's list of who has
not filed (people with a shift that day) and the help requests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.core.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from kefu.performance import selectors, services
from kefu.performance.models import DailyLog

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 8, 17, 30, tzinfo=SHANGHAI), tick=False) as t:
        yield t


def file(demo, who="agent1", day=DAY, **values):
    values.setdefault("products", "5G 套餐")
    return services.file_daily_log(actor=demo.users[who], date=day, **values)


def shift(demo, who, day=DAY):
    from kefu.workforce import services as wfm

    person = demo.users[who]
    return wfm.create_shift(actor=demo.users["head1"], person=person, date=day, kind="day",
                            start=dt.time(9), end=dt.time(18))


def test_r_kpi_3_one_log_per_person_per_day(demo):
    file(demo, solved="退款进度查询 3 件", plan="跟进 2 个未结工单")
    with pytest.raises(RuleViolation) as exc:
        file(demo, solved="again")
    assert exc.value.rule == "R-KPI-3"
    assert DailyLog.objects.count() == 1 and DailyLog.objects.get().solved == "退款进度查询 3 件"
    file(demo, who="agent2")
    assert DailyLog.objects.count() == 2


def test_r_kpi_3_filed_today_or_up_to_the_backfill_days_never_ahead(demo):
    file(demo, day=DAY - dt.timedelta(days=1))
    with pytest.raises(InvalidInput) as exc:
        file(demo, day=DAY - dt.timedelta(days=2))
    assert exc.value.errors[0].field == "date"
    with pytest.raises(InvalidInput):
        file(demo, day=DAY + dt.timedelta(days=1))
    assert DailyLog.objects.count() == 1


def test_an_empty_log_is_refused(demo):
    with pytest.raises(InvalidInput):
        services.file_daily_log(actor=demo.users["agent1"], date=DAY, plan="明天再说")
    assert not DailyLog.objects.exists()


def test_only_agents_and_leads_file(demo):
    for who in ("qa1", "head1", "director1"):
        with pytest.raises(NotAllowed):
            file(demo, who=who)
    assert not DailyLog.objects.exists()


def test_yesterdays_plan_is_shown_back_in_the_morning(demo, clock):
    file(demo, plan="回访王女士")
    clock.move_to(dt.datetime(2026, 12, 9, 8, 30, tzinfo=SHANGHAI))
    day = selectors.my_day(demo.users["agent1"], dt.date(2026, 12, 9))
    assert day.today is None and day.previous.plan == "回访王女士"


def test_r_kpi_3_missing_lists_people_on_shift_without_a_log(demo):
    shift(demo, "agent1")
    shift(demo, "agent2")
    shift(demo, "agent4")
    file(demo, who="agent1")
    assert [p.username for p in selectors.missing(demo.users["lead1"], DAY)] == ["agent2"]
    assert [p.username for p in selectors.missing(demo.users["head1"], DAY)] == ["agent2", "agent4"]
    assert selectors.missing(demo.users["lead1"], DAY + dt.timedelta(days=1)) == []  # nobody on shift


def test_the_lead_answers_a_help_request_and_only_for_their_team(demo):
    log = file(demo, help_needed="不会处理跨店退款")
    assert list(selectors.help_requests(demo.users["lead1"], since=DAY)) == [log]
    assert list(selectors.help_requests(demo.users["lead2"], since=DAY)) == []
    with pytest.raises(NotFound):
        services.handle_help(actor=demo.users["lead2"], log_id=log.pk, version=log.version, reply="x")
    services.handle_help(actor=demo.users["lead1"], log_id=log.pk, version=log.version, reply="看知识库第 12 条")
    log.refresh_from_db()
    assert log.help_reply == "看知识库第 12 条" and log.help_handled_by == demo.users["lead1"]
    assert list(selectors.help_requests(demo.users["lead1"], since=DAY)) == []


def test_the_api_files_once_and_lists_missing_for_leads(clients, demo):
    shift(demo, "agent1")
    shift(demo, "agent2")
    body = {"date": "2026-12-08", "products": "宽带", "discussed": "", "solved": "1 件", "open": "",
            "help_needed": "", "plan": "跟进"}
    agent = clients("agent")
    assert agent.post("/api/v1/daily-logs", body, content_type="application/json").status_code == 201
    second = agent.post("/api/v1/daily-logs", body, content_type="application/json")
    assert second.status_code == 422 and second.json()["rule"] == "R-KPI-3"
    assert agent.get("/api/v1/daily-logs/missing?date=2026-12-08").status_code == 403
    missing = clients("lead").get("/api/v1/daily-logs/missing?date=2026-12-08")
    assert missing.status_code == 200 and [p["username"] for p in missing.json()["items"]] == ["agent2"]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("agent", 200), ("lead", 200), ("qa", 404),
                                              ("head", 404)])
def test_the_log_page_by_role(clients, role, status):
    assert clients(role).get("/performance/daily-log/").status_code == status


def test_the_page_files_and_then_edits_the_same_log(clients, demo):
    client = clients("agent")
    data = {"date": "2026-12-08", "products": "宽带", "solved": "2 件", "plan": "回访"}
    assert client.post("/performance/daily-log/", data).status_code == 302
    log = DailyLog.objects.get()
    assert client.post("/performance/daily-log/", {**data, "solved": "3 件", "version": log.version}).status_code == 302
    log.refresh_from_db()
    assert log.solved == "3 件" and DailyLog.objects.count() == 1
    log.refresh_from_db()
    assert client.post("/performance/daily-log/", {"date": "2026-12-08", "version": log.version}).status_code == 422
    assert client.post("/performance/daily-log/", {**data, "version": 1}).status_code == 409  # a stale tab


def test_the_team_page_does_not_grow_in_queries(clients, demo, django_assert_max_num_queries):
    for who in ("agent1", "agent2", "agent3"):
        shift(demo, who)
        file(demo, who=who, help_needed="需要帮助")
    client = clients("lead")
    client.get("/performance/daily-logs/")
    with django_assert_max_num_queries(20):
        page = client.get("/performance/daily-logs/?date=2026-12-08")
    assert page.status_code == 200 and page.content.decode().count("需要帮助") == 3
    assert clients("agent").get("/performance/daily-logs/").status_code == 404
