"""R-WFM-3 shift swaps (换班) through the service, every condition at its boundary: at most 2 swaps a month
each (pending ones count), no swapped shifts on consecutive days, no 连班 after the exchange (8 h, across
midnight too), same work type, comparable level, no public holidays; approval by both team leads (one when
both are in one team) with the rules checked again; pay-back (还班); no leave over a swapped shift; an
uncovered swap is absence for both. Every refusal names R-WFM-3 and the field, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from kefu.notifications.models import Notification
from kefu.workforce import services
from kefu.workforce.models import Level, Shift, ShiftSwap, Violation, WorkerProfile
from kefu.workforce.services import swaps
from kefu.workforce.tests.conftest import MONDAY, at

NEXT_MONDAY = MONDAY + dt.timedelta(days=7)  # 2026-12-14


def day(n: int) -> dt.date:
    return NEXT_MONDAY + dt.timedelta(days=n)


def state():
    return (list(ShiftSwap.objects.order_by("pk").values_list("pk", "status", "requester_lead_approved_by",
                                                                "counterpart_lead_approved_by", "paid_back", "version")),
            list(Shift.objects.order_by("pk").values_list("pk", "person_id", "team_id", "swap_id", "leave_id")),
            AuditEvent.objects.count(), Notification.objects.count())


@pytest.fixture
def add(demo, clock):
    """``add("agent2", date, "09:00", "18:00")``: a published shift put on the roster by the person's manager."""

    def make(username: str, date: dt.date, start: str = "09:00", end: str = "18:00", shift_type=None) -> Shift:
        start_t, end_t = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
        return services.create_shift(actor=demo.users["head1"], person=demo.users[username], date=date,
                                     kind="day" if end_t > start_t else "night", start=start_t, end=end_t,
                                     shift_type=shift_type)

    return make


@pytest.fixture
def ask(demo):
    def make(username: str, shift: Shift, with_shift: Shift, **kwargs) -> ShiftSwap:
        kwargs.setdefault("reason", "家里有事")
        return swaps.request_swap(actor=demo.users[username], shift_id=shift.pk, with_shift_id=with_shift.pk,
                                  **kwargs)

    return make


def refused(fn, *args, field: str, **kwargs) -> RuleViolation:
    before = state()
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert info.value.rule == "R-WFM-3"
    assert field in [e.field for e in info.value.errors], info.value.errors
    assert state() == before  # nothing changed
    return info.value


def approve(demo, username: str, swap: ShiftSwap) -> ShiftSwap:
    swap.refresh_from_db()
    return swaps.approve_swap(actor=demo.users[username], swap_id=swap.pk, version=swap.version)


# -- asking: who owns what ----------------------------------------------------------------------------------

def test_R_WFM_3_a_swap_is_asked_pending_and_the_colleague_and_leads_are_told(demo, add, ask):
    mine, theirs = add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00")
    swap = ask("agent1", mine, theirs)
    assert (swap.status, swap.requester, swap.counterpart) == ("pending", demo.users["agent1"], demo.users["agent2"])
    told = set(Notification.objects.values_list("recipient__username", "kind"))
    assert told == {("agent2", "swap_asked"), ("lead1", "swap_pending")}
    assert AuditEvent.objects.filter(object_type="workforce.shiftswap", action="create").count() == 1


def test_R_WFM_3_the_requester_owns_the_first_shift_and_not_the_second(demo, add, ask):
    a1, a2, a3 = add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00"), add("agent3", day(0), "10:00", "19:00")
    error = refused(ask, "agent1", a2, a3, field="shift_id")
    assert "agent2" in str(error.errors[0].message) or str(demo.users["agent2"]) in str(error.errors[0].message)
    refused(ask, "agent1", a1, add("agent1", day(2)), field="with_shift_id")  # with oneself


