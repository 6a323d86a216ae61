"""/api/v1/rules: heads, directors and administrators read; administrators change (API.md conventions)."""

from __future__ import annotations

import json

import pytest

from kefu.rules.models import RuleValue
from kefu.rules.selectors import get_rule

URL = "/api/v1/rules"
CADENCE_B = "customers.cadence_days.B"


def _patch(client, key, body, **extra):
    return client.patch(f"{URL}/{key}", data=json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def admin(client_as):
    return client_as("admin")


def test_anonymous_is_401(client_as, centre):
    response = client_as(None).get(URL)
    assert response.status_code == 401
    assert set(response.json()) >= {"detail", "errors"}
    assert _patch(client_as(None), CADENCE_B, {"value": 3, "version": 0}).status_code == 401


@pytest.mark.parametrize("role", ["agent", "lead", "qa"])
def test_agents_leads_and_qa_may_not_read_settings(client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 403
    assert response.json()["detail"]
    assert client_as(role).get(f"{URL}/{CADENCE_B}").status_code == 403


@pytest.mark.parametrize("role", ["head", "director", "admin"])
def test_heads_directors_and_admins_read_settings(client_as, role):
    response = client_as(role).get(URL)
    assert response.status_code == 200
    rows = {r["key"]: r for r in response.json()}
    row = rows[CADENCE_B]
    assert row == {
        "key": CADENCE_B, "group": "customers", "type": "int", "value": 7, "default": 7, "is_default": True,
        "min": 1, "max": 3650, "choices": None, "rule_id": "R-CUS-4", "label": row["label"],
        "help": row["help"], "unit": row["unit"], "version": 0,
    }
    assert row["label"] and row["help"]
    assert rows["tickets.compensation_limit.agent"]["value"] == "50.00"  # money as a decimal string
    assert rows["tickets.compensation_limit.agent"]["min"] == "0.00"
    assert rows["calendar.breaks"]["value"] == [["12:00", "13:30"]]
    assert rows["calendar.mode"]["choices"][0]["value"] == "business"
    assert rows["security.phone_full_view_roles"]["value"] == ["head", "director", "admin"]


def test_get_one_and_unknown_key(client_as):
    head = client_as("head")
    assert head.get(f"{URL}/calendar.work_start").json()["value"] == "09:00"
    response = head.get(f"{URL}/customers.nope")
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("value", [-1, 0])
def test_r_cus_4_cadence_below_one_is_422_naming_the_field_and_nothing_changes(admin, audit_events, value):
    response = _patch(admin, CADENCE_B, {"value": value, "version": 0}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert body["errors"] == [{"field": "value", "message": body["errors"][0]["message"]}]
    assert body["errors"][0]["message"]
    assert not RuleValue.objects.exists()
    assert audit_events(CADENCE_B) == []
    after = admin.get(f"{URL}/{CADENCE_B}").json()
    assert (after["value"], after["version"], after["is_default"]) == (7, 0, True)


def test_r_cus_4_cadence_of_one_is_accepted(admin):
    response = _patch(admin, CADENCE_B, {"value": 1, "version": 0})
    assert response.status_code == 200
    body = response.json()
    assert (body["value"], body["version"], body["is_default"]) == (1, 1, False)
    assert get_rule(CADENCE_B) == 1


@pytest.mark.parametrize("value", ["weekly", True, 2.5, [1], None])
def test_wrong_type_is_422(admin, value):
    response = _patch(admin, CADENCE_B, {"value": value, "version": 0})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["value"]
    assert not RuleValue.objects.exists()


def test_missing_version_is_422_naming_it(admin):
    response = _patch(admin, CADENCE_B, {"value": 3})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["version"]
    assert not RuleValue.objects.exists()


def test_r_err_stale_version_is_409_and_nothing_changes(admin, audit_events):
    assert _patch(admin, CADENCE_B, {"value": 10, "version": 0}).status_code == 200
    response = _patch(admin, CADENCE_B, {"value": 12, "version": 0})
    assert response.status_code == 409
    assert response.json()["detail"]
    assert admin.get(f"{URL}/{CADENCE_B}").json()["value"] == 10
    assert len(audit_events(CADENCE_B)) == 1


@pytest.mark.parametrize("role", ["agent", "lead", "head", "director"])
def test_non_admin_patch_is_403_and_nothing_changes(client_as, role, audit_events):
    response = _patch(client_as(role), CADENCE_B, {"value": 3, "version": 0})
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not RuleValue.objects.exists()
    assert audit_events(CADENCE_B) == []
    assert get_rule(CADENCE_B) == 7


def test_r_aud_patch_writes_an_audit_row(admin, audit_events, admin_user):
    _patch(admin, "tickets.stuck_hours", {"value": 12, "version": 0})
    (event,) = audit_events("tickets.stuck_hours")
    assert (event.before, event.after, event.actor_id) == ({"value": 24}, {"value": 12}, admin_user.pk)


def test_delete_resets_to_default(admin, client_as):
    _patch(admin, "tickets.compensation_limit.agent", {"value": "75", "version": 0})
    assert get_rule("tickets.compensation_limit.agent") == 75
    assert client_as("head").delete(f"{URL}/tickets.compensation_limit.agent?version=1").status_code == 403
    assert admin.delete(f"{URL}/tickets.compensation_limit.agent?version=0").status_code == 409
    response = admin.delete(f"{URL}/tickets.compensation_limit.agent?version=1")
    assert response.status_code == 200
    body = response.json()
    assert (body["value"], body["is_default"], body["version"]) == ("50.00", True, 2)
    assert str(get_rule("tickets.compensation_limit.agent")) == "50.00"


def test_constraint_refusal_is_422_on_value(admin):
    response = _patch(admin, "quality.reviews_per_month.min", {"value": 6, "version": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "value"


def test_openapi_documents_the_router(admin):
    schema = admin.get("/api/v1/openapi.json").json()
    assert "/api/v1/rules/{key}" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/rules/{key}"]["patch"]["responses"]
