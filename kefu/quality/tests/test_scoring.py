"""R-QA-1 scoring: the score is the sum of the items' points (0–100), a failed critical item (致命项) fails
the review and sets its score to 0; points above an item's weight, an unknown or a missing item are 422s
naming the field and save nothing; a review keeps its scorecard version after the scorecard is edited."""

from __future__ import annotations

import pytest

from kefu.quality import services
from kefu.quality.models import Review, ReviewScore, Scorecard
from kefu.quality.tests.conftest import FULL, call


def test_r_qa_1_default_scorecard_has_the_five_items_adding_up_to_100_and_critical_items(card):
    items = list(card.items.all())
    scored = [i for i in items if not i.critical]
    assert [i.name for i in scored] == ["服务用语", "服务态度", "语气语调", "需求归纳", "应变能力"]
    assert sum(i.weight for i in scored) == 100
    critical = [i for i in items if i.critical]
    assert {i.name for i in critical} >= {"泄露客户信息", "辱骂客户"}
    assert all(i.weight == 0 for i in critical)


def test_r_qa_1_score_is_the_sum_of_the_points(demo, review):
    r = review(scores={**FULL, "tone": 10, "need": 20})
    assert (r.score, r.failed) == (90, False)
    assert r.agent == demo.users["agent1"]
    assert ReviewScore.objects.filter(review=r).count() == len(r.scorecard.items.all())


def test_r_qa_1_full_and_zero_marks_are_the_bounds(review):
    assert review(scores=FULL).score == 100
    assert review(scores=dict.fromkeys(FULL, 0)).score == 0


def test_r_qa_1_a_failed_critical_item_fails_the_review_with_score_0(review):
    r = review(scores=FULL, critical_failed=["data_leak"])
    assert (r.score, r.failed) == (0, True)
    assert ReviewScore.objects.get(review=r, item__code="data_leak").failed


@pytest.mark.parametrize(("scores", "field"), [
    ({**FULL, "tone": 16}, "scores.tone"),  # above the weight (15)
    ({**FULL, "nonsense": 3}, "scores.nonsense"),  # unknown item
    ({k: v for k, v in FULL.items() if k != "need"}, "scores.need"),  # missing item
    ({**FULL, "data_leak": 0}, "scores.data_leak"),  # a critical item is not scored
])
def test_r_qa_1_bad_points_are_422_naming_the_field_and_save_nothing(demo, clients, make_ticket, scores, field):
    ticket = make_ticket()
    response = call(clients("qa"), "post", "/qa/reviews",
                    {"ticket_id": ticket.pk, "scores": scores, "comment": "", "mystery": False})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Review.objects.exists()


def test_r_qa_1_unknown_critical_item_is_422(clients, make_ticket):
    response = call(clients("qa"), "post", "/qa/reviews", {"ticket_id": make_ticket().pk, "scores": FULL,
                                                           "critical_failed": ["tone"], "comment": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "critical_failed"
    assert not Review.objects.exists()


def test_r_qa_1_negative_points_are_422(clients, make_ticket):
    response = call(clients("qa"), "post", "/qa/reviews",
                    {"ticket_id": make_ticket().pk, "scores": {**FULL, "tone": -1}, "comment": ""})
    assert response.status_code == 422
    assert not Review.objects.exists()


def _items_of(card) -> list[dict]:
    return [{"code": i.code, "name": i.name, "weight": i.weight, "critical": i.critical} for i in card.items.all()]


def test_r_qa_1_a_review_keeps_its_scorecard_version_after_an_edit(demo, review, card):
    old = review(scores=FULL)
    items = _items_of(card)
    for i in items:  # tone 15 → 10, need 25 → 30
        i["weight"] = {"tone": 10, "need": 30}.get(i["code"], i["weight"])
    new_card = services.save_scorecard(actor=demo.users["qa1"], family=card.family, name=card.name, items=items,
                                       change_note="需求归纳更重要")
    assert new_card.version == card.version + 1
    assert list(Scorecard.objects.filter(family=card.family, active=True)) == [new_card]
    old.refresh_from_db()
    assert old.scorecard_id == card.pk and old.score == 100
    assert ReviewScore.objects.get(review=old, item__code="tone").item.weight == 15
    new = review(scores={**FULL, "tone": 10, "need": 30})
    assert new.scorecard_id == new_card.pk and new.score == 100
    # the retired version is not used for new reviews
    with pytest.raises(services.InvalidInput):
        review(scores=FULL, scorecard_id=card.pk)


def test_r_qa_1_scorecard_weights_must_add_up_to_100(demo, card):
    items = _items_of(card)
    items[0]["weight"] = 5
    with pytest.raises(services.InvalidInput) as exc:
        services.save_scorecard(actor=demo.users["qa1"], family=card.family, name=card.name, items=items)
    assert "items" in [e.field for e in exc.value.errors]
    assert Scorecard.objects.filter(family=card.family).count() == 1


def test_r_qa_1_a_critical_item_has_weight_0(demo, card):
    items = _items_of(card)
    items[-1]["weight"] = 5
    with pytest.raises(services.InvalidInput) as exc:
        services.save_scorecard(actor=demo.users["head1"], family=card.family, name=card.name, items=items)
    assert exc.value.errors[0].field == f"items.{len(items) - 1}.weight"


def test_r_qa_1_agents_do_not_edit_scorecards(demo, card):
    with pytest.raises(services.NotAllowed):
        services.save_scorecard(actor=demo.users["agent1"], family=card.family, name="x", items=_items_of(card))
    assert Scorecard.objects.filter(family=card.family).count() == 1