def test_R_WFM_3_both_shifts_published_future_and_not_freed_by_leave(demo, clock, add, ask):
    mine = add("agent1", day(0))
    draft = services.create_shift(actor=demo.users["lead1"], person=demo.users["agent2"], date=day(0),
                                  kind="day", start=dt.time(13), end=dt.time(22), status="draft")
    refused(ask, "agent1", mine, draft, field="with_shift_id")
    past = add("agent2", MONDAY + dt.timedelta(days=1))  # Tuesday of this week, clock on Monday
    clock(at(MONDAY + dt.timedelta(days=1), 9, 30))
    refused(ask, "agent1", mine, past, field="with_shift_id")
    freed = add("agent3", day(0), "13:00", "22:00")
    services.request_leave(actor=demo.users["head1"], person=demo.users["agent3"], kind="sick",
                           start_at=at(day(0), 0), end_at=at(day(1), 0), reason="发烧")
    refused(ask, "agent1", mine, freed, field="with_shift_id")


def test_bad_input_is_a_field_error_and_changes_nothing(demo, add, ask):
    mine = add("agent1", day(0))
    before = state()
    with pytest.raises(InvalidInput) as info:
        swaps.request_swap(actor=demo.users["agent1"], shift_id=mine.pk, with_shift_id=999999, reason=" ")
    assert {e.field for e in info.value.errors} == {"with_shift_id", "reason"}
    assert state() == before


# -- at most 2 a month, pending ones count ------------------------------------------------------------------

