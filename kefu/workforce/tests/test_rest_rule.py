"""R-WFM-3 连班 on shifts put on the roster by hand (API and roster page, one service): at least
``workforce.swap_min_rest_hours`` (8) hours of rest between the end of a person's shift and the start of their
next one, also across midnight; shifts freed by approved leave do not count; nothing changes on a refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import RuleViolation
from kefu.workforce import services
from kefu.workforce.models import Shift
from kefu.workforce.tests.conftest import MONDAY, at, call

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)
NEXT_TUESDAY = NEXT_MONDAY + dt.timedelta(days=1)


def state():
    return (list(Shift.objects.order_by("pk").values_list("pk", "start_at", "end_at", "leave_id")),
            AuditEvent.objects.count())


@pytest.fixture
def add(demo, clock):
    """``add(day, kind, start, end)``: lead1 puts agent1 on the roster through the service."""

    def make(day: dt.date, kind: str, start: str, end: str) -> Shift:
        return services.create_shift(actor=demo.users["lead1"], person=demo.users["agent1"], date=day, kind=kind,
                                     start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end))

    return make


def refused(add, *args) -> RuleViolation:
    before = state()
    with pytest.raises(RuleViolation) as info:
        add(*args)
    assert info.value.rule == "R-WFM-3"
    assert [e.field for e in info.value.errors] == ["start"]
    assert state() == before  # nothing changed
    return info.value


def test_R_WFM_3_rest_of_7h59_after_the_previous_shift_is_refused_8h_accepted(add):
    add(NEXT_MONDAY, "day", "09:00", "18:00")
    error = refused(add, NEXT_TUESDAY, "custom", "01:59", "06:00")
    assert "2026-12-15 02:00" in str(error.errors[0].message)  # the earliest allowed start
    shift = add(NEXT_TUESDAY, "custom", "02:00", "06:00")
    assert shift.start_at == at(NEXT_TUESDAY, 2)


def test_R_WFM_3_across_midnight_night_ending_0200_then_day_at_1000_accepted_0959_refused(add):
    night = add(NEXT_MONDAY, "night", "18:00", "02:00")
    assert night.end_at == at(NEXT_TUESDAY, 2)
    refused(add, NEXT_TUESDAY, "day", "09:59", "18:00")
    day = add(NEXT_TUESDAY, "day", "10:00", "18:00")
    assert day.start_at - night.end_at == dt.timedelta(hours=8)


def test_R_WFM_3_rest_before_the_next_shift_is_checked_too(add):
    add(NEXT_TUESDAY, "day", "09:00", "18:00")
    error = refused(add, NEXT_MONDAY, "night", "17:00", "01:01")  # 7 h 59 min before 09:00
    assert "2026-12-15 09:00" in str(error.errors[0].message)
    shift = add(NEXT_MONDAY, "night", "17:00", "01:00")  # 8 h
    assert shift.end_at == at(NEXT_TUESDAY, 1)


def test_R_WFM_3_a_shift_freed_by_approved_leave_does_not_count(demo, add):
    night = add(NEXT_MONDAY, "night", "22:00", "06:00")
    refused(add, NEXT_TUESDAY, "day", "09:00", "18:00")
    leave = services.request_leave(actor=demo.users["head1"], person=demo.users["agent1"], kind="sick",
                                   start_at=at(NEXT_MONDAY, 21), end_at=at(NEXT_TUESDAY, 7), reason="发烧")
    assert leave.status == "approved"
    night.refresh_from_db()
    assert night.leave_id == leave.pk
    day = add(NEXT_TUESDAY, "day", "09:00", "18:00")
    assert day.leave_id is None


def test_R_WFM_3_the_minimum_rest_is_the_rule_setting(demo, add):
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="workforce.swap_min_rest_hours", value=10, version=0)
    add(NEXT_MONDAY, "day", "09:00", "18:00")
    refused(add, NEXT_TUESDAY, "custom", "03:59", "08:00")
    add(NEXT_TUESDAY, "custom", "04:00", "08:00")


def test_R_WFM_3_api_refuses_with_422_naming_the_rule_and_start(demo, clients, clock, shift_types):
    client = clients("lead")
    ok = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_MONDAY), "kind": "night",
                                          "start": "18:00", "end": "02:00"})
    assert ok.status_code == 201, ok.content
    before = state()
    response = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_TUESDAY), "kind": "day",
                                                "start": "09:59", "end": "18:00"})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["rule"] == "R-WFM-3"
    assert [e["field"] for e in body["errors"]] == ["start"]
    assert state() == before
    accepted = call(client, "post", "/shifts", {"person": "agent1", "date": str(NEXT_TUESDAY), "kind": "day",
                                                "start": "10:00", "end": "18:00"})
    assert accepted.status_code == 201, accepted.content


def test_R_WFM_3_roster_page_refuses_with_a_form_error(demo, clients, clock, shift_types):
    client = clients("lead")
    url = f"/workforce/roster/?team={demo.teams[0].pk}&week={NEXT_MONDAY}"
    assert client.post(url, {"person": "agent2", "date": str(NEXT_MONDAY), "shift_type": "night"}).status_code == 302
    before = state()
    response = client.post(url, {"person": "agent2", "date": str(NEXT_TUESDAY), "shift_type": "early"})
    assert response.status_code == 422
    assert "2026-12-15 14:00" in response.content.decode()  # 06:00 + 8 h: the earliest start
    assert state() == before
