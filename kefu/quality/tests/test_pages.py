"""The quality pages: the inspector's desk, the review form (timeline beside the scorecard, HTMX live
total, form errors that save nothing), a review's page with the appeal, my quality, the team page with its
charts' data, the heads' appeals, the scorecard editor and calibration — and who may open each."""

from __future__ import annotations

import pytest

from kefu.quality import services
from kefu.quality.models import Appeal, CalibrationScore, Review, Scorecard
from kefu.quality.tests.conftest import FULL

PAGES = {
    "desk": {"qa": 200, "head": 200, "agent": 403, "lead": 403, "director": 403},
    "mine": {"qa": 200, "head": 200, "agent": 200, "lead": 200, "director": 200},
    "team": {"qa": 200, "head": 200, "agent": 403, "lead": 200, "director": 200},
    "appeals": {"qa": 200, "head": 200, "agent": 403, "lead": 403, "director": 403},
    "scorecards": {"qa": 200, "head": 200, "agent": 403, "lead": 403, "director": 403},
    "calibration": {"qa": 200, "head": 200, "agent": 403, "lead": 403, "director": 403},
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ["anonymous", "agent", "lead", "qa", "head", "director"])
def test_who_opens_each_page(clients, clock, review, page, role):
    review()
    response = clients(role).get(f"/quality/{page}/")
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == PAGES[page][role]


def _form(scores=None, **extra):
    data = {f"score_{k}": v for k, v in (scores or FULL).items()}
    data.update(extra)
    return data


def test_review_form_shows_the_timeline_and_saves(demo, clients, make_ticket, card):
    ticket = make_ticket(description="客户询问套餐")
    qa = clients("qa")
    page = qa.get(f"/quality/review/{ticket.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="timeline"' in html and "服务用语" in html
    response = qa.post(f"/quality/review/{ticket.pk}/", _form({**FULL, "tone": 10}, comment="好",
                                                               comment_tone="偏快", scorecard=card.pk))
    assert response.status_code == 302
    r = Review.objects.get()
    assert (r.score, r.agent.username) == (95, "agent1")
    assert r.scores.get(item__code="tone").comment == "偏快"


def test_review_form_errors_save_nothing(clients, make_ticket):
    ticket = make_ticket()
    response = clients("qa").post(f"/quality/review/{ticket.pk}/", _form({**FULL, "tone": 99}))
    assert response.status_code == 422
    assert 'data-field="scores.tone"' in response.content.decode()
    assert not Review.objects.exists()


def test_review_form_live_total(clients, make_ticket):
    ticket = make_ticket()
    qa = clients("qa")
    html = qa.post(f"/quality/review/{ticket.pk}/total/", _form({**FULL, "need": 5})).content.decode()
    assert ">80<" in html
    failed = qa.post(f"/quality/review/{ticket.pk}/total/", _form(critical_abuse="1")).content.decode()
    assert ">0<" in failed and "text-red" in failed


def test_agents_do_not_open_the_review_form(clients, make_ticket):
    ticket = make_ticket()
    assert clients("agent").get(f"/quality/review/{ticket.pk}/").status_code == 403
    assert clients("agent").post(f"/quality/review/{ticket.pk}/", _form()).status_code == 403
    assert not Review.objects.exists()


def test_agent_appeals_on_the_review_page_once(clients, review):
    r = review(scores={**FULL, "tone": 0})
    agent = clients("agent")
    page = agent.get(f"/quality/reviews/{r.pk}/").content.decode()
    assert 'data-testid="appeal-form"' in page
    assert agent.post(f"/quality/reviews/{r.pk}/appeal/", {"reason": "不服"}).status_code == 302
    again = agent.post(f"/quality/reviews/{r.pk}/appeal/", {"reason": "还不服"})
    assert again.status_code == 422
    assert Appeal.objects.count() == 1
    assert 'data-testid="appeal-form"' not in agent.get(f"/quality/reviews/{r.pk}/").content.decode()


def test_head_decides_on_the_appeals_page(demo, clients, review):
    r = review(scores={**FULL, "tone": 0})
    appeal = services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="不服")
    head = clients("head")
    assert 'data-testid="pending-appeal"' in head.get("/quality/appeals/").content.decode()
    missing_note = head.post(f"/quality/appeals/{appeal.pk}/decide/", {"upheld": "yes", "score": "90"})
    assert missing_note.status_code == 422
    assert head.post(f"/quality/appeals/{appeal.pk}/decide/",
                     {"upheld": "yes", "score": "90", "note": "改"}).status_code == 302
    r.refresh_from_db()
    assert r.score == 90
    assert clients("qa").post(f"/quality/appeals/{appeal.pk}/decide/",
                              {"upheld": "no", "note": "x"}).status_code == 403


def test_my_quality_shows_scores_and_weak_items(clients, review):
    review(scores={**FULL, "tone": 3})
    html = clients("agent").get("/quality/mine/").content.decode()
    assert 'data-testid="weak-item"' in html and "语气语调 20%" in html


def test_team_page_has_chart_data(clients, review):
    review()
    html = clients("lead").get("/quality/team/").content.decode()
    assert 'id="quality-team-data"' in html and "echarts" in html and "一班" in html


