"""R-SAT-1: a survey link answers once, not after it expired, with every question scored from 1 to 5."""

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.errors import InvalidInput, NotFound, RuleViolation
from kefu.surveys import services
from kefu.surveys.models import Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(demo, resolved, survey):
    resolved(1)
    return services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=1, seed=1)[0]


def test_r_sat_1_a_link_answers_once(link, survey, full_scores):
    response = services.submit_answer(token=link.token, scores=full_scores(survey, 4), comment="很满意")
    assert response.overall == 4 and response.reliability == 4
    with pytest.raises(RuleViolation) as exc:
        services.submit_answer(token=link.token, scores=full_scores(survey, 1))
    assert exc.value.rule == "R-SAT-1"
    assert Response.objects.count() == 1
    assert Response.objects.get().overall == 4


def test_r_sat_1_a_link_expires_after_the_link_days(link, survey, full_scores, clock):
    assert link.expires_at - link.created_at == dt.timedelta(days=14)
    clock.shift(dt.timedelta(days=14) - dt.timedelta(seconds=1))
    assert services.link_state(link) == "open"
    clock.shift(dt.timedelta(seconds=1))
    with pytest.raises(RuleViolation):
        services.submit_answer(token=link.token, scores=full_scores(survey))
    assert not Response.objects.exists()


def test_r_sat_1_every_question_must_be_answered_from_1_to_5(link, survey, full_scores):
    scores = full_scores(survey)
    first, second, third = list(scores)[:3]
    del scores[first]
    scores[second] = 0
    scores[third] = 6
    with pytest.raises(InvalidInput) as exc:
        services.submit_answer(token=link.token, scores=scores)
    fields = {e.field for e in exc.value.errors}
    assert fields == {f"q{first}", f"q{second}", f"q{third}"}
    assert not Response.objects.exists()
    link.refresh_from_db()
    assert link.answered_at is None


def test_an_unknown_question_or_token_is_refused(link, survey, full_scores):
    with pytest.raises(InvalidInput):
        services.submit_answer(token=link.token, scores={**full_scores(survey), "999999": 3})
    with pytest.raises(NotFound):
        services.submit_answer(token="no-such-token", scores=full_scores(survey))


def test_dimension_averages_are_kept_per_answer(link, survey):
    scores = {str(q.pk): (5 if q.dimension == "empathy" else 3) for q in survey.questions.all()}
    response = services.submit_answer(token=link.token, scores=scores)
    assert response.empathy == 5 and response.reliability == 3
    assert response.overall == Decimal("3.40")  # 8 × 3 + 2 × 5 over 10 questions


def test_the_public_api_answers_without_login(client, link, survey, full_scores):
    url = f"/api/v1/surveys/answer/{link.token}"
    got = client.get(url)
    assert got.status_code == 200 and got.json()["state"] == "open" and len(got.json()["questions"]) == 10
    assert client.post(url, full_scores(survey), content_type="application/json").status_code == 422
    ok = client.post(url, {"scores": full_scores(survey), "comment": ""}, content_type="application/json")
    assert ok.status_code == 201
    again = client.post(url, {"scores": full_scores(survey)}, content_type="application/json")
    assert again.status_code == 422 and again.json()["rule"] == "R-SAT-1"
    assert client.get(url).json()["state"] == "answered"
    assert client.get("/api/v1/surveys/answer/nope").status_code == 404


def test_the_public_page_takes_one_answer(client, link, survey):
    url = f"/surveys/s/{link.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "1. " in page.content.decode()
    questions = list(survey.questions.all())
    partial = {f"q{questions[0].pk}": "5"}
    again = client.post(url, partial)
    assert again.status_code == 422 and not Response.objects.exists()
    assert f'data-field="q{questions[1].pk}"' in again.content.decode()
    answered = client.post(url, {f"q{q.pk}": "4" for q in questions} | {"comment": "好"})
    assert answered.status_code == 200 and 'data-state="thanks"' in answered.content.decode()
    assert Response.objects.get().comment == "好"
    assert 'data-state="answered"' in client.get(url).content.decode()
    assert client.get("/surveys/s/nope/").status_code == 404
