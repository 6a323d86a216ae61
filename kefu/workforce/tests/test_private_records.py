"""A leave request's reason and a violation are private (R-WFM-4, R-ORG-4): a QA inspector, whose data scope
is the department for quality inspection, sees only their own, not their colleagues'."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.workforce.tests.conftest import MONDAY, call

pytestmark = pytest.mark.django_db


@pytest.fixture
def agents_leave(demo, clients, clock):
    response = call(clients("agent"), "post", "/leave-requests", {
        "kind": "personal", "start": f"{MONDAY + dt.timedelta(days=7)}T09:00:00+08:00",
        "end": f"{MONDAY + dt.timedelta(days=7)}T18:00:00+08:00", "reason": "家里有事"})
    assert response.status_code == 201, response.content
    return response.json()


def test_R_WFM_4_qa_inspector_does_not_see_an_agents_leave(demo, clients, agents_leave):
    qa = clients("qa")
    assert call(qa, "get", f"/leave-requests/{agents_leave['id']}").status_code == 404
    listed = call(qa, "get", "/leave-requests").json()
    assert all(item["id"] != agents_leave["id"] for item in listed["items"])
    # the people who decide or manage still see it
    assert call(clients("head"), "get", f"/leave-requests/{agents_leave['id']}").status_code == 200
    assert call(clients("lead"), "get", f"/leave-requests/{agents_leave['id']}").status_code == 200


def test_R_ORG_4_qa_inspector_sees_only_their_own_violations(demo):
    from kefu.workforce.access import violations_in_scope
    from kefu.workforce.models import Violation

    Violation.objects.create(person=demo.users["agent1"], kind="late", rule="R-WFM-1", at=dt.datetime(2026, 12, 7, 1, tzinfo=dt.UTC),
                             evidence="迟到 25 分钟")
    assert not violations_in_scope(demo.users["qa1"]).exists()
    assert violations_in_scope(demo.users["lead1"]).count() == 1
    assert violations_in_scope(demo.users["agent1"]).count() == 1
