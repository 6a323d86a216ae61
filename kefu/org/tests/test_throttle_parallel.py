"""R-SEC login throttling under parallel attempts: an attempt is counted before its password is checked,
so 40 wrong passwords sent at the same moment get at most 5 password checks (per username) and 35
refusals, on SQLite and (with DATABASE_URL) on PostgreSQL, for the login page and the API token."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client, override_settings

from kefu.org.demo import DEMO_PASSWORD
from kefu.org.models import LoginAttempt
from kefu.org.tests.parallel import in_parallel, shared_database  # noqa: F401 - fixture

THROTTLE = {"window_minutes": 15, "max_failures_per_user": 5, "max_failures_per_ip": 20}
PARALLEL = 40


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the calls of the authentication backend, i.e. the passwords actually checked."""
    calls = []
    lock = threading.Lock()
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def _seed():
    from kefu.org.demo import seed_demo

    seed_demo()


def _in_parallel(send, n=PARALLEL) -> list:
    return in_parallel(send, n)


def _token(password, ip="10.0.0.1", username="agent1"):
    return Client(REMOTE_ADDR=ip).post("/api/v1/auth/token", {"username": username, "password": password},
                                      content_type="application/json")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_40_parallel_wrong_tokens_get_at_most_5_password_checks(password_checks):
    _seed()
    results = _in_parallel(lambda: _token("wrong"))
    assert [r for r in results if isinstance(r, Exception)] == []
    codes = sorted(r.status_code for r in results)
    assert len(password_checks) <= 5
    assert codes.count(401) == len(password_checks)  # every checked password was wrong …
    assert codes.count(429) >= 35  # … and every other attempt was refused unchecked
    assert codes.count(401) + codes.count(429) == PARALLEL
    refused = next(r for r in results if r.status_code == 429)
    assert 1 <= int(refused["Retry-After"]) <= 15 * 60
    assert LoginAttempt.objects.filter(username="agent1").count() == len(password_checks)
    # the right password is refused too while the window lasts, without a check
    before = len(password_checks)
    assert _token(DEMO_PASSWORD).status_code == 429
    assert len(password_checks) == before
    assert LoginAttempt.objects.filter(username="agent1").count() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_40_parallel_wrong_logins_on_the_page_get_at_most_5_password_checks(password_checks):
    _seed()

    def login():
        return Client(REMOTE_ADDR="10.0.0.2").post("/login/", {"username": "agent1", "password": "wrong"})

    results = _in_parallel(login)
    assert [r for r in results if isinstance(r, Exception)] == []
    codes = [r.status_code for r in results]
    assert len(password_checks) <= 5
    assert codes.count(200) == len(password_checks)  # "wrong username or password"
    assert codes.count(429) >= 35
    response = Client(REMOTE_ADDR="10.0.0.2").post("/login/", {"username": "agent1", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_parallel_attempts_from_one_address_get_at_most_20_checks(password_checks):
    """40 different usernames from one address: the per-IP limit (20) holds in parallel too."""
    _seed()
    names = iter(f"nobody{i}" for i in range(PARALLEL))
    lock = threading.Lock()

    def send():
        with lock:
            name = next(names)
        return _token("wrong", ip="10.0.0.3", username=name)

    results = _in_parallel(send)
    assert [r for r in results if isinstance(r, Exception)] == []
    codes = [r.status_code for r in results]
    assert len(password_checks) <= 20
    assert codes.count(401) == len(password_checks)
    assert codes.count(429) >= 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_right_passwords_in_parallel_do_not_use_up_the_attempts(password_checks):
    """A correct password gives its counted attempt back: round after round of parallel correct logins,
    20 in all, succeed. Each round stays within the per-user limit (5), because an attempt counts while its
    password is being checked — that is what caps parallel guessing — so more than 5 at the very same
    moment may be told to wait (429) whatever their passwords."""
    _seed()
    results = []
    for _round in range(5):
        results += _in_parallel(lambda: _token(DEMO_PASSWORD, ip="10.0.0.4"), n=4)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert [r.status_code for r in results] == [200] * 20
    assert not LoginAttempt.objects.exists()


@pytest.mark.django_db
@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_5th_wrong_attempt_is_checked_6th_is_refused_without_a_check(demo, password_checks):
    from kefu.audit.models import AuditEvent
    from kefu.org.models import ApiToken

    for _ in range(5):
        assert _token("wrong").status_code == 401
    assert len(password_checks) == 5  # the 5th was still checked
    failures = AuditEvent.objects.filter(action="login_failed").count()
    response = _token(DEMO_PASSWORD)  # the 6th: refused even with the right password, and unchecked
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert len(password_checks) == 5
    # nothing changed: no token, no further failure counted or audited
    assert not ApiToken.objects.exists()
    assert LoginAttempt.objects.count() == 5
    assert AuditEvent.objects.filter(action="login_failed").count() == failures


@pytest.mark.django_db
@override_settings(KEFU_LOGIN_THROTTLE=THROTTLE)
def test_r_sec_the_lock_ends_when_the_window_has_passed(demo, password_checks):
    import datetime as dt

    import time_machine

    start = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert _token("wrong").status_code == 401
    with time_machine.travel(start + dt.timedelta(minutes=14, seconds=59), tick=False):
        response = _token(DEMO_PASSWORD)
        assert response.status_code == 429
        assert int(response["Retry-After"]) == 1
    with time_machine.travel(start + dt.timedelta(minutes=15), tick=False):
        assert _token(DEMO_PASSWORD).status_code == 200
    assert len(password_checks) == 6
