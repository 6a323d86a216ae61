"""The automatic checks through the API (issue 11): the rules (list, create, PATCH with the version read,
enable and disable) and a ticket's score and flags; the role matrix with nothing changed on refusals; query
counts on the list."""

from __future__ import annotations

import pytest

from kefu.quality.models import CheckRule
from kefu.quality.tests.conftest import call

EDITORS_ONLY = [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 200), ("head", 200), ("director", 403)]


def _state():
    return list(CheckRule.objects.order_by("id").values_list("kind", "weight", "active", "phrases", "version"))


def _forbidden():
    return CheckRule.objects.get(kind="forbidden")


@pytest.mark.parametrize(("role", "status"), EDITORS_ONLY)
def test_role_matrix_list(clients, role, status):
    assert call(clients(role), "get", "/qa/check-rules").status_code == status


def test_list_shape_and_queries(clients, django_assert_max_num_queries):
    qa = clients("qa")
    call(qa, "get", "/qa/check-rules")
    with django_assert_max_num_queries(5):
        body = call(qa, "get", "/qa/check-rules").json()
    assert set(body) == {"items", "count", "page", "page_size"} and body["count"] == 6
    forbidden = next(r for r in body["items"] if r["kind"] == "forbidden")
    assert {"id", "kind", "name", "weight", "active", "phrases", "version", "updated_by", "updated_at"} == set(forbidden)
    assert "不归我管" in forbidden["phrases"] and forbidden["version"] == 1


@pytest.mark.parametrize(("role", "status"), EDITORS_ONLY)
def test_role_matrix_patch(clients, role, status):
    rule = _forbidden()
    before = _state()
    response = call(clients(role), "patch", f"/qa/check-rules/{rule.pk}",
                    {"version": 1, "weight": 40, "phrases": ["不归我管", "爱买不买"]})
    assert response.status_code == status, response.content
    if status == 200:
        body = response.json()
        assert (body["weight"], body["phrases"], body["version"], body["active"]) == (40, ["不归我管", "爱买不买"], 2, True)
        assert body["updated_by"] == {"qa": "qa1", "head": "head1"}[role]
    else:
        assert _state() == before


def test_patch_with_a_stale_or_missing_version_is_409_and_changes_nothing(clients):
    rule = _forbidden()
    qa = clients("qa")
    assert call(qa, "patch", f"/qa/check-rules/{rule.pk}", {"version": 1, "weight": 35}).status_code == 200
    before = _state()
    stale = call(qa, "patch", f"/qa/check-rules/{rule.pk}", {"version": 1, "weight": 20})
    assert stale.status_code == 409
    missing = call(qa, "patch", f"/qa/check-rules/{rule.pk}", {"weight": 20})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"].endswith("version")
    assert _state() == before


@pytest.mark.parametrize(("payload", "field"), [
    ({"weight": 101}, "weight"),
    ({"weight": -1}, "weight"),
    ({"phrases": []}, "phrases"),  # a phrase check in use needs a phrase
    ({"phrases": ["很" * 51]}, "phrases"),
])
def test_patch_bad_input_is_422_naming_the_field(clients, payload, field):
    rule = _forbidden()
    before = _state()
    response = call(clients("qa"), "patch", f"/qa/check-rules/{rule.pk}", {"version": 1, **payload})
    assert response.status_code == 422, response.content
    assert any(e["field"].endswith(field) for e in response.json()["errors"])
    assert _state() == before


def test_weight_boundaries_are_accepted(clients):
    rule = _forbidden()
    qa = clients("qa")
    assert call(qa, "patch", f"/qa/check-rules/{rule.pk}", {"version": 1, "weight": 100}).json()["weight"] == 100
    assert call(qa, "patch", f"/qa/check-rules/{rule.pk}", {"version": 2, "weight": 0}).json()["weight"] == 0


def test_unknown_rule_is_404(clients):
    assert call(clients("qa"), "patch", "/qa/check-rules/999999", {"version": 1, "weight": 1}).status_code == 404


