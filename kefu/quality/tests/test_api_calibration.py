"""Calibration sessions through the API (issue 11): create, add tickets, blind scores, the spread per item and
per inspector against the head's reference; the role matrix with nothing changed on refusals; query counts."""

from __future__ import annotations

import pytest

from kefu.quality.models import CalibrationScore, CalibrationSession
from kefu.quality.tests.conftest import FULL, call


@pytest.fixture
def qa2(demo):
    """A second QA inspector of qa1's department."""
    from kefu.org.models import User, UserRole
    from kefu.org.roles import Role

    qa1 = demo.users["qa1"]
    user = User.objects.create_user(username="qa2", password="x-qa2-pass-2026", centre=qa1.centre,
                                    department=qa1.department, team=qa1.team)
    UserRole.objects.create(user=user, role=Role.QA)
    return user


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def session(demo, make_ticket):
    """head1's session on two tickets of agent1 (head1 scores the reference)."""
    from kefu.quality import services

    tickets = [make_ticket(), make_ticket(title="物流查询")]
    return services.create_calibration(actor=demo.users["head1"], name="十二月校准",
                                       ticket_ids=[t.pk for t in tickets])


def _score(client, session, ticket_id, scores=None, critical=None):
    return call(client, "post", f"/qa/calibrations/{session.pk}/scores",
                {"ticket_id": ticket_id, "scores": scores or FULL, "critical_failed": critical or []})


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 201),
                                              ("head", 201), ("director", 403)])
def test_role_matrix_create(clients, make_ticket, role, status):
    ticket = make_ticket()
    response = call(clients(role), "post", "/qa/calibrations", {"name": "校准", "ticket_ids": [ticket.pk]})
    assert response.status_code == status, response.content
    assert CalibrationSession.objects.count() == (1 if status == 201 else 0)


def test_create_shape(clients, make_ticket, card):
    t1, t2 = make_ticket(), make_ticket()
    response = call(clients("head"), "post", "/qa/calibrations", {"name": "第一次校准", "ticket_ids": [t1.pk, t2.pk]})
    body = response.json()
    assert response.status_code == 201
    assert body["reference"] == "head1" and body["created_by"] == "head1"
    assert body["ticket_ids"] == sorted([t1.pk, t2.pk]) and body["ticket_count"] == 2
    assert (body["scorecard_id"], body["scorecard_version"]) == (card.pk, 1)
    assert (body["scored_by_me"], body["submitted"], body["my_scores"]) == (0, False, [])


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "", "ticket_ids": [1]}, "name"),
    ({"name": "校准", "ticket_ids": []}, "ticket_ids"),
    ({"name": "校准", "ticket_ids": [999999]}, "ticket_ids"),
    ({"name": "校准", "ticket_ids": [1], "scorecard_id": 999999}, "scorecard_id"),
])
def test_create_bad_input_is_422_naming_the_field(clients, make_ticket, payload, field):
    ticket = make_ticket()
    payload = {**payload, "ticket_ids": [ticket.pk if t == 1 else t for t in payload["ticket_ids"]]}
    response = call(clients("qa"), "post", "/qa/calibrations", payload)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not CalibrationSession.objects.exists()


def test_errors_are_in_the_users_language(clients, make_ticket):
    response = call(clients("qa"), "post", "/qa/calibrations", {"name": "", "ticket_ids": [make_ticket().pk]},)
    from django.utils import translation

    with translation.override("zh-hans"):
        from django.utils.translation import gettext as _

        expected = _("A name is required.")
    assert response.json()["errors"][0]["message"] == expected != "A name is required."


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 403),
                                              ("head", 200), ("director", 403)])
def test_role_matrix_add_tickets(clients, make_ticket, session, role, status):
    """The creator (head1) or a head adds tickets; another QA inspector does not."""
    extra = make_ticket(title="加一张")
    response = call(clients(role), "post", f"/qa/calibrations/{session.pk}/tickets", {"ticket_ids": [extra.pk]})
    assert response.status_code == status, response.content
    assert session.tickets.count() == (3 if status == 200 else 2)
    if status == 200:
        assert response.json()["ticket_count"] == 3


def test_add_unknown_ticket_is_422(clients, session):
    response = call(clients("head"), "post", f"/qa/calibrations/{session.pk}/tickets", {"ticket_ids": [999999]})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ticket_ids"
    assert session.tickets.count() == 2


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 200),
                                              ("head", 200), ("director", 403)])
def test_role_matrix_score(clients, session, role, status):
    ticket_id = session.tickets.first().pk
    response = _score(clients(role), session, ticket_id)
    assert response.status_code == status, response.content
    assert CalibrationScore.objects.count() == (7 if status == 200 else 0)  # 5 scored + 2 critical items


