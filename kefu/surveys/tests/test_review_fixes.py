"""Regression tests from the review: scope of CSAT and counts for leads, bad input without 500s, the
expired link, the audited export."""

import datetime as dt

import pytest

from kefu.surveys import selectors, services

from .conftest import DAY, NOW

pytestmark = pytest.mark.django_db


def test_a_lead_sees_only_their_teams_csat(demo, resolved):
    from kefu.tickets.models import Callback

    (_c1, t1), = resolved(1, agent="agent1")
    (_c4, t4), = resolved(1, agent="agent4")
    for ticket, score in ((t1, 5), (t4, 1)):
        Callback.objects.create(ticket=ticket, due=NOW, created_at=NOW, done_at=NOW, satisfaction=score)
    assert selectors.csat_trend(demo.users["lead1"], today=DAY)["avg"][-1] == 5
    assert selectors.csat_trend(demo.users["lead2"], today=DAY)["avg"][-1] == 1
    assert selectors.csat_trend(demo.users["head1"], today=DAY)["avg"][-1] == 3


def test_a_leads_list_counts_their_teams_links_only(demo, resolved, survey):
    resolved(2, agent="agent1")
    resolved(3, agent="agent4")
    services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=5, seed=1)
    assert selectors.surveys(demo.users["lead1"]).get().invited == 2
    assert selectors.surveys(demo.users["head1"]).get().invited == 5


def test_odd_digits_and_far_dates_are_field_errors_not_500(clients, demo, resolved, survey, clock):
    resolved(1)
    link = services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=1, seed=1)[0]
    first = survey.questions.first()
    page = clients("anonymous").post(f"/surveys/s/{link.token}/", {f"q{first.pk}": "²"})
    assert page.status_code == 422
    body = {"title": "t", "period_start": "2026-12-01", "period_end": "9999-12-31"}
    got = clients("qa").post("/api/v1/surveys", body, content_type="application/json")
    assert got.status_code == 422 and got.json()["errors"][0]["field"] == "period_end"


def test_a_link_that_expired_after_the_page_opened_says_expired(clients, demo, resolved, survey, full_scores, clock):
    resolved(1)
    link = services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=1, seed=1)[0]
    client = clients("anonymous")
    assert client.get(f"/surveys/s/{link.token}/").status_code == 200
    clock.shift(dt.timedelta(days=15))
    answer = client.post(f"/surveys/s/{link.token}/", {f"q{q.pk}": "4" for q in survey.questions.all()})
    assert answer.status_code == 410 and 'data-state="expired"' in answer.content.decode()


def test_downloading_the_links_is_recorded(clients, demo, resolved, survey):
    from kefu.audit.models import AuditEvent

    resolved(1)
    services.send_invitations(actor=demo.users["qa1"], survey_id=survey.pk, size=1, seed=1)
    assert clients("head").get(f"/surveys/{survey.pk}/links.csv").status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="surveys.survey").count() == 1
