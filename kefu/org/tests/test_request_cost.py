"""The fixed cost of every request (issue 13; bench/notes/request.md), and the behaviours it must keep.

The person of a session is read with their roles in one query (kefu.org.backends), afresh on every request:
a deactivated person, a changed role or password takes effect on the very next request. Sessions are read
from the cache when it is shared (Redis: ``cached_db``); logging out, a password change and a session
made before the new backend keep working with either engine.
"""

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from kefu.org import services
from kefu.org.demo import DEMO_PASSWORD
from kefu.org.models import User
from kefu.org.tokens import issue_token, revoke_token

pytestmark = pytest.mark.django_db

ENGINES = ["kefu.org.sessions", "kefu.org.sessions_cached", "django.contrib.sessions.backends.db"]


@pytest.fixture(params=ENGINES, ids=["db", "cached_db", "django_db"])
def engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def _logged_in(username: str, password: str = DEMO_PASSWORD) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": password}).status_code == 302
    return client


def test_a_sessions_person_and_their_roles_are_one_query(demo, django_assert_num_queries):
    with override_settings(SESSION_ENGINE="kefu.org.sessions"):
        client = Client()
        client.force_login(demo.users["lead1"])
        with django_assert_num_queries(2) as ctx:  # the session, the person with their roles
            response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert "org_userrole" in ctx.captured_queries[1]["sql"]


def test_cached_sessions_need_no_query_for_the_session(demo, django_assert_num_queries):
    with override_settings(SESSION_ENGINE="kefu.org.sessions_cached"):
        client = _logged_in("agent1")
        client.get("/api/v1/ping")
        with django_assert_num_queries(1):  # the person with their roles
            assert client.get("/api/v1/ping").json() == {"ok": True, "user": "agent1"}


def test_an_expired_or_unknown_session_is_nobodys(demo, engine):
    client = _logged_in("agent1")
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    cache.clear()  # the cached copy expires by itself at the same moment
    assert client.get("/api/v1/ping").status_code == 401
    client.cookies["sessionid"] = "no-such-session-key-0123456789"
    assert client.get("/api/v1/ping").status_code == 401


def test_a_session_read_from_the_database_keeps_its_expiry(demo, engine):
    from importlib import import_module

    client = _logged_in("agent1")
    key = client.cookies["sessionid"].value
    cache.clear()
    store = import_module(engine).SessionStore(key)
    assert store.load()["_auth_user_id"] == str(demo.users["agent1"].pk)
    expected = Session.objects.get(session_key=key).expire_date
    assert abs(store.get_expiry_age(expiry=expected) - store.get_session_cookie_age()) < 60
    assert store._get_session_from_db().expire_date == expected


def test_the_roles_read_with_the_person_are_their_roles(demo, engine):
    client = _logged_in("lead1")
    assert client.get("/api/v1/me").json()["roles"] == ["lead"]
    client = _logged_in("agent1")
    assert client.get("/api/v1/me").json()["roles"] == ["agent"]


def test_a_role_change_takes_effect_on_the_next_request(demo, engine):
    client = _logged_in("agent1")
    assert client.get("/api/v1/me").json()["roles"] == ["agent"]
    services.set_roles(actor=None, person=User.objects.get(username="agent1"), roles={"agent", "qa"})
    assert client.get("/api/v1/me").json()["roles"] == ["agent", "qa"]
    services.set_roles(actor=None, person=User.objects.get(username="agent1"), roles=set())
    assert client.get("/api/v1/me").json()["roles"] == []


def test_a_deactivated_person_loses_access_on_the_next_request(demo, engine):
    client = _logged_in("agent1")
    assert client.get("/api/v1/ping").status_code == 200
    assert client.get("/tickets/").status_code == 200
    User.objects.filter(username="agent1").update(is_active=False)
    assert client.get("/api/v1/ping").status_code == 401
    assert client.get("/tickets/").status_code == 302  # to the login page


def test_logging_out_ends_the_session_for_every_copy_of_its_cookie(demo, engine):
    client = _logged_in("agent1")
    copy = Client()
    copy.cookies = client.cookies.__class__(client.cookies)  # the same session cookie, e.g. another tab
    assert copy.get("/api/v1/ping").status_code == 200
    client.post("/logout/")
    assert client.get("/api/v1/ping").status_code == 401
    assert copy.get("/api/v1/ping").status_code == 401


def test_a_password_change_logs_out_the_other_sessions_and_keeps_this_one(demo, engine):
    here, elsewhere = _logged_in("agent1"), _logged_in("agent1")
    response = here.post("/password/", {"old_password": DEMO_PASSWORD, "new_password": "Fresh-Secret-2026",
                                        "new_password_again": "Fresh-Secret-2026"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert here.get("/api/v1/ping").status_code == 200
    assert elsewhere.get("/api/v1/ping").status_code == 401
    assert elsewhere.get("/tickets/").status_code == 302


def test_a_session_made_with_djangos_model_backend_stays_logged_in(demo, engine):
    """Sessions from before ``UserWithRolesBackend``: the backend they name is no longer listed."""
    client = Client()
    client.force_login(demo.users["agent1"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert client.get("/api/v1/me").json()["roles"] == ["agent"]
    assert client.session[BACKEND_SESSION_KEY] == "kefu.org.backends.UserWithRolesBackend"
    assert client.get("/tickets/").status_code == 200


def test_language_is_the_persons_own(demo, engine):
    client = _logged_in("agent1")
    assert client.get("/api/v1/ping")["Content-Language"] == "zh-hans"
    User.objects.filter(username="agent1").update(language="en")
    response = client.get("/tickets/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_csrf_is_still_checked_for_session_calls(demo, engine):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.users["agent1"])
    assert client.delete("/api/v1/auth/tokens/1").status_code == 403
    assert client.post("/logout/").status_code == 403


def test_a_revoked_token_is_refused_at_once(demo):
    agent = demo.users["agent1"]
    token, secret = issue_token(user=agent)
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/me", headers=headers).json()["roles"] == ["agent"]
    revoke_token(actor=agent, token_id=token.pk)
    assert Client().get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_call_reads_no_session(demo, django_assert_num_queries):
    _token, secret = issue_token(user=demo.users["agent1"])
    client = Client()
    client.get("/api/v1/ping", headers={"Authorization": f"Bearer {secret}"})
    with django_assert_num_queries(1):  # the token with its person and roles
        response = client.get("/api/v1/ping", headers={"Authorization": f"Bearer {secret}"})
    assert response.json() == {"ok": True, "user": "agent1"}


def test_the_person_read_in_plain_sql_is_the_orms(demo):
    """``user_from_row`` applies the database's converters: dates aware, booleans booleans (SQLite)."""
    from kefu.org.backends import user_with_roles

    client = _logged_in("lead1")  # sets last_login
    client.get("/api/v1/ping")
    expected = User.objects.get(username="lead1")
    found = user_with_roles(expected.pk)
    for field in User._meta.concrete_fields:
        mine, theirs = getattr(found, field.attname), getattr(expected, field.attname)
        assert (mine, type(mine)) == (theirs, type(theirs)), field.name
    assert found.last_login is not None and timezone.is_aware(found.last_login)
    assert found._state.adding is False and found._state.db == "default"
    assert found.role_codes == frozenset({"lead"}) and user_with_roles(10**9) is None
