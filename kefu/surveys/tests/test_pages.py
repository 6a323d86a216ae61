"""Survey pages: the list with trend charts, the builder, results and links, by role; lists in a fixed
number of queries."""

import pytest

from kefu.surveys import services
from kefu.surveys.models import Invitation, Survey

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("agent", 404), ("lead", 200), ("qa", 200),
                                              ("head", 200), ("director", 200)])
def test_the_survey_list_by_role(clients, survey, role, status):
    page = clients(role).get("/surveys/")
    assert page.status_code == status
    if status == 200:
        assert survey.title in page.content.decode()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("agent", 404), ("lead", 404), ("qa", 302),
                                              ("head", 302), ("director", 302)])
def test_building_a_survey_by_role_and_nothing_changes_when_refused(clients, clock, role, status):
    data = {"title": "一月调查", "intro": "", "period_start": "2026-12-01", "period_end": "2026-12-31",
            "q_reliability": "按时解决了吗？", "q_assurance": "专业吗？", "q_tangibles": "渠道方便吗？",
            "q_empathy": "理解我的需求吗？", "q_responsiveness": "回复及时吗？"}
    response = clients(role).post("/surveys/new/", data)
    assert response.status_code == status
    assert Survey.objects.count() == (1 if status == 302 and role != "anonymous" else 0)


def test_the_builder_shows_field_errors(clients, clock):
    response = clients("qa").post("/surveys/new/", {"title": "", "period_start": "2026-12-31",
                                                    "period_end": "2026-12-01"})
    assert response.status_code == 422
    assert not Survey.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("lead", 404), ("qa", 302), ("head", 302)])
def test_sending_a_round_from_the_page(clients, resolved, survey, role, status):
    resolved(3)
    response = clients(role).post(f"/surveys/{survey.pk}/round/", {"size": 2, "seed": 5})
    assert response.status_code == status
    assert Invitation.objects.count() == (2 if status == 302 else 0)


def test_results_page_links_and_csv(clients, demo, resolved, survey, full_scores):
    resolved(3)
    links = services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=3, seed=5)
    services.submit_answer(token=links[0].token, scores=full_scores(survey, 4), comment="服务很好")
    page = clients("head").get(f"/surveys/{survey.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "服务很好" in body and 'data-testid="s-answered">1<' in body
    csv = clients("head").get(f"/surveys/{survey.pk}/links.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").count("/surveys/s/") == 3
    assert clients("lead").get(f"/surveys/{survey.pk}/links.csv").status_code == 404


def test_the_list_page_and_api_do_not_grow_in_queries(clients, demo, clock, django_assert_max_num_queries):
    for i in range(12):
        services.create_survey(actor=demo.users["qa1"], title=f"调查{i}", period_start=DAY, period_end=DAY)
    client = clients("head")
    client.get("/surveys/")
    with django_assert_max_num_queries(14):
        assert client.get("/surveys/").status_code == 200
    with django_assert_max_num_queries(8):
        got = client.get("/api/v1/surveys?page_size=50")
    assert got.status_code == 200 and got.json()["count"] == 12


def test_the_api_creates_with_the_shipped_questionnaire_and_refuses_agents(clients, clock):
    body = {"title": "API 调查", "period_start": "2026-12-01", "period_end": "2026-12-07"}
    assert clients("agent").post("/api/v1/surveys", body, content_type="application/json").status_code == 404
    assert not Survey.objects.exists()
    created = clients("qa").post("/api/v1/surveys", body, content_type="application/json")
    assert created.status_code == 201
    data = created.json()
    assert len(data["questions"]) == 10 and data["results"]["rate"] is None
    bad = clients("qa").post("/api/v1/surveys", {**body, "period_end": "2026-11-01"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "period_end"
    trends = clients("head").get("/api/v1/surveys/trends")
    assert trends.status_code == 200 and len(trends.json()["rater"]["months"]) == 6
