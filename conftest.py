"""Shared test fixtures: the demo organisation of API.md and a client per role."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from django.test import Client


def pytest_configure(config):
    """``KEFU_TEST_CLOCK=2026-12-05T03:00+08:00`` runs the whole suite as if started at that moment (the
    clock keeps ticking from there). CI runs the suite at awkward moments this way — a Saturday 03:00, New
    Year's Eve 23:50 before a year without an official calendar — so no test depends on the day it runs."""
    moment = os.environ.get("KEFU_TEST_CLOCK")
    if moment:
        import datetime as dt

        import time_machine

        config._kefu_clock = time_machine.travel(dt.datetime.fromisoformat(moment), tick=True)
        config._kefu_clock.start()


@pytest.fixture(autouse=True)
def _kefu_test_clock():
    """With ``KEFU_TEST_CLOCK``, every test starts at that very moment (not minutes later as the suite goes
    on), so which tests straddle midnight does not depend on the machine's speed or on xdist's split."""
    moment = os.environ.get("KEFU_TEST_CLOCK")
    if not moment:
        yield
        return
    import datetime as dt

    import time_machine

    with time_machine.travel(dt.datetime.fromisoformat(moment), tick=True):
        yield


def pytest_report_header(config):
    moment = os.environ.get("KEFU_TEST_CLOCK")
    return f"kefu: clock set to {moment} (KEFU_TEST_CLOCK)" if moment else None


ROLE_USERS = {
    "anonymous": None,
    "agent": "agent1",
    "lead": "lead1",
    "qa": "qa1",
    "head": "head1",
    "director": "director1",
    "admin": "admin",
}


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """The rule cache is per process and per thread: a test that wrote an override (inside its
    never-committed test transaction) must not make later tests read rules from the database."""
    from kefu.rules.selectors import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def demo(db):
    """The seed_demo organisation: ``demo.users["agent1"]``, ``demo.shops["tmall"]``, ``demo.teams[0]``."""
    from kefu.org.demo import seed_demo
    from kefu.org.models import Centre, Department, Shop, Team, User

    seed_demo()
    return SimpleNamespace(
        centre=Centre.objects.get(),
        departments={d.name: d for d in Department.objects.all()},
        shops={s.code: s for s in Shop.objects.all()},
        teams=list(Team.objects.order_by("id")),
        users={u.username: u for u in User.objects.all()},
    )


def client_for(demo, role: str) -> Client:
    client = Client()
    username = ROLE_USERS[role]
    if username is not None:
        client.force_login(demo.users[username])
    return client


@pytest.fixture
def clients(demo):
    """``clients("lead")`` → a logged-in test client for that role's demo user."""
    return lambda role: client_for(demo, role)
