import pytest
from django.test import Client

from kefu.org.services import create_person


@pytest.fixture
def calendar_admin(db):
    return create_person(actor=None, username="cal-admin", password="x-pass-123", roles=["admin"])


@pytest.fixture
def agent(db):
    return create_person(actor=None, username="cal-agent", password="x-pass-123", roles=["agent"])


@pytest.fixture
def admin_client(calendar_admin):
    client = Client()
    client.force_login(calendar_admin)
    return client


@pytest.fixture
def agent_client(agent):
    client = Client()
    client.force_login(agent)
    return client
