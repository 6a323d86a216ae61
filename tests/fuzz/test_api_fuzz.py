"""The whole API fuzzed by schemathesis, in-process through Django's WSGI application (issue 8).

``KEFU_FUZZ=1 .venv/bin/pytest -p no:cacheprovider tests/fuzz`` (``make fuzz``). Skipped otherwise, so that
``make test`` stays fast. Every operation of ``/api/v1/openapi.json`` is called with generated valid and
invalid input (schemathesis' examples, coverage and fuzzing phases) as an agent (``agent1``) and as the
administrator (``admin``), with a bearer token, against the demo organisation with its customers, tickets,
knowledge articles and announcements, so that ids exist. Each response must not be a server error (5xx), its
status must be one the operation declares, and its body must match the declared schema.

Reproducible: a fixed seed, derandomized Hypothesis and a bounded number of examples per operation
(``KEFU_FUZZ_EXAMPLES``, default 25). Each operation runs in its own transaction, rolled back after it, on
the seeded data committed once for the module — on SQLite and on PostgreSQL (``DATABASE_URL``) alike.
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("KEFU_FUZZ") != "1":
    pytest.skip("the API fuzzer runs with KEFU_FUZZ=1 (make fuzz)", allow_module_level=True)

import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test.utils import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.fuzz

SEED = 20261204
MAX_EXAMPLES = int(os.environ.get("KEFU_FUZZ_EXAMPLES", "25"))
HOST = "localhost"  # the Host header of schemathesis' WSGI client
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]

# Not fuzzed: revoking tokens would revoke the very token the fuzzer authenticates with (``DELETE
# /auth/token`` logs the caller out; as the administrator, ``DELETE /auth/tokens/{token_id}`` may hit it).
EXCLUDED = [
    ("DELETE", "/api/v1/auth/token"),
    ("DELETE", "/api/v1/auth/tokens/{token_id}"),
]

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
})

APP = get_wsgi_application()
with override_settings(ALLOWED_HOSTS=[HOST]):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP, config=CONFIG)
for _method, _path in EXCLUDED:
    schema = schema.exclude(method=_method, path=_path)


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The demo organisation with its sample data, committed once for the module, and a token each for
    agent1 and admin. Removed again afterwards, so later tests of the same session start empty."""
    from kefu.announcements.demo import seed_demo_announcements
    from kefu.customers.demo import seed_demo_customers
    from kefu.knowledge.demo import seed_demo_knowledge
    from kefu.org.demo import seed_demo
    from kefu.org.models import User
    from kefu.org.tokens import issue_token
    from kefu.tickets.demo import seed_demo_tickets

    with django_db_blocker.unblock():
        seed_demo()
        seed_demo_customers()
        seed_demo_tickets()
        seed_demo_knowledge()
        seed_demo_announcements()
        secrets = {name: issue_token(user=User.objects.get(username=name), name="fuzz")[1]
                   for name in ("agent1", "admin")}
        EXISTING_IDS.update(_existing_ids())
    yield secrets
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


EXISTING_IDS: dict[str, list[int]] = {}


def _existing_ids() -> dict[str, list[int]]:
    """The ids of the seeded rows, by the name of the path parameter that takes them."""
    from kefu.announcements.models import Announcement
    from kefu.customers.models import Customer
    from kefu.knowledge.models import Article
    from kefu.notifications.models import Notification
    from kefu.org.models import User
    from kefu.tickets.models import Compensation, DepartmentTask, Ticket

    models = {"ticket_id": Ticket, "task_id": DepartmentTask, "compensation_id": Compensation,
              "customer_id": Customer, "person_id": User, "notification_id": Notification,
              "announcement_id": Announcement, "article_id": Article}
    return {name: list(model.objects.order_by("pk").values_list("pk", flat=True)) for name, model in models.items()}


def _aim_at_existing_rows(case) -> None:
    """Valid cases ask for rows that exist (a random id is almost always a 404, and the handler's real work
    and its 2xx answer would go untested); which row follows from the generated id, so runs repeat.
    Invalid cases keep their generated ids."""
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE or not case.path_parameters:
        return
    for name, value in case.path_parameters.items():
        rows = EXISTING_IDS.get(name)
        if rows and isinstance(value, int):
            case.path_parameters[name] = rows[value % len(rows)]


@pytest.fixture
def in_test_transaction(db, settings):
    """Requests run in the test's transaction: Django's WSGI handler would close the connection at the
    start and end of each request (as its test client, these fixtures stop it doing so)."""
    settings.ALLOWED_HOSTS = [HOST]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _call(case, token: str) -> None:
    _aim_at_existing_rows(case)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_agent(case, tokens, in_test_transaction):
    _call(case, tokens["agent1"])


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_admin(case, tokens, in_test_transaction):
    _call(case, tokens["admin"])
