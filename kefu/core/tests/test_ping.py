"""``GET /api/v1/ping``: the authenticated no-op whose throughput is the server's ceiling (issue 13,
``manage.py bench_server``). It needs a token or a session and writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.org.models import ApiToken
from kefu.org.tokens import issue_token

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_ping_without_a_token_is_401(demo):
    response = Client().get("/api/v1/ping")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_ping_with_a_wrong_token_is_401(demo):
    response = Client().get("/api/v1/ping", **_bearer("kf_not-a-token"))
    assert response.status_code == 401


def test_ping_with_a_revoked_token_is_401(demo):
    token, secret = issue_token(user=demo.users["agent1"])
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert Client().get("/api/v1/ping", **_bearer(secret)).status_code == 401


def test_ping_answers_who_is_calling_with_one_query_and_no_write(demo):
    token, secret = issue_token(user=demo.users["agent1"])
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # touched within the minute
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/ping", **_bearer(secret))
    assert response.status_code == 200
    assert response.json() == {"ok": True, "user": "agent1"}
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 1, sqls  # the token lookup
    assert sqls[0].lstrip().upper().startswith("SELECT")


def test_ping_writes_only_the_token_touch_once_a_minute(demo):
    token, secret = issue_token(user=demo.users["agent1"])  # never used: the first call touches it
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/ping", **_bearer(secret)).status_code == 200
    writes = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(writes) == 1 and "last_used_at" in writes[0], writes
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/ping", **_bearer(secret)).status_code == 200
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in ctx.captured_queries)


def test_ping_with_a_session(demo):
    client = Client()
    client.force_login(demo.users["lead1"])
    response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert response.json()["user"] == "lead1"


def test_ping_is_in_the_openapi_document(demo):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/ping"]["get"]
    assert "no-op" in operation["summary"]
    assert "401" in operation["responses"] or 401 in operation["responses"]
