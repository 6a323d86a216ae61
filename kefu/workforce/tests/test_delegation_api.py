"""The API of delegations and medical certificates (R-WFM-4): the same services as the pages, field-level 422s,
a stale version refused, refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.workforce.models import Delegation, LeaveRequest
from kefu.workforce.tests.conftest import MONDAY, at, call

pytestmark = pytest.mark.django_db
WEDNESDAY = MONDAY + dt.timedelta(days=2)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def window(**extra):
    return {"delegate": "director1", "start_at": at(MONDAY, 8).isoformat(), "end_at": at(WEDNESDAY, 8).isoformat(),
            "reason": "出差", **extra}


@pytest.mark.parametrize(("role", "status"), [
    ("anonymous", 401), ("agent", 403), ("qa", 403), ("head", 201),
])
def test_R_WFM_4_creating_a_delegation_role_matrix(demo, clients, clock, role, status):
    response = call(clients(role), "post", "/delegations", window())
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert (body["approver"], body["delegate"], body["active"], body["revoked"]) == ("head1", "director1", True,
                                                                                          False)
    else:
        assert not Delegation.objects.exists()


def test_R_WFM_4_delegation_errors_name_the_field_and_change_nothing(demo, clients, clock):
    head = clients("head")
    response = call(head, "post", "/delegations", window(delegate="agent1"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["delegate"]
    response = call(head, "post", "/delegations", window(delegate="nobody"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "delegate"
    response = call(head, "post", "/delegations", window(end_at=at(MONDAY, 7).isoformat()))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "end"
    assert not Delegation.objects.exists()


def test_R_WFM_4_list_and_revoke_with_version(demo, clients, clock):
    created = call(clients("head"), "post", "/delegations", window()).json()
    director = clients("director")
    listed = call(director, "get", "/delegations").json()
    assert [d["id"] for d in listed["items"]] == [created["id"]]  # handed to the director: they see it
    assert call(clients("agent"), "get", "/delegations").json()["items"] == []
    # only the approver takes it back; a stale version is a conflict
    assert call(director, "post", f"/delegations/{created['id']}/revoke", {}).status_code == 404
    assert call(clients("head"), "post", f"/delegations/{created['id']}/revoke",
                {"version": created["version"] + 1}).status_code == 409
    response = call(clients("head"), "post", f"/delegations/{created['id']}/revoke", {"version": created["version"]})
    assert response.status_code == 200 and response.json()["revoked"] is True and response.json()["active"] is False


def test_R_WFM_4_certificate_upload_through_the_api(demo, clients, clock, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    agent = clients("agent")
    leave = call(agent, "post", "/leave-requests", {"kind": "sick", "start": str(MONDAY), "end": str(MONDAY),
                                                     "reason": "发烧"}).json()
    assert leave["needs_certificate"] is True
    bad = agent.post(f"/api/v1/leave-requests/{leave['id']}/certificate",
                     {"certificate": SimpleUploadedFile("note.png", b"not an image")})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "certificate"
    assert not LeaveRequest.objects.get(pk=leave["id"]).certificate
    other = clients("qa").post(f"/api/v1/leave-requests/{leave['id']}/certificate",
                               {"certificate": SimpleUploadedFile("cert.png", PNG)})
    assert other.status_code == 404  # someone else's leave is not theirs to see
    good = agent.post(f"/api/v1/leave-requests/{leave['id']}/certificate",
                      {"certificate": SimpleUploadedFile("cert.png", PNG)})
    assert good.status_code == 200, good.content
    assert good.json()["has_certificate"] is True and good.json()["needs_certificate"] is False
