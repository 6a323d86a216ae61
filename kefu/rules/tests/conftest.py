"""Fixtures of the rule settings tests: a centre, a person per role and a logged-in client per role.

Models of other apps are reached through the app registry (the import contract keeps kefu.rules away
from kefu.org.models and kefu.audit.models).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.test import Client

from kefu.rules.selectors import clear_cache


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def centre(db):
    return apps.get_model("org", "Centre").objects.create(name="中心")


@pytest.fixture
def make_user(centre):
    User = apps.get_model("org", "User")
    UserRole = apps.get_model("org", "UserRole")

    def make(username: str, *roles: str, **extra):
        user = User.objects.create_user(username, password="x", centre=centre, **extra)
        for role in roles:
            UserRole.objects.create(user=user, role=role)
        return user

    return make


@pytest.fixture
def users(make_user):
    return {role: make_user(role, role) for role in ("agent", "lead", "qa", "head", "director", "admin")}


@pytest.fixture
def admin_user(users):
    return users["admin"]


@pytest.fixture
def client_as(users):
    def make(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(users[role])
        return client

    return make


@pytest.fixture
def audit_events(db):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    return lambda key: list(AuditEvent.objects.filter(object_type="rules.rulevalue", object_id=key).order_by("id"))