def test_scorecard_editor_saves_a_new_version(clients, card):
    qa = clients("qa")
    page = qa.get(f"/quality/scorecards/{card.family}/edit/")
    assert page.status_code == 200
    items = list(card.items.all())
    data = {"name": card.name, "change_note": "调整", "rows": str(len(items))}
    for n, i in enumerate(items):
        data.update({f"code_{n}": i.code, f"name_{n}": i.name, f"weight_{n}": str(i.weight)})
        if i.critical:
            data[f"critical_{n}"] = "1"
    bad = dict(data, weight_0="1")
    assert qa.post(f"/quality/scorecards/{card.family}/edit/", bad).status_code == 422
    assert Scorecard.objects.filter(family=card.family).count() == 1
    assert qa.post(f"/quality/scorecards/{card.family}/edit/", data).status_code == 302
    assert Scorecard.objects.filter(family=card.family).count() == 2


def test_calibration_spread_against_the_reference(demo, clients, make_ticket):
    tickets = [make_ticket(), make_ticket(actor="agent4", shop="jd")]
    head = clients("head")
    numbers = ",".join(t.number for t in tickets)
    response = head.post("/quality/calibration/", {"name": "十二月校准", "tickets": numbers})
    assert response.status_code == 302
    session_id = int(response["Location"].rstrip("/").split("/")[-1])
    services.score_calibration(actor=demo.users["head1"], session_id=session_id, ticket_id=tickets[0].pk,
                               scores=FULL)
    services.score_calibration(actor=demo.users["qa1"], session_id=session_id, ticket_id=tickets[0].pk,
                               scores={**FULL, "tone": 5})
    assert CalibrationScore.objects.filter(session_id=session_id).count() == 14
    html = head.get(f"/quality/calibration/{session_id}/").content.decode()
    assert 'data-testid="spread-inspectors"' in html
    blind = clients("qa").get(f"/quality/calibration/{session_id}/").content.decode()
    assert 'data-testid="spread-inspectors"' not in blind
    from kefu.quality.models import CalibrationSession
    from kefu.quality.selectors import calibration_spread

    spread = calibration_spread(CalibrationSession.objects.get(pk=session_id))
    assert spread["inspectors"][0]["items"]["tone"] == 10
    assert next(d for d in spread["items"] if d["item"].code == "tone")["spread"] == 10


def test_desk_shows_sample_and_below_quota(clients, make_ticket, review):
    review()
    make_ticket(actor="agent2")
    qa = clients("qa")
    html = qa.get("/quality/desk/?month=2026-12").content.decode()
    assert 'data-testid="below-quota"' in html
    # the sample is drawn by its own HTMX request once the desk is shown (the desk does not wait for it)
    assert 'hx-get="/quality/desk/sample/?month=2026-12"' in html
    assert 'data-testid="sample-row"' in qa.get("/quality/desk/sample/?month=2026-12").content.decode()


@pytest.mark.parametrize(("role", "status"), [("agent", 403), ("lead", 403), ("qa", 200), ("head", 200),
                                              ("director", 403)])
def test_desk_sample_roles(clients, role, status):
    assert clients(role).get("/quality/desk/sample/?month=2026-12&seed=abc").status_code == status


def test_desk_sample_keeps_the_draw(clients):
    html = clients("qa").get("/quality/desk/?month=2026-12&seed=a%26b").content.decode()
    assert 'hx-get="/quality/desk/sample/?month=2026-12&amp;seed=a%26b"' in html


def test_desk_lists_in_a_constant_number_of_queries(clients, make_ticket, review, django_assert_max_num_queries):
    for n in range(4):
        review()
        make_ticket(actor=f"agent{n + 2}")
    qa = clients("qa")
    qa.get("/quality/desk/")
    with django_assert_max_num_queries(19):
        assert qa.get("/quality/desk/").status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_appeals_and_mine_pages_in_a_constant_number_of_queries(demo, clients, make_ticket, review, n,
                                                                django_assert_max_num_queries):
    for i in range(n):
        r = review(ticket=make_ticket(actor="agent1", title=f"咨询{i}"))
        services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="不服")
    head, agent = clients("head"), clients("agent")
    head.get("/quality/appeals/")
    agent.get("/quality/mine/")
    with django_assert_max_num_queries(8):
        assert head.get("/quality/appeals/").status_code == 200
    with django_assert_max_num_queries(12):
        assert agent.get("/quality/mine/").status_code == 200


def test_the_audit_trail_names_reviews_and_appeals_in_words(demo, clients, review):
    from kefu.core.tests.test_no_internal_codes import internal_codes, visible_text

    r = review()
    services.appeal_review(actor=demo.users["agent1"], review_id=r.pk, reason="不服")
    response = clients("head").get("/audit/")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert r.ticket.number in text
    assert internal_codes(text, []) == []


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "0-1", "2026-13", "abc", "2026-12-01"])
def test_desk_with_any_month_in_the_address_shows_a_month(clients, clock, month):
    assert clients("qa").get(f"/quality/desk/?month={month}").status_code == 200
