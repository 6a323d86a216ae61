"""Calibration stays blind (issue 11 review): the API opens the spread to an inspector once they scored every
ticket — their own deviation per item then tells them the reference's points. Scores given after that would
no longer be blind, so a submitted inspector's scores are final (422, nothing changed); before submitting
they may still correct them, and the reference scorer may always."""

from __future__ import annotations

from kefu.core.testing import zh
from kefu.quality.models import CalibrationScore
from kefu.quality.tests.conftest import FULL, call
from kefu.quality.tests.test_api_calibration import _score, session  # noqa: F401 - the fixture

__all__ = ["session"]


def _points(session, username, ticket):
    return dict(CalibrationScore.objects.filter(session=session, inspector__username=username, ticket=ticket)
                .values_list("item__code", "points"))


def test_an_inspector_who_saw_the_spread_cannot_rescore_to_match_the_reference(clients, session):
    t1, t2 = session.tickets.order_by("pk")
    head, qa1 = clients("head"), clients("qa")
    for t in (t1, t2):
        _score(head, session, t.pk)
    assert _score(qa1, session, t1.pk, {**FULL, "need": 5}).status_code == 200
    assert _score(qa1, session, t1.pk, {**FULL, "need": 10}).status_code == 200  # before submitting: a correction
    assert _score(qa1, session, t2.pk, {**FULL, "need": 5}).json()["submitted"] is True
    spread = call(qa1, "get", f"/qa/calibrations/{session.pk}/spread").json()
    assert spread["inspectors"][0]["items"]["need"] == 17.5  # |10−25| and |5−25|: the reference shows through

    response = _score(qa1, session, t1.pk, FULL)  # now "agreeing" with the reference
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ticket_id"
    assert response.json()["errors"][0]["message"] == zh(
        "You scored every ticket of this session and its spread is open to you: your scores can no longer change.")
    assert _points(session, "qa1", t1)["need"] == 10  # nothing changed


def test_the_reference_scorer_may_always_rescore(clients, session):
    t1, t2 = session.tickets.order_by("pk")
    head = clients("head")
    for t in (t1, t2):
        _score(head, session, t.pk)
    assert _score(head, session, t1.pk, {**FULL, "need": 20}).status_code == 200
    assert _points(session, "head1", t1)["need"] == 20
