"""Review 8 (R2): the plain-SQL session stores keep Django's session security — the key changes at login
(no session fixation) and at a password change, the old key is then nobody's — with the database store and
the cache-first one alike."""

from importlib import import_module

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from kefu.org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["kefu.org.sessions", "kefu.org.sessions_cached"], ids=["db", "cached_db"])
def engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def _known(engine: str, key: str) -> bool:
    store = import_module(engine).SessionStore(key)
    return bool(store.load())


def test_r_sec_the_session_key_changes_at_login_and_the_planted_one_is_dropped(demo, engine):
    client = Client()
    planted = import_module(engine).SessionStore()
    planted["planted"] = "yes"
    planted.create()
    planted.save()
    client.cookies["sessionid"] = planted.session_key
    assert _known(engine, planted.session_key)
    response = client.post("/login/", {"username": "agent1", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != planted.session_key
    assert not _known(engine, planted.session_key)
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    assert client.get("/api/v1/ping").json() == {"ok": True, "user": "agent1"}
    attacker = Client()
    attacker.cookies["sessionid"] = planted.session_key
    assert attacker.get("/api/v1/ping").status_code == 401


def test_r_sec_a_password_change_gives_the_session_a_new_key(demo, engine):
    client = Client()
    assert client.post("/login/", {"username": "agent1", "password": DEMO_PASSWORD}).status_code == 302
    old_key = client.cookies["sessionid"].value
    response = client.post("/password/", {"old_password": DEMO_PASSWORD, "new_password": "Fresh-Secret-2026",
                                          "new_password_again": "Fresh-Secret-2026"})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != old_key
    assert client.get("/api/v1/ping").status_code == 200
    stale = Client()
    stale.cookies["sessionid"] = old_key
    assert stale.get("/api/v1/ping").status_code == 401
