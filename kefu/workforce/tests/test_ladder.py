"""R-ORG-3 level ladder: the criteria at their boundaries, applying, the approver's decision, the history, the
head's assessment scores, the pages; through the API (/api/v1/levels, /level-applications, /assessment-scores)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kefu.audit.models import AuditEvent
from kefu.notifications.models import Notification
from kefu.workforce.models import AssessmentScore, Level, LevelApplication, Violation, WorkerProfile
from kefu.workforce.selectors import ladder as selectors
from kefu.workforce.services import ladder as services
from kefu.workforce.tests.conftest import MONDAY, at, call

TWO_MONTHS_AGO = dt.date(2026, 10, 7)  # MONDAY is 2026-12-07


def hire(person, day: dt.date = TWO_MONTHS_AGO, level: str | None = None) -> WorkerProfile:
    profile, _created = WorkerProfile.objects.update_or_create(
        person=person, defaults={"hired_on": day, "level": Level.objects.get(code=level) if level else None})
    return profile


def score(demo, username: str, value: str, month: dt.date = dt.date(2026, 11, 1)):
    return services.set_assessment_score(actor=demo.users["head1"], person=demo.users[username], month=month,
                                         score=value)


def qualified(demo, username: str = "agent1"):
    person = demo.users[username]
    hire(person)
    score(demo, username, "80")
    return person


def criteria_of(person, code: str = "iron") -> dict[str, bool]:
    return {c.code: c.met for c in selectors.level_criteria(person, Level.objects.get(code=code))}


def refused(response, *fields: str) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["rule"] == "R-ORG-3"
    assert set(fields) <= {e["field"] for e in body["errors"]}
    return body


# -- the shipped ladder ---------------------------------------------------------------------------------

def test_R_ORG_3_shipped_ladder_trial_to_gold_with_iron_defaults(clients):
    response = call(clients("agent"), "get", "/levels")
    assert response.status_code == 200, response.content
    levels = response.json()
    assert [lv["code"] for lv in levels] == ["trial", "iron", "bronze", "silver", "gold"]
    assert [lv["name"] for lv in levels] == ["试用", "铁牌", "铜牌", "银牌", "金牌"]
    iron = levels[1]
    assert (iron["min_months"], iron["clean_months"], iron["min_score"], iron["approver_role"]) == (
        2, 2, "80.00", "lead")
    assert levels[3]["skills"] == ["vip"]
    pays = [Decimal(lv["base_pay"]) for lv in levels]
    assert pays == sorted(pays) and len(set(pays)) == 5
    assert [lv["approver_role"] for lv in levels[2:]] == ["lead", "head", "director"]


# -- criteria at their boundaries ------------------------------------------------------------------------

def test_R_ORG_3_exactly_two_months_of_service_meets_iron(demo, clock):
    person = qualified(demo)
    assert criteria_of(person) == {"months": True, "violations": True, "score": True}


def test_R_ORG_3_two_months_less_one_day_of_service_does_not_meet_iron(demo, clock):
    person = qualified(demo)
    hire(person, TWO_MONTHS_AGO + dt.timedelta(days=1))
    assert criteria_of(person)["months"] is False


def test_R_ORG_3_no_start_date_does_not_meet_months(demo, clock):
    person = demo.users["agent1"]
    score(demo, "agent1", "90")
    assert criteria_of(person)["months"] is False


def test_R_ORG_3_violation_two_months_and_a_day_ago_does_not_count(demo, clock):
    person = qualified(demo)
    Violation.objects.create(person=person, rule="R-WFM-5", evidence="late", at=at(MONDAY - dt.timedelta(days=62), 9))
    assert (MONDAY - dt.timedelta(days=62)) == dt.date(2026, 10, 6)
    assert criteria_of(person)["violations"] is True


def test_R_ORG_3_violation_just_inside_two_months_counts(demo, clock):
    person = qualified(demo)
    Violation.objects.create(person=person, rule="R-WFM-5", evidence="late", at=at(TWO_MONTHS_AGO, 9, 1))
    assert criteria_of(person)["violations"] is False


def test_R_ORG_3_score_80_meets_and_79_99_does_not(demo, clock):
    person = qualified(demo)
    assert criteria_of(person)["score"] is True
    score(demo, "agent1", "79.99")
    assert criteria_of(person)["score"] is False


def test_R_ORG_3_the_latest_month_is_the_score_in_force(demo, clock):
    person = qualified(demo)
    score(demo, "agent1", "70", month=dt.date(2026, 10, 1))
    assert selectors.assessment_score(person).score == Decimal("80.00")
    assert criteria_of(person)["score"] is True


# -- applying ------------------------------------------------------------------------------------------

def test_R_ORG_3_apply_refused_naming_the_unmet_criteria_and_nothing_changes(demo, clients, clock):
    person = demo.users["agent1"]
    hire(person, TWO_MONTHS_AGO + dt.timedelta(days=1))
    score(demo, "agent1", "79.99")
    client = clients("agent")
    events = AuditEvent.objects.count()
    body = refused(call(client, "post", "/level-applications", {}), "months", "score")
    assert "violations" not in {e["field"] for e in body["errors"]}
    assert "铁牌" in body["detail"]
    assert not LevelApplication.objects.exists()
    assert WorkerProfile.objects.get(person=person).level_id is None
    assert AuditEvent.objects.count() == events
    assert not Notification.objects.filter(kind="level_application").exists()


def test_R_ORG_3_apply_when_met_goes_to_the_team_lead(demo, clients, clock):
    qualified(demo)
    response = call(clients("agent"), "post", "/level-applications", {"note": "请审批"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["level"], body["from_level"], body["status"]) == ("iron", "trial", "pending")
    assert {c["code"]: c["met"] for c in body["criteria"]} == {"months": True, "violations": True, "score": True}
    assert Notification.objects.filter(kind="level_application", recipient=demo.users["lead1"]).exists()
    assert not Notification.objects.filter(kind="level_application", recipient=demo.users["lead2"]).exists()


def test_R_ORG_3_one_pending_application_at_a_time(demo, clients, clock):
    qualified(demo)
    client = clients("agent")
    assert call(client, "post", "/level-applications", {}).status_code == 201
    response = call(client, "post", "/level-applications", {})
    assert response.status_code == 422
    assert "level" in {e["field"] for e in response.json()["errors"]}
    assert LevelApplication.objects.count() == 1


def test_R_ORG_3_only_the_next_level_may_be_applied_for(demo, clients, clock):
    qualified(demo)
    response = call(clients("agent"), "post", "/level-applications", {"level": "bronze"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "level"
    assert not LevelApplication.objects.exists()


# -- the decision -------------------------------------------------------------------------------------

def apply_as(demo, username: str) -> LevelApplication:
    qualified(demo, username)
    return services.apply_for_level(actor=demo.users[username])


def test_R_ORG_3_lead_of_team_one_may_not_approve_for_team_two(demo, clients, clock):
    application = apply_as(demo, "agent4")  # 二班
    response = call(clients("lead"), "post", f"/level-applications/{application.pk}/approve", {})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == "pending"
    assert WorkerProfile.objects.get(person=demo.users["agent4"]).level_id is None


def test_R_ORG_3_agent_may_not_approve_a_teammate(demo, clients, clock):
    application = apply_as(demo, "agent2")
    response = call(clients("agent"), "post", f"/level-applications/{application.pk}/approve", {})
    assert response.status_code == 404  # outside an agent's scope: its existence is not revealed
    application.refresh_from_db()
    assert application.status == "pending"


def test_R_ORG_3_the_team_lead_approves_and_the_level_moves_with_history(demo, clients, clock):
    application = apply_as(demo, "agent1")
    response = call(clients("lead"), "post", f"/level-applications/{application.pk}/approve",
                    {"version": application.version, "note": "同意"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "lead1"
    profile = WorkerProfile.objects.get(person=demo.users["agent1"])
    assert profile.level.code == "iron"
    assert Notification.objects.filter(kind="level_decided", recipient=demo.users["agent1"]).exists()
    assert AuditEvent.objects.filter(object_type="workforce.levelapplication", object_id=str(application.pk),
                                     action="transition").exists()
    assert AuditEvent.objects.filter(object_type="workforce.workerprofile", note__contains="trial → iron").exists()
    history = call(clients("agent"), "get", "/level-applications").json()
    assert [(a["level"], a["status"]) for a in history["items"]] == [("iron", "approved")]
    # the next step is bronze now
    assert selectors.ladder_for(demo.users["agent1"]).next_level.code == "bronze"


def test_R_ORG_3_silver_is_approved_by_the_head_not_the_lead(demo, clients, clock):
    person = demo.users["agent1"]
    hire(person, dt.date(2025, 12, 7), level="bronze")
    score(demo, "agent1", "90")
    application = services.apply_for_level(actor=person)
    assert application.level.code == "silver"
    response = call(clients("lead"), "post", f"/level-applications/{application.pk}/approve", {})
    assert response.status_code == 403
    assert response.json()["rule"] == "R-ORG-3"
    response = call(clients("head"), "post", f"/level-applications/{application.pk}/approve", {})
    assert response.status_code == 200, response.content
    assert WorkerProfile.objects.get(person=person).level.code == "silver"


def test_R_ORG_3_approval_checks_the_criteria_again(demo, clients, clock):
    application = apply_as(demo, "agent1")
    Violation.objects.create(person=demo.users["agent1"], rule="R-WFM-5", evidence="late", at=at(MONDAY, 8))
    body = refused(call(clients("lead"), "post", f"/level-applications/{application.pk}/approve", {}), "violations")
    assert body["errors"]
    application.refresh_from_db()
    assert application.status == "pending"
    assert WorkerProfile.objects.get(person=demo.users["agent1"]).level_id is None


def test_R_ORG_3_refusal_needs_a_note_and_tells_the_person(demo, clients, clock):
    application = apply_as(demo, "agent1")
    client = clients("lead")
    response = call(client, "post", f"/level-applications/{application.pk}/reject", {"note": ""})
    assert response.status_code == 422
    response = call(client, "post", f"/level-applications/{application.pk}/reject", {"note": "再等一个月"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert Notification.objects.filter(kind="level_decided", recipient=demo.users["agent1"],
                                       body="再等一个月").exists()
    assert WorkerProfile.objects.get(person=demo.users["agent1"]).level_id is None


# -- assessment scores ----------------------------------------------------------------------------------

def test_R_ORG_3_heads_enter_assessment_scores(demo, clients, clock):
    response = call(clients("head"), "post", "/assessment-scores", {"person": "agent1", "month": "2026-11",
                                                                     "score": 79.99})
    assert response.status_code == 201, response.content
    assert response.json() == {"person": "agent1", "month": "2026-11", "score": "79.99"}
    assert AssessmentScore.objects.get().score == Decimal("79.99")


@pytest.mark.parametrize(("body", "field"), [
    ({"person": "agent1", "month": "2026-11", "score": 100.01}, "score"),
    ({"person": "agent1", "month": "2026-11", "score": -1}, "score"),
    ({"person": "agent1", "month": "2026-13", "score": 80}, "month"),
    ({"person": "agent1", "month": "2027-01", "score": 80}, "month"),
    ({"person": "nobody", "month": "2026-11", "score": 80}, "person"),
])
def test_R_ORG_3_bad_assessment_scores_are_field_errors(demo, clients, clock, body, field):
    response = call(clients("head"), "post", "/assessment-scores", body)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not AssessmentScore.objects.exists()


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_R_ORG_3_only_heads_and_directors_enter_scores(clients, clock, role):
    response = call(clients(role), "post", "/assessment-scores", {"person": "agent1", "month": "2026-11", "score": 80})
    assert response.status_code == 403
    assert not AssessmentScore.objects.exists()


# -- query counts and pages -----------------------------------------------------------------------------

def test_application_list_query_count_does_not_grow_with_the_list(demo, clients, clock):
    client = clients("head")
    apply_as(demo, "agent1")
    with CaptureQueriesContext(connection) as few:
        assert call(client, "get", "/level-applications").json()["count"] == 1
    for username in ("agent2", "agent3", "agent4", "agent5"):
        apply_as(demo, username)
    with CaptureQueriesContext(connection) as many:
        assert call(client, "get", "/level-applications").json()["count"] == 5
    assert len(many) == len(few)


def test_ladder_page_query_count_does_not_grow_with_the_people(demo, clients, clock):
    client = clients("head")
    apply_as(demo, "agent1")
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("workforce:ladder")).status_code == 200
    for username in ("agent2", "agent3", "agent4", "agent5"):
        apply_as(demo, username)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("workforce:ladder")).status_code == 200
    assert len(many) == len(few)


def test_ladder_page_shows_the_checklist_and_applies(demo, clients, clock):
    qualified(demo)
    client = clients("agent")
    page = client.get(reverse("workforce:ladder"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "铁牌" in text and 'data-testid="criterion"' in text
    response = client.post(reverse("workforce:ladder_apply"))
    assert response.status_code == 302
    assert LevelApplication.objects.filter(person=demo.users["agent1"], status="pending").exists()


def test_ladder_page_apply_refused_shows_the_reasons(demo, clients, clock):
    client = clients("agent")
    response = client.post(reverse("workforce:ladder_apply"), follow=True)
    assert response.status_code == 200
    assert not LevelApplication.objects.exists()


def test_ladder_page_lead_decides(demo, clients, clock):
    application = apply_as(demo, "agent1")
    client = clients("lead")
    page = client.get(reverse("workforce:ladder")).content.decode()
    assert page.count('data-testid="application-row"') == 1
    assert clients("agent").get(reverse("workforce:ladder")).content.decode().count('data-testid="application-row"') == 0
    response = client.post(reverse("workforce:ladder_decide", args=[application.pk, "approve"]),
                           {"version": application.version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "approved"


def test_ladder_page_head_enters_a_score(demo, clients, clock):
    client = clients("head")
    response = client.post(reverse("workforce:ladder_score"), {"person": "agent1", "month": "2026-11", "score": "85"})
    assert response.status_code == 302, response.content
    assert AssessmentScore.objects.get(person=demo.users["agent1"]).score == Decimal("85")
    response = client.post(reverse("workforce:ladder_score"), {"person": "agent1", "month": "2026-11", "score": "101"})
    assert response.status_code == 422
    assert AssessmentScore.objects.get(person=demo.users["agent1"]).score == Decimal("85")


# -- the criteria are data: the head edits them ----------------------------------------------------------

def level_post(level: Level, **changes) -> dict:
    data = {"base_pay": level.base_pay, "min_months": level.min_months, "clean_months": level.clean_months,
            "min_score": level.min_score, "approver_role": level.approver_role, "version": level.version, **changes}
    return {f"level{level.pk}-{k}": v for k, v in data.items()}


def test_R_ORG_3_head_edits_a_levels_criteria_and_they_apply_at_once(demo, clients, clock):
    person = qualified(demo)
    iron = Level.objects.get(code="iron")
    response = clients("head").post(reverse("workforce:ladder_level", args=[iron.pk]), level_post(iron, min_months=3))
    assert response.status_code == 302
    iron.refresh_from_db()
    assert iron.min_months == 3
    assert criteria_of(person)["months"] is False
    assert AuditEvent.objects.filter(object_type="workforce.level", object_id=str(iron.pk), action="update").exists()


def test_R_ORG_3_leads_may_not_edit_level_criteria(demo, clients, clock):
    iron = Level.objects.get(code="iron")
    response = clients("lead").post(reverse("workforce:ladder_level", args=[iron.pk]), level_post(iron, min_months=0))
    assert response.status_code == 403
    iron.refresh_from_db()
    assert iron.min_months == 2


def test_R_ORG_3_level_criteria_bad_values_are_field_errors(demo, clock):
    from kefu.core.errors import InvalidInput

    iron = Level.objects.get(code="iron")
    with pytest.raises(InvalidInput) as refused:
        services.update_level(actor=demo.users["head1"], level_id=iron.pk, approver_role="agent", min_score="101")
    assert {e.field for e in refused.value.errors} == {"approver_role", "min_score"}
    iron.refresh_from_db()
    assert (iron.approver_role, iron.min_score) == ("lead", Decimal("80.00"))


def test_R_ORG_3_only_agents_apply(demo, clients, clock):
    response = call(clients("lead"), "post", "/level-applications", {})
    assert response.status_code == 403
    assert not LevelApplication.objects.exists()
    assert 'data-testid="my-level"' not in clients("head").get(reverse("workforce:ladder")).content.decode()
