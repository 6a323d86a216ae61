"""API skeleton (API.md Conventions): tokens, /me, organisation reads, error shape, pagination."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.org.demo import DEMO_PASSWORD
from kefu.org.models import ApiToken
from kefu.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _token(username="agent1"):
    response = Client().post("/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD},
                             content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _get(path, token):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_then_me(demo):
    response = _get("/api/v1/me", _token("lead1"))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "lead1"
    assert body["roles"] == ["lead"]
    assert body["team"]["name"] == "一班"
    assert body["scope"] == "team"
    assert sorted(s["code"] for s in body["shops"]) == ["jd", "pdd", "tmall"]


def test_wrong_credentials_give_401_with_the_error_shape(demo):
    response = Client().post("/api/v1/auth/token", {"username": "agent1", "password": "bad"},
                             content_type="application/json")
    assert response.status_code == 401
    body = response.json()
    assert set(body) >= {"detail", "errors"}
    assert body["detail"] == "用户名或密码错误。"


def test_no_token_is_401_and_a_bad_token_too(demo):
    assert Client().get("/api/v1/me").status_code == 401
    response = _get("/api/v1/me", "kf_not-a-token")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_r_err_missing_field_is_a_field_level_422_in_chinese(demo):
    response = Client().post("/api/v1/auth/token", {"username": "agent1"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "password", "message": "这个字段是必填项。"}]
    assert body["detail"]


def test_english_speaker_gets_english_errors(demo):
    from kefu.org.services import set_language

    set_language(actor=demo.users["agent1"], language="en")
    token = _token()
    response = Client().get("/api/v1/org/people?page=0", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"
    assert response.json()["errors"][0]["message"] == "Must be at least 1."


def test_revoked_token_stops_working(demo):
    token = _token()
    client = Client()
    assert client.delete("/api/v1/auth/token", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 204
    assert _get("/api/v1/me", token).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_person_cannot_revoke_someone_elses_token(demo):
    mine = _token("agent1")
    _token("agent2")
    other = ApiToken.objects.get(user__username="agent2")
    response = Client().delete(f"/api/v1/auth/tokens/{other.pk}", HTTP_AUTHORIZATION=f"Bearer {mine}")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.revoked_at is None


def test_people_list_is_paginated_and_scoped(demo):
    response = _get("/api/v1/org/people?page=1&page_size=2", _token("lead1"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and body["page"] == 1 and body["page_size"] == 2
    assert len(body["items"]) == 2
    assert _get("/api/v1/org/people", _token("agent1")).json()["count"] == 1


def test_r_org_2_lead_cannot_read_a_person_of_another_team(demo):
    token = _token("lead1")
    assert _get(f"/api/v1/org/people/{demo.users['agent2'].pk}", token).status_code == 200
    response = _get(f"/api/v1/org/people/{demo.users['agent4'].pk}", token)
    assert response.status_code == 404


def test_people_list_query_count_does_not_grow_with_rows(demo):
    client = Client()
    client.force_login(demo.users["director1"])

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/org/people?page_size=200").status_code == 200
        return len(ctx.captured_queries)

    before = count_queries()
    for _ in range(20):
        UserFactory(team=demo.teams[0], roles=["agent"])
    assert count_queries() == before


def test_openapi_and_docs_are_served(demo):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/auth/token" in paths and "/api/v1/me" in paths
    client = Client()
    client.force_login(demo.users["agent1"])
    assert client.get("/api/v1/docs").status_code == 200
