"""R-TRN-1 API: courses, my assignments, start an attempt, submit answers, results — with the error
conventions of API.md (422 naming the field and the rule, 403, 404)."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.training import services
from kefu.training.models import Attempt
from kefu.training.tests.conftest import call

pytestmark = pytest.mark.django_db


def test_list_courses_hides_nothing_an_agent_may_not_see(demo, clients, course):
    services.create_course(actor=demo.users["qa1"], title="旧课程")
    body = call(clients("agent"), "get", "/courses").json()
    assert body["count"] == 2 and body["page"] == 1
    first = body["items"][0]
    assert first["title"] == "服务用语规范" and first["tags"] == ["服务用语"] and first["bank_size"] == 4
    assert "questions" not in first and "correct" not in str(first)


def test_my_assignments(demo, clients, course):
    services.assign_course(actor=demo.users["lead1"], course_id=course.pk, people=["agent1", "agent2"],
                           due=dt.date(2026, 12, 20), reason="新人")
    body = call(clients("agent"), "get", "/assignments/mine").json()
    assert [(i["course_title"], i["due"], i["overdue"]) for i in body["items"]] == [("服务用语规范", "2026-12-20", False)]


def test_start_submit_and_read_the_result(demo, clients, course):
    client = clients("agent")
    started = call(client, "post", f"/courses/{course.pk}/attempts")
    assert started.status_code == 201
    body = started.json()
    assert body["status"] == "open" and body["question_count"] == 4 and body["number"] == 1
    assert body["deadline"] == "2026-12-07T10:20:00+08:00"
    assert all("correct" not in q and "explanation" not in q for q in body["questions"])
    tf = next(q for q in body["questions"] if q["kind"] == "true_false")
    assert len(tf["options"]) == 2
    attempt = Attempt.objects.get(pk=body["id"])
    answers = {str(q.pk): q.correct for q in services.attempt_questions(attempt)}
    result = call(client, "post", f"/attempts/{attempt.pk}/submit", {"answers": answers})
    assert result.status_code == 200
    data = result.json()
    assert data["score"] == "100.00" and data["passed"] is True and data["pass_mark"] == 80
    assert len(data["review"]) == 4 and all(r["right"] for r in data["review"])
    assert {r["explanation"] for r in data["review"]} >= {"解析0", "多选解析", "判断解析"}
    assert call(client, "get", f"/attempts/{attempt.pk}").json()["score"] == "100.00"
    results = call(client, "get", "/results").json()
    assert results["count"] == 1 and results["items"][0]["person"] == "agent1"


def test_refusals_name_the_rule_and_the_field(demo, clients, course, clock):
    client = clients("agent")
    attempt_id = call(client, "post", f"/courses/{course.pk}/attempts").json()["id"]
    clock(dt.datetime(2026, 12, 7, 10, 21, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    late = call(client, "post", f"/attempts/{attempt_id}/submit", {"answers": {}})
    assert late.status_code == 422
    assert late.json()["rule"] == "R-TRN-1" and late.json()["errors"][0]["field"] == "answers"
    bad = call(client, "post", f"/courses/{course.pk}/attempts")  # the late one closed: attempt 2 starts
    assert bad.status_code == 201 and bad.json()["number"] == 2
    wrong = call(client, "post", f"/attempts/{bad.json()['id']}/submit", {"answers": {"1": [9]}})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"].startswith("answers.")


def test_retake_limit_over_the_api(demo, clients, course):
    client = clients("agent")
    for _n in range(3):
        attempt_id = call(client, "post", f"/courses/{course.pk}/attempts").json()["id"]
        assert call(client, "post", f"/attempts/{attempt_id}/submit", {"answers": {}}).status_code == 200
    fourth = call(client, "post", f"/courses/{course.pk}/attempts")
    assert fourth.status_code == 422
    assert fourth.json()["rule"] == "R-TRN-1" and fourth.json()["errors"] == [
        {"field": "course", "message": fourth.json()["detail"]}]
    assert Attempt.objects.count() == 3


def test_scope_404_for_others_attempts_and_unknown_courses(demo, clients, course):
    mine = call(clients("agent"), "post", f"/courses/{course.pk}/attempts").json()["id"]
    other = clients("agent")
    other.force_login(demo.users["agent2"])
    assert call(other, "get", f"/attempts/{mine}").status_code == 404
    assert call(other, "post", f"/attempts/{mine}/submit", {"answers": {}}).status_code == 404
    assert call(other, "post", "/courses/999999/attempts").status_code == 404
    lead2 = clients("lead")
    lead2.force_login(demo.users["lead2"])
    assert call(lead2, "get", f"/attempts/{mine}").status_code == 404  # agent1 is not in 二班
    assert call(clients("lead"), "get", f"/attempts/{mine}").status_code == 200  # lead1's team
    assert call(clients("lead"), "post", f"/attempts/{mine}/submit", {"answers": {}}).status_code == 404
    assert Attempt.objects.get(pk=mine).status == "open"


def test_anonymous_is_401(demo, clients, course):
    assert call(clients("anonymous"), "get", "/courses").status_code == 401


def test_trainers_create_and_assign_courses_agents_get_403(demo, clients, course):
    lead = clients("lead")
    created = call(lead, "post", "/courses", {"title": "新课", "tags": ["应变能力"], "exam_questions": 5})
    assert created.status_code == 201 and created.json()["tags"] == ["应变能力"] and created.json()["bank_size"] == 0
    duplicate = call(lead, "post", "/courses", {"title": "新课"})
    assert duplicate.status_code == 422 and duplicate.json()["errors"][0]["field"] == "title"
    assigned = call(lead, "post", f"/courses/{course.pk}/assignments", {"people": ["agent1"], "due": "2026-12-31"})
    assert assigned.status_code == 201 and assigned.json()[0]["course_title"] == "服务用语规范"
    outside = call(lead, "post", f"/courses/{course.pk}/assignments", {"people": ["agent4"], "due": "2026-12-31"})
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "people"
    agent = clients("agent")
    assert call(agent, "post", "/courses", {"title": "不行"}).status_code == 403
    assert call(agent, "post", f"/courses/{course.pk}/assignments",
                {"people": ["agent1"], "due": "2026-12-31"}).status_code == 403
    assert call(agent, "post", "/courses/999999/assignments",
                {"people": ["agent1"], "due": "2026-12-31"}).status_code == 404
    from kefu.training.models import Assignment, Course

    assert Course.objects.count() == 2 and Assignment.objects.count() == 1
