"""The quality API's shapes exactly as API.md "Quality", and the role matrix of every operation
(anonymous, agent, lead, qa, head, director) with nothing changed on refusals."""

from __future__ import annotations

import pytest

from kefu.notifications.models import Notification
from kefu.quality.models import Appeal, Review
from kefu.quality.tests.conftest import FULL, call


def test_scorecards_list_shape(clients, card):
    body = call(clients("agent"), "get", "/qa/scorecards").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    first = body["items"][0]
    assert {"id", "name", "version", "items"} <= set(first)
    assert first["id"] == card.pk and first["version"] == 1
    assert {"code", "name", "weight", "critical"} <= set(first["items"][0])
    scored = [i for i in first["items"] if not i["critical"]]
    assert len(scored) == 5 and sum(i["weight"] for i in scored) == 100
    assert any(i["critical"] and i["weight"] == 0 for i in first["items"])


def test_review_created_shape_and_agent_told(demo, clients, make_ticket, card):
    ticket = make_ticket(actor="agent2")
    response = call(clients("qa"), "post", "/qa/reviews", {
        "ticket_id": ticket.pk, "scorecard_id": card.pk, "scores": {**FULL, "tone": 5},
        "comment": "语气偏生硬", "mystery": True, "item_comments": {"tone": "语速过快"},
        "quoted_message": "客户：你们到底管不管？"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {"id", "agent", "score", "failed", "version"} <= set(body)
    assert body["agent"] == "agent2" and body["score"] == 90 and body["failed"] is False
    assert body["mystery"] is True and body["scorecard_version"] == 1
    assert next(i for i in body["items"] if i["code"] == "tone")["comment"] == "语速过快"
    assert Notification.objects.filter(recipient=demo.users["agent2"], kind="qa_review").exists()


def test_review_with_critical_failure_shape(clients, make_ticket):
    body = call(clients("head"), "post", "/qa/reviews", {"ticket_id": make_ticket().pk, "scores": FULL,
                                                         "critical_failed": ["abuse"], "comment": "辱骂客户",
                                                         "mystery": False}).json()
    assert (body["score"], body["failed"], body["critical_failed"]) == (0, True, ["abuse"])


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 201),
                                              ("head", 201), ("director", 403)])
def test_role_matrix_reviews(clients, make_ticket, role, status):
    ticket = make_ticket()
    response = call(clients(role), "post", "/qa/reviews", {"ticket_id": ticket.pk, "scores": FULL, "comment": ""})
    assert response.status_code == status
    assert Review.objects.count() == (1 if status == 201 else 0)


def test_unknown_ticket_is_422_naming_ticket_id(clients):
    response = call(clients("qa"), "post", "/qa/reviews", {"ticket_id": 999999, "scores": FULL, "comment": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ticket_id"


def test_appeal_and_decision_shapes(demo, clients, review):
    r = review(scores={**FULL, "tone": 5})
    appeal = call(clients("agent"), "post", f"/qa/reviews/{r.pk}/appeal", {"reason": "语速是客户要求的"})
    assert appeal.status_code == 201, appeal.content
    appeal_id = appeal.json()["id"]
    decided = call(clients("head"), "post", f"/qa/appeals/{appeal_id}/decide",
                   {"upheld": True, "score": 100, "note": "录音证实客户要求加快语速"})
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["id"] == r.pk and body["score"] == 100 and body["original_score"] == 90
    assert body["appeal_state"] == "upheld"
    told = set(Notification.objects.filter(kind="qa_appeal_decided").values_list("recipient__username", flat=True))
    assert told == {"agent1", "qa1"}


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 201), ("lead", 403), ("qa", 403),
                                              ("head", 403), ("director", 403)])
def test_role_matrix_appeal(clients, review, role, status):
    r = review()
    response = call(clients(role), "post", f"/qa/reviews/{r.pk}/appeal", {"reason": "不同意"})
    assert response.status_code == status
    assert Appeal.objects.count() == (1 if status == 201 else 0)


def test_another_agent_does_not_see_the_review(clients, review):
    r = review()  # agent1's ticket; agent2 is of the same team but sees only their own reviews
    from django.test import Client

    c = Client()
    from kefu.org.models import User

    c.force_login(User.objects.get(username="agent2"))
    response = call(c, "post", f"/qa/reviews/{r.pk}/appeal", {"reason": "不同意"})
    assert response.status_code == 404
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 403),
                                              ("head", 200), ("director", 403)])
def test_role_matrix_decide(demo, clients, review, role, status):
    from kefu.quality import services

    r = review(scores={**FULL, "tone": 0})
    appeal = services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="不同意")
    response = call(clients(role), "post", f"/qa/appeals/{appeal.pk}/decide",
                    {"upheld": True, "score": 95, "note": "改分"})
    assert response.status_code == status
    r.refresh_from_db()
    appeal.refresh_from_db()
    if status == 200:
        assert (r.score, appeal.status) == (95, "upheld")
    else:
        assert (r.score, appeal.status) == (85, "pending")


def test_quota_shape(clients, review):
    review()
    body = call(clients("qa"), "get", "/qa/quota?month=2026-12").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    rows = {row["agent"]: row for row in body["items"]}
    assert set(rows["agent1"]) == {"agent", "required", "done"}
    assert rows["agent1"] == {"agent": "agent1", "required": 1, "done": 1}
    assert rows["agent2"]["done"] == 0


@pytest.mark.parametrize(("role", "agents"), [
    ("agent", {"agent1"}), ("lead", {"agent1", "agent2", "agent3"}),
    ("qa", {f"agent{n}" for n in range(1, 7)}), ("head", {f"agent{n}" for n in range(1, 7)}),
    ("director", {f"agent{n}" for n in range(1, 7)}),
])
def test_quota_is_the_callers_scope(clients, clock, role, agents):
    body = call(clients(role), "get", "/qa/quota?month=2026-12").json()
    assert {row["agent"] for row in body["items"]} == agents


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "december", "0000-01"])
def test_quota_bad_month_is_422_naming_month(clients, month):
    response = call(clients("qa"), "get", f"/qa/quota?month={month}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "month"


def test_lists_in_a_constant_number_of_queries(clients, review, django_assert_max_num_queries):
    for _i in range(4):
        review()
    qa = clients("qa")
    call(qa, "get", "/qa/quota")
    with django_assert_max_num_queries(6):
        assert call(qa, "get", "/qa/scorecards").status_code == 200
    with django_assert_max_num_queries(6):
        assert len(call(qa, "get", "/qa/quota").json()["items"]) == 6


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 200), ("lead", 200), ("qa", 200),
                                              ("head", 200), ("director", 200)])
def test_role_matrix_read_a_review(clients, review, role, status):
    r = review()  # agent1 of 一班 (lead1)
    assert call(clients(role), "get", f"/qa/reviews/{r.pk}").status_code == status


def test_a_lead_of_another_team_does_not_see_the_review(demo, review):
    from django.test import Client

    r = review()
    c = Client()
    c.force_login(demo.users["lead2"])
    assert call(c, "get", f"/qa/reviews/{r.pk}").status_code == 404
