"""R-QA-2 appeals: the reviewed agent appeals a review once (a second → 422 naming R-QA-2); a department
head decides; upheld changes the score, refused keeps it; agent and inspector are told."""

from __future__ import annotations

import pytest

from kefu.core.errors import NotAllowed, RuleViolation
from kefu.quality import services
from kefu.quality.models import Appeal
from kefu.quality.tests.conftest import FULL, call


def test_r_qa_2_an_agent_appeals_a_review_once(demo, clients, review):
    r = review()
    first = call(clients("agent"), "post", f"/qa/reviews/{r.pk}/appeal", {"reason": "评分过严"})
    assert first.status_code == 201
    second = call(clients("agent"), "post", f"/qa/reviews/{r.pk}/appeal", {"reason": "再申诉一次"})
    assert second.status_code == 422
    assert second.json()["rule"] == "R-QA-2"
    assert Appeal.objects.filter(review=r).count() == 1


def test_r_qa_2_a_second_appeal_is_refused_after_the_decision_too(demo, review):
    r = review(scores={**FULL, "need": 10})
    appeal = services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="评分过严")
    services.decide_appeal(actor=demo.users["head1"], appeal_id=appeal.pk, upheld=False, note="维持原判")
    with pytest.raises(RuleViolation) as exc:
        services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="还是不服")
    assert exc.value.rule == "R-QA-2"


def test_r_qa_2_an_empty_reason_is_422_naming_reason(clients, review):
    r = review()
    response = call(clients("agent"), "post", f"/qa/reviews/{r.pk}/appeal", {"reason": "  "})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert not Appeal.objects.exists()


def test_r_qa_2_refused_appeal_keeps_the_score(demo, review):
    r = review(scores={**FULL, "need": 10})
    appeal = services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="评分过严")
    decided = services.decide_appeal(actor=demo.users["head1"], appeal_id=appeal.pk, upheld=False, note="维持")
    assert (decided.score, decided.appeal_state) == (85, "rejected")


def test_r_qa_2_upheld_without_a_score_lifts_the_critical_failure(demo, review):
    r = review(scores={**FULL, "need": 10}, critical_failed=["data_leak"])
    assert r.score == 0
    appeal = services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="未泄露，是客户本人")
    decided = services.decide_appeal(actor=demo.users["head1"], appeal_id=appeal.pk, upheld=True, note="核实为本人")
    assert (decided.score, decided.failed) == (85, False)


def test_r_qa_2_only_a_head_decides_and_only_once(demo, review):
    r = review()
    appeal = services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="x")
    for who in ("agent1", "lead1", "qa1", "director1"):
        with pytest.raises(NotAllowed):
            services.decide_appeal(actor=demo.users[who], appeal_id=appeal.pk, upheld=True, note="y")
    services.decide_appeal(actor=demo.users["head1"], appeal_id=appeal.pk, upheld=True, score=90, note="改")
    with pytest.raises(RuleViolation):
        services.decide_appeal(actor=demo.users["head1"], appeal_id=appeal.pk, upheld=False, note="再改")
    r.refresh_from_db()
    assert r.score == 90


def test_r_qa_2_the_heads_are_told_of_an_appeal(demo, review):
    from kefu.notifications.models import Notification

    r = review()
    services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="x")
    assert Notification.objects.filter(kind="qa_appeal", recipient=demo.users["head1"]).exists()