@pytest.mark.parametrize(("role", "status"), EDITORS_ONLY)
def test_role_matrix_enable_disable(clients, role, status):
    rule = _forbidden()
    before = _state()
    client = clients(role)
    response = call(client, "post", f"/qa/check-rules/{rule.pk}/disable", {"version": 1})
    assert response.status_code == status, response.content
    if status == 200:
        assert (response.json()["active"], response.json()["version"]) == (False, 2)
        again = call(client, "post", f"/qa/check-rules/{rule.pk}/enable", {"version": 2}).json()
        assert (again["active"], again["version"]) == (True, 3)
    else:
        assert _state() == before


def test_disabled_check_no_longer_runs(demo, clients, make_ticket, django_capture_on_commit_callbacks):
    from kefu.quality.autocheck_services import run_ticket_checks

    rule = _forbidden()
    call(clients("qa"), "post", f"/qa/check-rules/{rule.pk}/disable", {"version": 1})
    ticket = make_ticket()
    assert "forbidden" not in run_ticket_checks(ticket_id=ticket.pk).results


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 403), ("lead", 403), ("qa", 201),
                                              ("head", 201), ("director", 403)])
def test_role_matrix_create(clients, role, status):
    CheckRule.objects.filter(kind="standard_reply").delete()
    before = _state()
    response = call(clients(role), "post", "/qa/check-rules", {"kind": "standard_reply", "weight": 10})
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["kind"] == "standard_reply" and response.json()["version"] == 1
        assert CheckRule.objects.filter(kind="standard_reply").exists()
    else:
        assert _state() == before


@pytest.mark.parametrize(("payload", "field"), [
    ({"kind": "forbidden", "weight": 10, "phrases": ["滚"]}, "kind"),  # already in place
    ({"kind": "no_such_check", "weight": 10}, "kind"),
    ({"kind": "greeting", "weight": 10, "phrases": []}, "phrases"),
])
def test_create_bad_input_is_422_naming_the_field(clients, payload, field):
    CheckRule.objects.filter(kind="greeting").delete()
    before = _state()
    response = call(clients("head"), "post", "/qa/check-rules", payload)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert _state() == before


def test_refusal_is_in_the_users_language(clients):
    from django.utils import translation
    from django.utils.translation import gettext as _

    rule = _forbidden()
    response = call(clients("qa"), "patch", f"/qa/check-rules/{rule.pk}", {"version": 1, "phrases": []})
    assert response.status_code == 422
    with translation.override("zh-hans"):
        expected = (_("The check was not saved."), _("A check of phrases in use needs at least one phrase."))
    body = response.json()
    assert (body["detail"], body["errors"][0]["message"]) == expected
    assert expected[0] != "The check was not saved."


# -- a ticket's flags ------------------------------------------------------------------------------------

def _checked_ticket(demo, make_ticket, owner="agent1"):
    from kefu.quality.autocheck_services import run_ticket_checks
    from kefu.tickets import services

    ticket = make_ticket(actor=owner)
    services.add_message(actor=demo.users[owner], ticket_id=ticket.pk, body="这个不归我管，你去问物流。", public=True)
    run_ticket_checks(ticket_id=ticket.pk)
    return ticket


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("agent", 200), ("lead", 200), ("qa", 200),
                                              ("head", 200), ("director", 200)])
def test_role_matrix_ticket_checks(demo, clients, make_ticket, role, status):
    ticket = _checked_ticket(demo, make_ticket)  # agent1's ticket
    response = call(clients(role), "get", f"/qa/tickets/{ticket.pk}/checks")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["checked"] is True and body["flagged"] is True and body["score"] < 100
        flags = {f["kind"]: f for f in body["flags"]}
        assert flags["forbidden"]["detail"] == "不归我管" and "greeting" in flags
        assert body["results"]["forbidden"]["ok"] is False


def test_another_agent_does_not_see_the_flags(demo, make_ticket):
    from django.test import Client

    ticket = _checked_ticket(demo, make_ticket)
    c = Client()
    c.force_login(demo.users["agent2"])
    assert call(c, "get", f"/qa/tickets/{ticket.pk}/checks").status_code in (403, 404)


def test_ticket_not_checked_yet_and_unknown_ticket(clients, make_ticket):
    ticket = make_ticket()
    body = call(clients("qa"), "get", f"/qa/tickets/{ticket.pk}/checks").json()
    assert (body["checked"], body["score"], body["flags"]) == (False, None, [])
    assert call(clients("qa"), "get", "/qa/tickets/999999/checks").status_code == 404