def test_score_above_weight_is_422_naming_the_item(clients, session):
    response = _score(clients("qa"), session, session.tickets.first().pk, {**FULL, "tone": 16})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scores.tone"
    assert not CalibrationScore.objects.exists()


def test_ticket_outside_the_session_is_422(clients, session, make_ticket):
    response = _score(clients("qa"), session, make_ticket().pk)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ticket_id"


def test_scores_are_blind_and_spread_opens_after_submitting(demo, clients, session, qa2):
    t1, t2 = session.tickets.order_by("pk")
    head, qa1, other = clients("head"), clients("qa"), _client(qa2)
    for t in (t1, t2):
        assert _score(head, session, t.pk).status_code == 200  # the reference: full marks
    _score(other, session, t1.pk, {**FULL, "tone": 5})
    # qa1 scored nothing yet: the spread is closed, and qa1's detail shows no one else's scores
    assert call(qa1, "get", f"/qa/calibrations/{session.pk}/spread").status_code == 403
    assert call(qa1, "get", f"/qa/calibrations/{session.pk}").json()["my_scores"] == []
    first = _score(qa1, session, t1.pk, {**FULL, "need": 15}).json()
    assert (first["score"], first["submitted"]) == (90, False)
    assert call(qa1, "get", f"/qa/calibrations/{session.pk}/spread").status_code == 403
    second = _score(qa1, session, t2.pk, {**FULL, "need": 5}).json()
    assert (second["score"], second["submitted"]) == (80, True)
    detail = call(qa1, "get", f"/qa/calibrations/{session.pk}").json()
    assert {s["ticket_id"] for s in detail["my_scores"]} == {t1.pk, t2.pk}
    assert detail["submitted"] is True and detail["scored_by_me"] == 2
    response = call(qa1, "get", f"/qa/calibrations/{session.pk}/spread")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference"] == "head1" and set(body["scored_by"]) >= {"qa1", "qa2"}
    items = {i["code"]: i["spread"] for i in body["items"]}
    # need: t1 25/25/15 → 10, t2 25/5 → 20 → 15.0; tone: t1 15/15/5 → 10, t2 only 15 and 15 → 0 → 5.0
    assert items["need"] == 15.0 and items["tone"] == 5.0 and items["wording"] == 0.0
    inspectors = {i["inspector"]: i for i in body["inspectors"]}
    assert "head1" not in inspectors
    assert inspectors["qa1"]["items"]["need"] == 15.0  # |15−25| and |5−25| → 15
    assert inspectors["qa1"]["deviation"] == 3.0  # 30 points over 10 item scores
    assert inspectors["qa2"]["items"]["tone"] == 10.0
    # the reference (head) sees the spread any time; qa2 (one ticket of two) still does not
    assert call(head, "get", f"/qa/calibrations/{session.pk}/spread").status_code == 200
    assert call(other, "get", f"/qa/calibrations/{session.pk}/spread").status_code == 403


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 200),
                                              ("head", 200), ("director", 403)])
def test_role_matrix_read(clients, session, role, status):
    assert call(clients(role), "get", "/qa/calibrations").status_code == status
    assert call(clients(role), "get", f"/qa/calibrations/{session.pk}").status_code == status


def test_unknown_session_is_404(clients):
    assert call(clients("qa"), "get", "/qa/calibrations/999999").status_code == 404
    assert _score(clients("qa"), CalibrationSession(pk=999999), 1).status_code == 404


def test_closed_session_takes_no_scores(clients, session):
    CalibrationSession.objects.filter(pk=session.pk).update(closed=True)
    response = _score(clients("qa"), session, session.tickets.first().pk)
    assert response.status_code == 422
    assert not CalibrationScore.objects.exists()


def test_list_in_a_constant_number_of_queries(demo, clients, make_ticket, django_assert_max_num_queries):
    from kefu.quality import services

    qa = clients("qa")
    call(qa, "get", "/qa/calibrations")
    for n in range(5):
        tickets = [make_ticket(), make_ticket()]
        s = services.create_calibration(actor=demo.users["head1"], name=f"校准{n}", ticket_ids=[t.pk for t in tickets])
        services.score_calibration(actor=demo.users["qa1"], session_id=s.pk, ticket_id=tickets[0].pk, scores=FULL)
    with django_assert_max_num_queries(8):
        body = call(qa, "get", "/qa/calibrations").json()
    assert body["count"] == 5 and all(len(i["ticket_ids"]) == 2 and i["scored_by_me"] == 1 for i in body["items"])