def test_R_WFM_3_the_third_swap_of_a_month_is_refused_pending_counts_next_month_allowed(demo, add, ask):
    first = ask("agent1", add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00"))
    approve(demo, "lead1", first)
    ask("agent1", add("agent1", day(2)), add("agent3", day(2), "13:00", "22:00"))  # still pending
    error = refused(ask, "agent1", add("agent1", day(4)), add("agent2", day(4), "13:00", "22:00"), field="shift_id")
    assert "2026-12" in str(error.errors[0].message)
    january = dt.date(2027, 1, 5)
    swap = ask("agent1", add("agent1", january), add("agent2", january, "13:00", "22:00"))
    assert swap.status == "pending"


def test_R_WFM_3_the_limit_counts_for_the_counterpart_too(demo, add, ask):
    ask("agent2", add("agent2", day(0)), add("agent3", day(0), "13:00", "22:00"))
    ask("agent2", add("agent2", day(2)), add("agent3", day(2), "13:00", "22:00"))
    refused(ask, "agent1", add("agent1", day(4)), add("agent2", day(4), "13:00", "22:00"), field="with_shift_id")


def test_R_WFM_3_a_refused_or_cancelled_swap_does_not_count(demo, add, ask):
    one = ask("agent1", add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00"))
    swaps.cancel_swap(actor=demo.users["agent1"], swap_id=one.pk, version=one.version)
    two = ask("agent1", add("agent1", day(2)), add("agent2", day(2), "13:00", "22:00"))
    swaps.reject_swap(actor=demo.users["lead1"], swap_id=two.pk, version=two.version, note="人手不够")
    ask("agent1", add("agent1", day(4)), add("agent2", day(4), "13:00", "22:00"))
    ask("agent1", add("agent1", day(6)), add("agent2", day(6), "13:00", "22:00"))


# -- no swapped shifts on consecutive days ------------------------------------------------------------------

def test_R_WFM_3_swapped_shifts_on_consecutive_days_refused_a_gap_of_one_day_allowed(demo, add, ask):
    ask("agent1", add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00"))
    error = refused(ask, "agent1", add("agent1", day(1)), add("agent3", day(1), "13:00", "22:00"), field="shift_id")
    assert "2026-12-14" in str(error.errors[0].message)
    swap = ask("agent1", add("agent1", day(2)), add("agent3", day(2), "13:00", "22:00"))
    assert swap.status == "pending"


def test_R_WFM_3_consecutive_days_count_for_the_counterpart_too(demo, add, ask):
    ask("agent2", add("agent2", day(0)), add("agent3", day(0), "13:00", "22:00"))
    refused(ask, "agent1", add("agent1", day(1)), add("agent2", day(1), "13:00", "22:00"), field="with_shift_id")


# -- 连班 after the exchange ---------------------------------------------------------------------------------

def test_R_WFM_3_rest_of_7h59_after_the_swap_refused_8h_allowed(demo, add, ask):
    add("agent1", day(0))  # 09:00-18:00, kept
    mine = add("agent1", day(1), "12:00", "16:00")
    early = add("agent2", day(1), "01:59", "06:00")
    error = refused(ask, "agent1", mine, early, field="with_shift_id")
    assert "8" in str(error.errors[0].message)
    swap = ask("agent1", mine, add("agent3", day(1), "02:00", "06:00"))
    assert swap.status == "pending"


def test_R_WFM_3_rest_across_midnight_after_a_night_shift(demo, add, ask):
    add("agent1", day(0), "22:00", "06:00")  # a night shift ending Tuesday 06:00
    mine = add("agent1", day(3))
    refused(ask, "agent1", mine, add("agent2", day(1), "13:59", "18:00"), field="with_shift_id")
    swap = ask("agent1", mine, add("agent3", day(1), "14:00", "18:00"))
    assert swap.status == "pending"


def test_R_WFM_3_the_counterpart_may_not_end_up_with_lianban_either(demo, add, ask):
    add("agent2", day(0))  # 09:00-18:00
    mine = add("agent1", day(1), "01:59", "06:00")
    error = refused(ask, "agent1", mine, add("agent2", day(3)), field="shift_id")
    assert str(demo.users["agent2"]) in str(error.errors[0].message)


def test_R_WFM_3_the_shift_given_away_does_not_count_for_the_rest(demo, add, ask):
    mine = add("agent1", day(0))  # 09:00-18:00 given away
    swap = ask("agent1", mine, add("agent2", day(0), "18:00", "02:00"))  # back to back with the one given
    assert swap.status == "pending"


# -- same work type, comparable level, no public holidays ---------------------------------------------------

def test_R_WFM_3_different_work_types_refused(demo, add, ask):
    phone = services.ensure_shift_type(actor=None, centre=demo.centre, code="phone", name="电话早班", kind="day",
                                       start=dt.time(9), end=dt.time(18), work_type="phone")
    chat = services.ensure_shift_type(actor=None, centre=demo.centre, code="chat", name="在线早班", kind="day",
                                      start=dt.time(9), end=dt.time(18), work_type="online")
    mine = add("agent1", day(0), shift_type=phone)
    error = refused(ask, "agent1", mine, add("agent2", day(0), shift_type=chat), field="with_shift_id")
    assert "phone" in str(error.errors[0].message) and "online" in str(error.errors[0].message)
    swap = ask("agent1", mine, add("agent3", day(0), shift_type=phone))
    assert swap.status == "pending"


def _level(demo, username: str, rank: int) -> None:
    level = Level.objects.get(rank=rank)
    WorkerProfile.objects.update_or_create(person=demo.users[username], defaults={"level": level})


def test_R_WFM_3_level_gap_of_2_refused_1_allowed(demo, add, ask):
    _level(demo, "agent1", 2)  # 铜牌
    _level(demo, "agent3", 1)  # 铁牌; agent2 has no profile: rank 0
    mine = add("agent1", day(0))
    error = refused(ask, "agent1", mine, add("agent2", day(0), "13:00", "22:00"), field="with_shift_id")
    assert "2" in str(error.errors[0].message)
    swap = ask("agent1", mine, add("agent3", day(0), "13:00", "22:00"))
    assert swap.status == "pending"


def test_R_WFM_3_no_swap_on_an_official_public_holiday(demo, clock, add, ask):
    """2026-10-01 National Day of the packaged official calendar (it has no 2027 schedule yet)."""
    clock(at(dt.date(2026, 9, 21), 9))
    national_day, before = dt.date(2026, 10, 1), dt.date(2026, 9, 29)
    refused(ask, "agent1", add("agent1", national_day), add("agent2", before, "13:00", "22:00"), field="shift_id")
    refused(ask, "agent1", add("agent1", before), add("agent2", national_day, "13:00", "22:00"),
            field="with_shift_id")
    swap = ask("agent1", add("agent1", dt.date(2026, 9, 24)), add("agent2", dt.date(2026, 9, 24), "13:00", "22:00"))
    assert swap.status == "pending"


def test_R_WFM_3_no_swap_on_a_company_holiday_of_the_calendar(demo, holiday, add, ask):
    refused(ask, "agent1", add("agent1", holiday), add("agent2", holiday, "13:00", "22:00"), field="shift_id")


# -- approval -----------------------------------------------------------------------------------------------

def test_R_WFM_3_one_lead_approves_when_both_are_in_one_team_and_the_shifts_change_hands(demo, add, ask):
    mine, theirs = add("agent1", day(0)), add("agent2", day(2), "13:00", "22:00")
    swap = ask("agent1", mine, theirs)
    Notification.objects.all().delete()
    swap = approve(demo, "lead1", swap)
    assert swap.status == "approved" and swap.decided_by == demo.users["lead1"]
    assert swap.requester_lead_approved_by == swap.counterpart_lead_approved_by == demo.users["lead1"]
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.person, mine.swap) == (demo.users["agent2"], swap)
    assert (theirs.person, theirs.swap) == (demo.users["agent1"], swap)
    told = set(Notification.objects.values_list("recipient__username", "kind"))
    assert told == {("agent1", "swap_decided"), ("agent2", "swap_decided")}


def test_R_WFM_3_across_teams_both_leads_approve_and_the_teams_follow(demo, add, ask):
    mine, theirs = add("agent1", day(0)), add("agent4", day(2), "13:00", "22:00")
    swap = ask("agent1", mine, theirs)
    swap = approve(demo, "lead1", swap)
    assert swap.status == "pending" and swap.requester_lead_approved_by == demo.users["lead1"]
    assert swap.counterpart_lead_approved_by is None
    before = state()
    with pytest.raises(InvalidInput):  # the lead of 一班 cannot approve for 二班 alone
        approve(demo, "lead1", swap)
    assert state() == before
    swap = approve(demo, "lead2", swap)
    assert swap.status == "approved"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.person, mine.team) == (demo.users["agent4"], demo.teams[1])
    assert (theirs.person, theirs.team) == (demo.users["agent1"], demo.teams[0])


def test_R_WFM_3_the_lead_of_one_team_cannot_approve_a_swap_of_the_other(demo, add, ask):
    swap = ask("agent4", add("agent4", day(0)), add("agent5", day(0), "13:00", "22:00"))
    before = state()
    with pytest.raises(NotFound):
        approve(demo, "lead1", swap)
    assert state() == before
    assert approve(demo, "lead2", swap).status == "approved"


def test_R_WFM_3_a_head_approves_both_sides_an_agent_none(demo, add, ask):
    swap = ask("agent1", add("agent1", day(0)), add("agent4", day(0), "13:00", "22:00"))
    before = state()
    for who in ("agent1", "agent4"):
        with pytest.raises(NotAllowed):
            approve(demo, who, swap)
    assert state() == before
    assert approve(demo, "head1", swap).status == "approved"


def test_R_WFM_3_rules_are_checked_again_when_the_last_approval_comes(demo, add, ask):
    """Two swaps, each fine alone, would together give agent1 连班: the second approval is refused."""
    w = add("agent1", day(1), "04:00", "08:00")
    x = add("agent1", day(1), "21:00", "23:00")
    one = ask("agent1", x, add("agent2", day(1), "16:00", "20:00"))
    two = ask("agent1", w, add("agent3", day(1), "09:00", "13:00"))
    assert approve(demo, "lead1", one).status == "approved"
    before = state()
    with pytest.raises(RuleViolation) as info:
        approve(demo, "lead1", two)
    assert info.value.rule == "R-WFM-3"
    assert state() == before


def test_R_WFM_3_refused_with_a_note_and_cancelled_by_the_requester_only(demo, add, ask):
    swap = ask("agent1", add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00"))
    before = state()
    with pytest.raises(InvalidInput) as info:
        swaps.reject_swap(actor=demo.users["lead1"], swap_id=swap.pk, version=swap.version, note=" ")
    assert info.value.errors[0].field == "note"
    with pytest.raises(NotAllowed):
        swaps.cancel_swap(actor=demo.users["agent2"], swap_id=swap.pk, version=swap.version)
    assert state() == before
    Notification.objects.all().delete()
    swap = swaps.reject_swap(actor=demo.users["lead1"], swap_id=swap.pk, version=swap.version, note="人手不够")
    assert (swap.status, swap.decision_note) == ("rejected", "人手不够")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"agent1", "agent2"}
    with pytest.raises(InvalidInput):
        swaps.cancel_swap(actor=demo.users["agent1"], swap_id=swap.pk, version=swap.version)


# -- pay-back, leave, absence -------------------------------------------------------------------------------

def test_R_WFM_3_a_payback_in_the_other_direction_marks_the_earlier_swap_paid_back(demo, add, ask):
    earlier = ask("agent1", add("agent1", day(0)), add("agent2", day(0), "13:00", "22:00"))
    approve(demo, "lead1", earlier)
    wrong_way = refused(ask, "agent1", add("agent1", day(3)), add("agent2", day(3), "13:00", "22:00"),
                        payback_for_id=earlier.pk, field="payback_for")
    assert wrong_way.rule == "R-WFM-3"
    payback = ask("agent2", add("agent2", day(5)), add("agent1", day(5), "13:00", "22:00"), payback_for_id=earlier.pk)
    approve(demo, "lead1", payback)
    earlier.refresh_from_db()
    assert earlier.paid_back
    refused(ask, "agent2", add("agent2", day(8)), add("agent1", day(8), "13:00", "22:00"),
            payback_for_id=earlier.pk, field="payback_for")  # already paid back


def test_R_WFM_3_a_shift_obtained_by_swap_cannot_be_taken_as_leave(demo, add, ask):
    theirs = add("agent2", day(2), "13:00", "22:00")
    approve(demo, "lead1", ask("agent1", add("agent1", day(0)), theirs))
    before = state()
    for actor, kind in (("agent1", "personal"), ("head1", "sick")):
        with pytest.raises(RuleViolation) as info:
            services.request_leave(actor=demo.users[actor], person=demo.users["agent1"], kind=kind,
                                   start_at=at(day(2), 0), end_at=at(day(3), 0), reason="有事")
        assert info.value.rule == "R-WFM-3" and info.value.errors[0].field == "start"
    assert state() == before
    leave = services.request_leave(actor=demo.users["agent2"], person=demo.users["agent2"], kind="personal",
                                   start_at=at(day(2), 0), end_at=at(day(3), 0), reason="有事")
    assert leave.status == "pending"  # the one who gave the shift away has nothing there any more


def test_R_WFM_3_an_uncovered_swap_is_absence_for_both_once(demo, clock, add, ask):
    theirs = add("agent2", day(2), "13:00", "22:00")
    approve(demo, "lead1", ask("agent1", add("agent1", day(0)), theirs))
    clock(at(day(2), 22, 1))
    services.record_absences()
    absent = set(Violation.objects.filter(shift=theirs, kind="absence").values_list("person__username", "rule"))
    assert absent == {("agent1", "R-WFM-5"), ("agent2", "R-WFM-3")}
    clock(at(day(2), 22, 6))
    assert services.record_absences() == 0
    assert Violation.objects.filter(shift=theirs).count() == 2


def test_R_WFM_3_a_covered_swap_is_no_absence(demo, clock, add, ask):
    theirs = add("agent2", day(2), "13:00", "22:00")
    approve(demo, "lead1", ask("agent1", add("agent1", day(0)), theirs))
    services.record_attendance(actor=demo.users["lead1"], person=demo.users["agent1"], shift_id=theirs.pk,
                               check_in_at=at(day(2), 13))
    clock(at(day(2), 22, 1))
    services.record_absences()
    assert not Violation.objects.filter(shift=theirs).exists()
