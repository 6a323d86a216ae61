"""R-WFM-5 away time: a break (暂停接单) of ``workforce.away_minutes`` (20) or more within the shift and without
leave is a violation (kind AWAY), once per break, recorded when it ends or by the periodic job while it lasts;
the person and their lead are told. 19 minutes is none."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.errors import InvalidInput
from kefu.notifications.models import Notification
from kefu.workforce import tasks
from kefu.workforce.models import AwayPeriod, LeaveRequest, Violation
from kefu.workforce.services import breaks
from kefu.workforce.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


def _told():
    return set(Notification.objects.filter(kind="violation_recorded").values_list("recipient__username", flat=True))


def take_break(demo, clock, username, start, end=None):
    clock(start)
    breaks.start_break(actor=demo.users[username])
    if end is not None:
        clock(end)
        return breaks.end_break(actor=demo.users[username])
    return AwayPeriod.objects.get(person=demo.users[username], end_at__isnull=True)


def test_R_WFM_5_a_break_of_19_minutes_is_no_violation(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    period = take_break(demo, clock, "agent1", at(MONDAY, 10), at(MONDAY, 10, 19, 59))
    assert period.violation is None and not Violation.objects.exists()


def test_R_WFM_5_a_break_of_20_minutes_is_a_violation_told_to_the_person_and_lead(demo, clock, make_shift):
    shift = make_shift("agent1", MONDAY)
    period = take_break(demo, clock, "agent1", at(MONDAY, 10), at(MONDAY, 10, 20))
    violation = Violation.objects.get()
    assert (violation.kind, violation.rule, violation.shift, violation.person) == (
        "away", "R-WFM-5", shift, demo.users["agent1"])
    assert "20" in violation.evidence
    assert period.violation == violation
    assert _told() == {"agent1", "lead1"}


def test_R_WFM_5_the_away_threshold_is_a_setting(demo, clock, make_shift):
    from kefu.rules.selectors import clear_cache, rule_row
    from kefu.rules.services import set_rule

    set_rule(actor=demo.users["admin"], key="workforce.away_minutes", value=30,
             version=rule_row("workforce.away_minutes").version)
    clear_cache()
    make_shift("agent1", MONDAY)
    take_break(demo, clock, "agent1", at(MONDAY, 10), at(MONDAY, 10, 29))
    assert not Violation.objects.exists()
    take_break(demo, clock, "agent1", at(MONDAY, 11), at(MONDAY, 11, 30))
    assert Violation.objects.count() == 1


def test_R_WFM_5_only_the_time_within_the_shift_counts(demo, clock, make_shift):
    make_shift("agent1", MONDAY)  # until 18:00
    take_break(demo, clock, "agent1", at(MONDAY, 17, 45), at(MONDAY, 18, 30))  # 15 minutes of it on shift
    assert not Violation.objects.exists()


def test_R_WFM_5_a_break_covered_by_approved_leave_is_no_violation(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    person = demo.users["agent1"]
    LeaveRequest.objects.create(person=person, kind="special_personal", start_at=at(MONDAY, 10, 5),
                                end_at=at(MONDAY, 11), reason="去医院", status=LeaveRequest.Status.APPROVED,
                                approver_role="head", filed_by=person)
    take_break(demo, clock, "agent1", at(MONDAY, 10), at(MONDAY, 10, 40))  # 5 minutes without leave
    assert not Violation.objects.exists()


def test_R_WFM_5_the_job_records_a_break_still_under_way_once(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    take_break(demo, clock, "agent1", at(MONDAY, 10))
    clock(at(MONDAY, 10, 19))
    assert breaks.record_overlong_breaks() == 0
    clock(at(MONDAY, 10, 20))
    assert tasks.record_overlong_breaks.call_local() == 1
    clock(at(MONDAY, 10, 25))
    assert breaks.record_overlong_breaks() == 0
    clock(at(MONDAY, 10, 50))
    breaks.end_break(actor=demo.users["agent1"])
    assert Violation.objects.filter(kind="away").count() == 1  # once per break
    assert Notification.objects.filter(kind="violation_recorded").count() == 2


def test_R_WFM_5_a_break_needs_a_shift_under_way_and_only_one_at_a_time(demo, clock, make_shift):
    with pytest.raises(InvalidInput) as exc:
        breaks.start_break(actor=demo.users["agent1"])
    assert exc.value.errors[0].field == "shift"
    make_shift("agent1", MONDAY)
    breaks.start_break(actor=demo.users["agent1"])
    with pytest.raises(InvalidInput) as exc:
        breaks.start_break(actor=demo.users["agent1"])
    assert exc.value.errors[0].field == "break"
    with pytest.raises(InvalidInput) as exc:
        breaks.end_break(actor=demo.users["agent2"])
    assert exc.value.errors[0].field == "break"
    assert AwayPeriod.objects.count() == 1


def test_R_WFM_5_a_too_long_reason_is_refused_naming_the_field(demo, clock, make_shift):
    make_shift("agent1", MONDAY)
    with pytest.raises(InvalidInput) as exc:
        breaks.start_break(actor=demo.users["agent1"], reason="x" * 201)
    assert exc.value.errors[0].field == "reason"
    assert not AwayPeriod.objects.exists()


def test_R_WFM_5_a_break_is_audited(demo, clock, make_shift):
    from kefu.audit.models import AuditEvent

    make_shift("agent1", MONDAY)
    period = take_break(demo, clock, "agent1", at(MONDAY, 10), at(MONDAY, 10, 5))
    events = AuditEvent.objects.filter(object_type="workforce.awayperiod", object_id=str(period.pk))
    assert events.count() == 2
    assert period.end_at - period.start_at == dt.timedelta(minutes=5)
