"""Shared test fixtures: the demo organisation of API.md and a client per role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client

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
