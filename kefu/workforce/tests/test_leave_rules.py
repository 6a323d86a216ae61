"""R-WFM-4 leave rules at their boundaries, through the API (POST /api/v1/leave-requests)."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.workforce import services
from kefu.workforce.models import LeaveRequest
from kefu.workforce.tests.conftest import MONDAY, at, call

TUESDAY = MONDAY + dt.timedelta(days=1)


def ask(client, **body):
    body.setdefault("kind", "personal")
    body.setdefault("reason", "家里有事")
    return call(client, "post", "/leave-requests", body)


def refused(response, field: str):
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["rule"] == "R-WFM-4"
    assert field in [e["field"] for e in body["errors"]]
    return body


# -- notice: personal 24 h ---------------------------------------------------------------------------

def test_R_WFM_4_personal_leave_exactly_24_hours_before_the_shift_is_accepted(clients, clock, make_shift):
    make_shift("agent1", TUESDAY, "early")  # 2026-12-08 09:00
    clock(at(MONDAY, 9))
    response = ask(clients("agent"), start=at(TUESDAY, 9).isoformat(), end=at(TUESDAY, 18).isoformat())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["approver_role"] == "head"


def test_R_WFM_4_personal_leave_23h59_before_the_shift_is_refused_and_nothing_saved(clients, clock, make_shift):
    make_shift("agent1", TUESDAY, "early")
    clock(at(MONDAY, 9, 1))
    body = refused(ask(clients("agent"), start=at(TUESDAY, 9).isoformat(), end=at(TUESDAY, 18).isoformat()), "start")
    assert "24" in body["detail"]
    assert not LeaveRequest.objects.exists()


def test_R_WFM_4_notice_counts_from_the_first_affected_shift_not_the_leave_start(clients, clock, make_shift):
    """Whole-day leave from 00:00 with the shift at 09:00: 24 h before 09:00 is what counts."""
    make_shift("agent1", TUESDAY, "early")
    clock(at(MONDAY, 8, 59))
    assert ask(clients("agent"), start=str(TUESDAY), end=str(TUESDAY)).status_code == 201


# -- notice: special personal 1 h --------------------------------------------------------------------

def test_R_WFM_4_special_leave_one_hour_before_is_accepted(clients, clock, make_shift):
    make_shift("agent1", MONDAY, "late")  # 18:00 – 02:00
    clock(at(MONDAY, 17))
    response = ask(clients("agent"), kind="special_personal", start=at(MONDAY, 18).isoformat(),
                   end=at(MONDAY + dt.timedelta(days=1), 2).isoformat())
    assert response.status_code == 201, response.content


def test_R_WFM_4_special_leave_59_minutes_before_is_refused(clients, clock, make_shift):
    make_shift("agent1", MONDAY, "late")
    clock(at(MONDAY, 17, 1))
    refused(ask(clients("agent"), kind="special_personal", start=at(MONDAY, 18).isoformat(),
                end=at(MONDAY + dt.timedelta(days=1), 2).isoformat()), "start")
    assert not LeaveRequest.objects.exists()


# -- night shifts: before 12:00 that day --------------------------------------------------------------

def test_R_WFM_4_night_shift_leave_at_11_59_is_accepted(clients, clock, make_shift):
    make_shift("agent1", MONDAY, "night")  # 22:00 – 06:00
    clock(at(MONDAY, 11, 59, 59))
    response = ask(clients("agent"), kind="sick", start=at(MONDAY, 22).isoformat(),
                   end=at(TUESDAY, 6).isoformat())
    assert response.status_code == 201, response.content


def test_R_WFM_4_night_shift_leave_at_12_00_is_refused(clients, clock, make_shift):
    make_shift("agent1", MONDAY, "night")
    clock(at(MONDAY, 12))
    body = refused(ask(clients("agent"), kind="special_personal", start=at(MONDAY, 22).isoformat(),
                       end=at(TUESDAY, 6).isoformat()), "start")
    assert "12:00" in body["detail"]


def test_R_WFM_4_night_cutoff_is_a_rule_setting(demo, clients, clock, make_shift):
    from kefu.rules import services as rules

    rules.set_rule(actor=demo.users["admin"], key="workforce.night_leave_cutoff", value="14:00", version=0)
    make_shift("agent1", MONDAY, "night")
    clock(at(MONDAY, 13))
    assert ask(clients("agent"), kind="sick", start=at(MONDAY, 22).isoformat(),
               end=at(TUESDAY, 6).isoformat()).status_code == 201


# -- public holidays: 2 days' notice and the director ------------------------------------------------------

def test_R_WFM_4_holiday_leave_two_days_ahead_goes_to_the_director(clients, clock, make_shift, holiday):
    make_shift("agent1", holiday, "early")  # 2026-12-10 09:00
    clock(at(holiday - dt.timedelta(days=2), 9))
    response = ask(clients("agent"), kind="other", start=str(holiday), end=str(holiday))
    assert response.status_code == 201, response.content
    assert response.json()["approver_role"] == "director"
    assert response.json()["touches_holiday"] is True


def test_R_WFM_4_holiday_leave_less_than_two_days_ahead_is_refused(clients, clock, make_shift, holiday):
    make_shift("agent1", holiday, "early")
    clock(at(holiday - dt.timedelta(days=2), 9, 1))
    refused(ask(clients("agent"), kind="other", start=str(holiday), end=str(holiday)), "start")
    assert not LeaveRequest.objects.exists()


# -- approver by length -----------------------------------------------------------------------------

@pytest.mark.parametrize(("days", "role"), [(1, "head"), (2, "director")])
def test_R_WFM_4_approver_by_length(clients, clock, days, role):
    start = MONDAY + dt.timedelta(days=7)
    response = ask(clients("agent"), start=str(start), end=str(start + dt.timedelta(days=days - 1)))
    assert response.status_code == 201, response.content
    assert response.json()["approver_role"] == role
    assert response.json()["days"] == days


def test_R_WFM_4_head_limit_is_a_rule_setting(demo, clients, clock):
    from kefu.rules import services as rules

    rules.set_rule(actor=demo.users["admin"], key="workforce.head_leave_max_days", value=2, version=0)
    start = MONDAY + dt.timedelta(days=7)
    response = ask(clients("agent"), start=str(start), end=str(start + dt.timedelta(days=1)))
    assert response.json()["approver_role"] == "head"


# -- annual leave balance ------------------------------------------------------------------------------

def test_R_WFM_4_annual_leave_exactly_the_balance_is_accepted_one_more_day_refused(demo, clients, clock):
    services.set_annual_entitlement(actor=demo.users["head1"], person=demo.users["agent1"], year=2026, days=3)
    client = clients("agent")
    start = dt.date(2026, 12, 14)
    ok = ask(client, kind="annual", start=str(start), end=str(start + dt.timedelta(days=2)))
    assert ok.status_code == 201, ok.content
    body = refused(ask(client, kind="annual", start="2026-12-21", end="2026-12-21"), "end")
    assert "0" in body["detail"]
    assert LeaveRequest.objects.count() == 1


def test_R_WFM_4_annual_leave_over_the_entitlement_is_refused(demo, clients, clock):
    services.set_annual_entitlement(actor=demo.users["head1"], person=demo.users["agent1"], year=2026, days=3)
    refused(ask(clients("agent"), kind="annual", start="2026-12-14", end="2026-12-17"), "end")
    assert not LeaveRequest.objects.exists()


def test_R_WFM_4_cancelled_annual_leave_returns_to_the_balance(demo, clients, clock):
    services.set_annual_entitlement(actor=demo.users["head1"], person=demo.users["agent1"], year=2026, days=1)
    client = clients("agent")
    first = ask(client, kind="annual", start="2026-12-14", end="2026-12-14").json()
    assert call(client, "post", f"/leave-requests/{first['id']}/cancel", {}).status_code == 200
    assert ask(client, kind="annual", start="2026-12-15", end="2026-12-15").status_code == 201


# -- who files -------------------------------------------------------------------------------------------

def test_R_WFM_4_lead_filing_short_notice_leave_counts_as_the_managers_approval(demo, clients, clock, make_shift):
    make_shift("agent1", TUESDAY, "early")
    clock(at(MONDAY, 15))  # 18 h before the shift: the person may not ask
    refused(ask(clients("agent"), start=at(TUESDAY, 9).isoformat(), end=at(TUESDAY, 18).isoformat()), "start")
    response = ask(clients("lead"), person="agent1", start=at(TUESDAY, 9).isoformat(),
                   end=at(TUESDAY, 18).isoformat())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["manager_approved"] is True and body["filed_by"] == "lead1"
    assert body["status"] == "pending" and body["approver_role"] == "head"  # the lead is not the approver


def test_R_WFM_4_head_filing_it_approves_it_at_once_and_frees_the_shift(demo, clients, clock, make_shift):
    shift = make_shift("agent1", TUESDAY, "early")
    clock(at(MONDAY, 15))
    response = ask(clients("head"), person="agent1", start=at(TUESDAY, 9).isoformat(), end=at(TUESDAY, 18).isoformat())
    assert response.json()["status"] == "approved"
    shift.refresh_from_db()
    assert shift.leave_id == response.json()["id"]


def test_R_WFM_4_personal_leave_with_enough_notice_is_asked_by_the_person(demo, clients, clock, make_shift):
    make_shift("agent1", TUESDAY + dt.timedelta(days=1), "early")
    refused(ask(clients("lead"), person="agent1", start="2026-12-09", end="2026-12-09"), "person")
    assert not LeaveRequest.objects.exists()


def test_R_WFM_4_sick_leave_may_be_filed_for_the_person(demo, clients, clock, make_shift):
    make_shift("agent1", MONDAY, "early")
    clock(at(MONDAY, 9, 30))
    response = ask(clients("lead"), person="agent1", kind="sick", start=str(MONDAY), end=str(MONDAY))
    assert response.status_code == 201, response.content
    assert response.json()["person"] == "agent1"


def test_an_agent_asks_leave_only_for_themselves(demo, clients, clock):
    response = ask(clients("agent"), person="agent2", kind="sick", start="2026-12-14", end="2026-12-14")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "person"
    assert not LeaveRequest.objects.exists()


def test_bad_input_names_the_field(clients, clock):
    response = ask(clients("agent"), kind="holiday", start="2026-12-14", end="2026-12-13", reason="")
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"kind", "reason"} <= fields
    response = ask(clients("agent"), start="2026-12-14T10:00+08:00", end="2026-12-14T09:00+08:00")
    assert "end" in {e["field"] for e in response.json()["errors"]}
    assert not LeaveRequest.objects.exists()


def test_overlapping_leave_is_refused(clients, clock):
    client = clients("agent")
    assert ask(client, start="2026-12-14", end="2026-12-15").status_code == 201
    response = ask(client, kind="sick", start="2026-12-15", end="2026-12-15")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "start"


# -- cancellation ----------------------------------------------------------------------------------------

def test_R_WFM_4_cancel_before_the_start_frees_nothing_more_and_gives_the_shift_back(demo, clients, clock, make_shift):
    shift = make_shift("agent1", dt.date(2026, 12, 14), "early")
    head = clients("head")
    leave = ask(clients("agent"), start="2026-12-14", end="2026-12-14").json()
    assert call(head, "post", f"/leave-requests/{leave['id']}/approve", {}).status_code == 200
    shift.refresh_from_db()
    assert shift.leave_id == leave["id"]
    response = call(clients("agent"), "post", f"/leave-requests/{leave['id']}/cancel", {})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    shift.refresh_from_db()
    assert shift.leave_id is None


def test_R_WFM_4_cancel_after_the_start_is_refused(demo, clients, clock):
    leave = ask(clients("agent"), start="2026-12-14", end="2026-12-14").json()
    clock(at(dt.date(2026, 12, 14), 0, 0, 1))
    response = call(clients("agent"), "post", f"/leave-requests/{leave['id']}/cancel", {})
    assert response.status_code == 422 and response.json()["rule"] == "R-WFM-4"
    assert LeaveRequest.objects.get().status == "pending"


@pytest.mark.parametrize(("start", "end", "days", "role"), [
    ("2026-12-14T22:00+08:00", "2026-12-15T06:00+08:00", 1, "head"),  # a night shift across midnight
    ("2026-12-14T00:00+08:00", "2026-12-15T00:00+08:00", 1, "head"),
    ("2026-12-14T00:00+08:00", "2026-12-15T00:01+08:00", 2, "director"),  # just past one day
    ("2026-12-14T09:00+08:00", "2026-12-15T18:00+08:00", 2, "director"),
])
def test_R_WFM_4_length_of_leave_decides_the_approver_at_the_one_day_boundary(clients, clock, start, end, days, role):
    body = ask(clients("agent"), kind="sick", start=start, end=end).json()
    assert (body["days"], body["approver_role"]) == (days, role)


@pytest.mark.parametrize(("start", "end", "needs"), [
    ("2026-12-14", "2026-12-14", True),  # a full day
    ("2026-12-14T09:00+08:00", "2026-12-14T13:00+08:00", False),  # half a day
])
def test_R_WFM_4_sick_leave_of_a_full_day_needs_a_certificate(clients, clock, start, end, needs):
    body = ask(clients("agent"), kind="sick", start=start, end=end).json()
    assert body["needs_certificate"] is needs and body["has_certificate"] is False


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-12-14", "9999-12-31", "end"),  # the day after overflows the calendar
    ("0001-01-01", "2026-12-14", "end"),  # far too long for one request
    ("2026-13-45", "2026-12-14", "start"),
    ("2026-12-14", "2027-12-16", "end"),  # more than 366 days
])
def test_leave_dates_out_of_range_are_a_422_naming_the_field(clients, clock, start, end, field):
    response = ask(clients("agent"), kind="other", start=start, end=end)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not LeaveRequest.objects.exists()
