"""R-SAT-1: the RATER questionnaire, sent to a reproducible sample of customers, with results per
dimension and team, and who may do what."""

import pytest

from kefu.core.errors import InvalidInput, NotFound, RuleViolation
from kefu.surveys import selectors, services
from kefu.surveys.models import Invitation, Survey

from .conftest import DAY

pytestmark = pytest.mark.django_db


def test_r_sat_1_the_shipped_questionnaire_asks_all_five_rater_dimensions(survey):
    dims = [q.dimension for q in survey.questions.all()]
    assert sorted(set(dims)) == ["assurance", "empathy", "reliability", "responsiveness", "tangibles"]
    assert len(dims) == 10


def test_a_questionnaire_missing_a_dimension_is_refused(demo, clock):
    with pytest.raises(InvalidInput) as exc:
        services.create_survey(actor=demo.users["qa1"], title="t", period_start=DAY, period_end=DAY,
                               questions=[{"dimension": "empathy", "text": "耐心吗？"}])
    assert exc.value.errors[0].field == "questions"
    assert not Survey.objects.exists()


def test_sampling_is_reproducible_with_a_seed_and_skips_customers_already_asked(demo, resolved, survey):
    resolved(12)
    sample = services.sample([(i, i, i % 3) for i in range(100)], 10, seed=7)
    assert sample == services.sample([(i, i, i % 3) for i in range(100)], 10, seed=7)
    assert sample != services.sample([(i, i, i % 3) for i in range(100)], 10, seed=8)
    first = services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=5, seed=3)
    second = services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=5, seed=3)
    assert len(first) == len(second) == 5
    assert not {i.customer_id for i in first} & {i.customer_id for i in second}
    survey.refresh_from_db()
    assert survey.status == "open"


def test_the_sample_is_stratified_by_team():
    population = [(i, i, 1) for i in range(80)] + [(100 + i, 100 + i, 2) for i in range(20)]
    picked = services.sample(population, 10, seed=1)
    assert sum(1 for row in picked if row[2] == 1) == 8
    assert sum(1 for row in picked if row[2] == 2) == 2


def test_a_period_without_resolved_customers_has_nobody_to_ask(demo, survey):
    with pytest.raises(RuleViolation) as exc:
        services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=5)
    assert exc.value.rule == "R-SAT-1"
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("role", "allowed"), [("agent", False), ("lead", False), ("qa", True), ("head", True),
                                               ("director", True)])
def test_who_builds_and_sends_surveys(demo, resolved, survey, role, allowed):
    resolved(2)
    user = demo.users[{"agent": "agent1", "lead": "lead1", "qa": "qa1", "head": "head1",
                       "director": "director1"}[role]]
    if allowed:
        assert services.send_invitations(actor=user, survey_id=survey.pk, size=2, seed=1)
    else:
        with pytest.raises(NotFound):
            services.send_invitations(actor=user, survey_id=survey.pk, size=2, seed=1)
        with pytest.raises(NotFound):
            services.create_survey(actor=user, title="t", period_start=DAY, period_end=DAY)
        assert not Invitation.objects.exists() and Survey.objects.count() == 1


def test_results_per_dimension_and_team_and_a_lead_sees_their_team_only(demo, resolved, survey):
    resolved(2, agent="agent1")
    resolved(2, agent="agent4")
    links = services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=4, seed=1)
    questions = list(survey.questions.all())
    for link in links:
        value = 5 if link.team_id == demo.users["agent1"].team_id else 3
        services.submit_answer(token=link.token, scores={str(q.pk): value for q in questions})
    head = selectors.results(demo.users["head1"], survey)
    assert head.invited == 4 and head.answered == 4 and head.rate == 1 and head.overall == 4
    assert {t["name"]: t["empathy"] for t in head.teams} == {"一班": 5, "二班": 3}
    lead = selectors.results(demo.users["lead1"], survey)
    assert lead.answered == 2 and lead.overall == 5 and [t["name"] for t in lead.teams] == ["一班"]


def test_an_empty_survey_has_no_rates_rather_than_zero(demo, survey):
    r = selectors.results(demo.users["head1"], survey)
    assert r.rate is None and r.overall is None and all(d["avg"] is None for d in r.dimensions)


def test_edits_change_questions_only_before_links_went_out(demo, resolved, survey):
    services.update_survey(actor=demo.users["qa1"], survey_id=survey.pk, version=survey.version, title="新标题",
                           period_start=DAY, period_end=DAY,
                           questions=[{"dimension": d, "text": f"{d}?"} for d in
                                      ["reliability", "assurance", "tangibles", "empathy", "responsiveness"]])
    survey.refresh_from_db()
    assert survey.questions.count() == 5 and survey.version == 2
    resolved(1)
    services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=1, seed=1)
    survey.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.update_survey(actor=demo.users["qa1"], survey_id=survey.pk, version=survey.version, title="x",
                               period_start=DAY, period_end=DAY,
                               questions=[{"dimension": "empathy", "text": "?"}])
    assert survey.questions.count() == 5


def test_the_demo_survey_seeds_once(demo, resolved):
    from kefu.surveys.demo import seed_demo_surveys
    from kefu.surveys.models import Response

    resolved(6)
    first = seed_demo_surveys()
    assert first == {"created": 1, "answered": 4}
    assert seed_demo_surveys() == {"created": 0, "answered": 0}
    assert Response.objects.count() == 4
