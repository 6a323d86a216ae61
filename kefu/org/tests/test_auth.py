"""R-SEC login, logout, throttling, password change; R-AUD rows for each."""

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from kefu.audit.models import AuditEvent
from kefu.org.demo import DEMO_PASSWORD
from kefu.org.models import ApiToken, LoginAttempt

pytestmark = pytest.mark.django_db

THROTTLE = {"window_minutes": 15, "max_failures_per_user": 5, "max_failures_per_ip": 20}


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_r_i18n_login_page_is_chinese_by_default_whatever_the_browser_asks(demo):
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html


def test_r_aud_successful_login_and_logout_are_recorded(demo):
    client = Client()
    response = _login(client, "agent1", DEMO_PASSWORD)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor_name="agent1").count() == 1
    client.post("/logout/")
    assert AuditEvent.objects.filter(action="logout", actor_name="agent1").count() == 1
    assert client.get("/").status_code == 302  # logged out


def test_r_aud_failed_login_is_recorded_with_username_and_ip(demo):
    response = _login(Client(), "agent1", "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor_name == "agent1"
    assert event.ip == "127.0.0.1"


@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_five_failures_lock_the_username_even_for_the_right_password(demo):
    client = Client()
    for _ in range(4):
        _login(client, "agent1", "wrong")
    # the 5th failure is still a normal refusal …
    assert _login(client, "agent1", "wrong").status_code == 200
    # … after it, even the right password is refused with 429
    response = _login(client, "agent1", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # another user from another address is not affected
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(other, "agent2", DEMO_PASSWORD).status_code == 302


@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_four_failures_do_not_lock(demo):
    client = Client()
    for _ in range(4):
        _login(client, "agent1", "wrong")
    assert _login(client, "agent1", DEMO_PASSWORD).status_code == 302


@override_settings(KEFU_LOGIN_THROTTLE={**THROTTLE, "max_failures_per_ip": 3})
def test_r_sec_one_address_trying_many_usernames_is_locked(demo):
    client = Client(REMOTE_ADDR="10.1.1.1")
    for name in ("agent1", "agent2", "agent3"):
        _login(client, name, "wrong")
    assert _login(client, "agent4", DEMO_PASSWORD).status_code == 429


@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_lock_expires_after_the_window(demo):
    old = timezone.now() - dt.timedelta(minutes=16)
    LoginAttempt.objects.bulk_create([LoginAttempt(username="agent1", ip="127.0.0.1", at=old) for _ in range(5)])
    assert _login(Client(), "agent1", DEMO_PASSWORD).status_code == 302


@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_api_token_endpoint_answers_429_when_throttled(demo):
    client = Client()
    for _ in range(5):
        response = client.post("/api/v1/auth/token", {"username": "agent1", "password": "x"},
                               content_type="application/json")
        assert response.status_code == 401
    response = client.post("/api/v1/auth/token", {"username": "agent1", "password": DEMO_PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_r_sec_password_change_checks_the_old_password_and_rules(demo, clients):
    client = clients("agent")
    response = client.post("/password/", {"old_password": "nope", "new_password": "Xk9-long-enough-2026",
                                          "new_password_again": "Xk9-long-enough-2026"})
    assert response.status_code == 200
    assert "old_password" in response.content.decode()
    demo.users["agent1"].refresh_from_db()
    assert demo.users["agent1"].check_password(DEMO_PASSWORD)
    response = client.post("/password/", {"old_password": DEMO_PASSWORD, "new_password": "Xk9-long-enough-2026",
                                          "new_password_again": "Xk9-long-enough-2026"})
    assert response.status_code == 302
    demo.users["agent1"].refresh_from_db()
    assert demo.users["agent1"].check_password("Xk9-long-enough-2026")
    assert AuditEvent.objects.filter(action="update", note="password changed").exists()


def test_r_sec_logout_needs_post(demo, clients):
    client = clients("agent")
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_r_sec_login_redirects_only_to_this_site(demo):
    response = Client().post("/login/?next=https://evil.example/", {"username": "agent1",
                                                                     "password": DEMO_PASSWORD})
    assert response["Location"] == "/"


def test_tokens_are_stored_as_digests_only(demo):
    response = Client().post("/api/v1/auth/token", {"username": "agent1", "password": DEMO_PASSWORD},
                             content_type="application/json")
    secret = response.json()["token"]
    token = ApiToken.objects.get()
    assert secret not in (token.digest, token.prefix)
    assert response.json()["expires_at"].endswith("+08:00")
