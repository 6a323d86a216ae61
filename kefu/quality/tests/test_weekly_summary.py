"""R-QA-3 weekly QA summary: the Monday job drafts the previous ISO week per department (common problems,
each agent's weak items, automatic-check trends); a head or QA edits and publishes it, which proposes
training for the weak items and tells the agents and leads. Role matrix and query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.quality import summary_services
from kefu.quality.models import CheckFlag, TicketCheck, WeeklySummary
from kefu.quality.tests.conftest import FULL, NOW, SHANGHAI

MONDAY_AFTER = dt.datetime(2026, 12, 7, 6, 30, tzinfo=SHANGHAI)
WEEK = dt.date(2026, 11, 30)  # the ISO week 2026-W49 of NOW (Friday 4 December)


@pytest.fixture
def week_of_reviews(demo, clock, make_ticket, review):
    """agent1: 服务用语 and 语气语调 weak; agent2: 需求归纳 weak, 服务用语 a little short; a review of the week
    before (not counted); flags raised this week and the week before."""
    review(ticket=make_ticket(actor="agent1"), scores={**FULL, "wording": 10, "tone": 5})
    review(ticket=make_ticket(actor="agent1"), scores={**FULL, "wording": 12})
    review(ticket=make_ticket(actor="agent2"), scores={**FULL, "need": 10, "wording": 18})
    clock(NOW - dt.timedelta(days=7))
    review(ticket=make_ticket(actor="agent3"), scores={**FULL, "attitude": 0})
    for at, kinds in ((NOW, ["forbidden", "greeting"]), (NOW - dt.timedelta(days=7), ["forbidden"])):
        for kind in kinds:
            ticket = make_ticket(actor="agent1")
            check = TicketCheck.objects.create(ticket=ticket, centre=demo.centre, agent=demo.users["agent1"],
                                               score=70, flagged=True, checked_at=at)
            CheckFlag.objects.create(check_result=check, kind=kind, raised_at=at)
    clock(MONDAY_AFTER)
    return demo


def _courses(demo):
    from kefu.training.models import Course

    Course.objects.create(centre=demo.centre, title="服务用语规范", tags=["服务用语", "语气语调"])
    Course.objects.create(centre=demo.centre, title="投诉处理技巧", tags=["应变能力", "需求归纳", "服务态度"])


def test_r_qa_3_the_monday_job_drafts_the_previous_week(week_of_reviews):
    from kefu.quality.tasks import draft_weekly_qa_summaries

    demo = week_of_reviews
    assert draft_weekly_qa_summaries.call_local() == 1  # the service department has agents
    summary = WeeklySummary.objects.get()
    assert (summary.department, summary.week_start, summary.status) == (demo.departments["客服部"], WEEK, "draft")
    figures = summary.figures
    assert figures["reviews"] == 3
    assert [r["name"] for r in figures["common"]] == ["服务用语", "需求归纳", "语气语调"]
    assert figures["common"][0]["losing"] == 3
    weak = {w["agent"]: w["items"] for w in figures["weak"]}
    assert weak == {"张三": ["服务用语", "语气语调"], "李四": ["需求归纳"]}
    trends = {t["kind"]: (t["this"], t["last"]) for t in figures["trends"]}
    assert trends["forbidden"] == (1, 1) and trends["greeting"] == (1, 0)
    assert "服务用语" in summary.text and "张三" in summary.text
    # run again: the draft (maybe edited) stays as it is
    assert draft_weekly_qa_summaries.call_local() == 1
    assert WeeklySummary.objects.count() == 1


def test_r_qa_3_weak_items_follow_the_threshold_setting(week_of_reviews):
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    demo = week_of_reviews
    row = rule_row("quality.weak_item_percent")
    set_rule(actor=demo.users["admin"], key="quality.weak_item_percent", value=50, version=row.version if row else None)
    clear_cache()
    summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"], week_start=WEEK)
    assert {w["agent"]: w["items"] for w in summary.figures["weak"]} == {"李四": ["需求归纳"]}  # 0.4 < 0.5


def test_r_qa_3_an_item_exactly_at_the_threshold_is_not_weak(week_of_reviews):
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    demo = week_of_reviews
    row = rule_row("quality.weak_item_percent")
    set_rule(actor=demo.users["admin"], key="quality.weak_item_percent", value=40, version=row.version if row else None)
    clear_cache()
    summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"], week_start=WEEK)
    weak = {w["agent"]: w["items"] for w in summary.figures["weak"]}
    assert "李四" not in weak  # 需求归纳 10 of 25 = 40 %: at the threshold, not below it
    assert weak == {}  # 张三: 服务用语 averages 55 %, 语气语调 67 % (33 % and 100 %)


def test_the_job_is_periodic_on_mondays():
    from huey.contrib.djhuey import HUEY

    from kefu.quality.tasks import draft_weekly_qa_summaries

    assert draft_weekly_qa_summaries.task_class in HUEY._registry._periodic_tasks
    monday = dt.datetime(2026, 12, 7, 6, 30)
    assert draft_weekly_qa_summaries.task_class().validate_datetime(monday)
    assert not draft_weekly_qa_summaries.task_class().validate_datetime(monday + dt.timedelta(days=1))


def test_r_qa_3_publishing_proposes_training_and_notifies(week_of_reviews, django_capture_on_commit_callbacks):
    from kefu.notifications.models import Notification
    from kefu.training.models import Assignment

    demo = week_of_reviews
    _courses(demo)
    summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"], week_start=WEEK)
    published = summary_services.publish_summary(actor=demo.users["head1"], summary_id=summary.pk,
                                                 text="本周服务用语问题突出。", version=summary.version)
    assert published.status == "published" and published.text == "本周服务用语问题突出。"
    assert published.training_plan_id is not None
    assigned = set(Assignment.objects.filter(plan_id=published.training_plan_id)
                   .values_list("person__username", "course__title"))
    assert assigned == {("agent1", "服务用语规范"), ("agent2", "投诉处理技巧")}
    told = set(Notification.objects.filter(kind="qa_summary").values_list("recipient__username", flat=True))
    assert {"agent1", "agent2", "agent3", "lead1"} <= told and "qa1" not in told and "head1" not in told


def test_publishing_twice_is_refused_and_changes_nothing(week_of_reviews):
    from kefu.core.errors import RuleViolation

    demo = week_of_reviews
    summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"], week_start=WEEK)
    summary = summary_services.publish_summary(actor=demo.users["qa1"], summary_id=summary.pk, text="一",
                                               version=summary.version)
    with pytest.raises(RuleViolation):
        summary_services.publish_summary(actor=demo.users["qa1"], summary_id=summary.pk, text="二",
                                         version=summary.version)
    summary.refresh_from_db()
    assert summary.text == "一"


@pytest.mark.parametrize(("role", "edit", "see_draft", "see_published"), [
    ("agent", False, False, True), ("lead", False, False, True), ("qa", True, True, True),
    ("head", True, True, True), ("director", False, False, True),
])
def test_summary_role_matrix(week_of_reviews, clients, role, edit, see_draft, see_published):
    demo = week_of_reviews
    summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"], week_start=WEEK)
    client = clients(role)
    assert client.get(f"/quality/summaries/{summary.pk}/").status_code == (200 if see_draft else 404)
    assert client.get("/quality/summaries/").status_code == 200
    response = client.post(f"/quality/summaries/{summary.pk}/", {"text": "改", "version": summary.version,
                                                                 "action": "publish"})
    summary.refresh_from_db()
    if edit:
        assert response.status_code == 302 and summary.status == "published"
        assert client.get(f"/quality/summaries/{summary.pk}/").status_code == 200
    else:
        assert response.status_code in (403, 404)
        assert (summary.status, summary.text) != ("published", "改")
        summary_services.publish_summary(actor=demo.users["head1"], summary_id=summary.pk, text="正文",
                                         version=summary.version)
        page = client.get(f"/quality/summaries/{summary.pk}/")
        assert page.status_code == (200 if see_published else 404)
        assert 'name="text"' not in page.content.decode()


def test_an_empty_text_is_a_field_error_and_changes_nothing(week_of_reviews, clients):
    demo = week_of_reviews
    summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"], week_start=WEEK)
    response = clients("head").post(f"/quality/summaries/{summary.pk}/", {"text": " ", "version": summary.version,
                                                                         "action": "publish"})
    assert response.status_code == 422 and 'data-field="text"' in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == "draft" and summary.training_plan_id is None


@pytest.mark.parametrize("weeks", [1, 4])
def test_summary_pages_in_a_constant_number_of_queries(week_of_reviews, clients, weeks, django_assert_max_num_queries):
    demo = week_of_reviews
    for n in range(weeks):
        summary = summary_services.draft_weekly_summary(department=demo.departments["客服部"],
                                                        week_start=WEEK - dt.timedelta(days=7 * n))
    head = clients("head")
    head.get("/quality/summaries/")
    with django_assert_max_num_queries(10):
        assert head.get("/quality/summaries/").status_code == 200
    with django_assert_max_num_queries(10):
        assert head.get(f"/quality/summaries/{summary.pk}/").status_code == 200


def test_the_review_button_shows_on_the_ticket_page_for_qa_and_heads_only(demo, clients, make_ticket):
    ticket = make_ticket()
    for role, shown in (("agent", False), ("lead", False), ("qa", True), ("head", True)):
        html = clients(role).get(f"/tickets/{ticket.pk}/").content.decode()
        assert ('data-testid="review-ticket"' in html) is shown, role
