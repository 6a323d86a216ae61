"""R-TIC-3 × R-WFM-1: automatic assignment takes the agents whose PUBLISHED shift covers now (not freed by
leave) and who are not on a break (暂停接单); without any roster today it falls back to the desk toggle."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.tickets import services as tickets
from kefu.tickets.assignment import set_on_duty
from kefu.workforce import services
from kefu.workforce.models import AwayPeriod, LeaveRequest, Shift
from kefu.workforce.selectors import duty
from kefu.workforce.services import breaks
from kefu.workforce.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def incoming(demo):
    """A ticket from the shop platform's integration account: assigned automatically (R-TIC-3)."""
    def make(shop="tmall", **extra):
        return tickets.create_ticket(actor=demo.users["admin"], shop=demo.shops[shop], type="query",
                                     channel="api", title="物流查询", **extra)
    return make


def custom_shift(demo, username, day, start, end, status="published"):
    lead = "lead1" if demo.users[username].team_id == demo.teams[0].pk else "lead2"
    return services.create_shift(actor=demo.users[lead], person=demo.users[username], date=day, kind="custom",
                                 start=start, end=end, status=status)


def toggle_on(demo, *usernames):
    for name in usernames:
        set_on_duty(actor=demo.users[name], on_duty=True)


def approved_leave(demo, username, start_at, end_at):
    person = demo.users[username]
    leave = LeaveRequest.objects.create(person=person, kind="personal", start_at=start_at, end_at=end_at,
                                        reason="家里有事", status=LeaveRequest.Status.APPROVED,
                                        approver_role="head", filed_by=person)
    Shift.objects.filter(person=person, start_at__lt=end_at, end_at__gt=start_at).update(leave=leave)
    return leave


def test_r_tic_3_roster_assigns_only_people_on_a_published_shift_now(demo, clock, make_shift, incoming):
    make_shift("agent1", MONDAY)  # 09:00-18:00, under way at 09:00
    custom_shift(demo, "agent2", MONDAY, dt.time(0, 0), dt.time(8, 59))  # ended a minute ago
    custom_shift(demo, "agent3", MONDAY, dt.time(8, 0), dt.time(17, 0), status="draft")  # not published
    toggle_on(demo, "agent2", "agent3", "agent4")  # the toggle does not matter when there is a roster
    owners = {incoming().owner.username for _ in range(3)}
    assert owners == {"agent1"}
    assert duty.on_shift_person_ids(at(MONDAY, 9)) == {demo.users["agent1"].pk}


def test_r_tic_3_a_shift_ending_a_minute_ago_does_not_count(demo, clock, make_shift, incoming):
    make_shift("agent1", MONDAY)  # 09:00-18:00
    make_shift("agent2", MONDAY, "late")  # 18:00-02:00
    clock(at(MONDAY, 17, 59))
    assert incoming().owner == demo.users["agent1"]
    clock(at(MONDAY, 18, 1))
    assert incoming().owner == demo.users["agent2"]
    assert duty.on_shift_person_ids(at(MONDAY, 18, 1)) == {demo.users["agent2"].pk}
    assert duty.on_shift_person_ids(at(MONDAY, 18, 0)) == {demo.users["agent2"].pk}  # an end is exclusive


def test_r_tic_3_a_shift_freed_by_leave_does_not_count(demo, clock, make_shift, incoming):
    make_shift("agent1", MONDAY)
    make_shift("agent2", MONDAY)
    approved_leave(demo, "agent1", at(MONDAY, 9), at(MONDAY, 18))
    owners = {incoming().owner.username for _ in range(2)}
    assert owners == {"agent2"}


def test_r_tic_3_nobody_on_shift_now_leaves_the_ticket_in_the_queue(demo, clock, make_shift, incoming):
    make_shift("agent1", MONDAY, "late")  # later today: the roster applies, so the toggle does not
    toggle_on(demo, "agent3")
    assert incoming().owner is None


def test_r_tic_3_a_break_takes_the_person_out_of_assignment(demo, clock, make_shift, incoming):
    make_shift("agent1", MONDAY)
    make_shift("agent2", MONDAY)
    clock(at(MONDAY, 10))
    breaks.start_break(actor=demo.users["agent1"], reason="洗手间")
    assert duty.on_break_person_ids(at(MONDAY, 10, 5)) == {demo.users["agent1"].pk}
    clock(at(MONDAY, 10, 5))
    assert {incoming().owner.username for _ in range(2)} == {"agent2"}
    breaks.end_break(actor=demo.users["agent1"])
    assert incoming().owner == demo.users["agent1"]  # back, with the lowest load


def test_r_tic_3_without_any_roster_today_the_desk_toggle_decides(demo, clock, incoming):
    toggle_on(demo, "agent3")
    assert incoming().owner == demo.users["agent3"]
    set_on_duty(actor=demo.users["agent3"], on_duty=False)
    assert incoming().owner is None


def test_r_tic_3_a_roster_of_another_day_does_not_stop_the_fallback(demo, clock, make_shift, incoming):
    make_shift("agent1", MONDAY + dt.timedelta(days=2))
    toggle_on(demo, "agent3")
    assert incoming().owner == demo.users["agent3"]


def test_r_wfm_5_the_desk_toggle_pauses_taking_tickets_on_shift(demo, clock, clients, make_shift):
    from kefu.audit.models import AuditEvent

    make_shift("agent1", MONDAY)
    agent = clients("agent")
    page = agent.get("/tickets/").content.decode()
    assert 'data-state="taking"' in page  # on shift: taking tickets without touching the toggle
    assert agent.post("/tickets/on-duty/", {"on_duty": "0"}).status_code == 302
    period = AwayPeriod.objects.get(person=demo.users["agent1"])
    assert period.end_at is None and period.start_at == at(MONDAY, 9) and period.shift is not None
    clock(at(MONDAY, 9, 12))
    page = agent.get("/tickets/").content.decode()
    assert 'data-state="break"' in page and "12" in page
    agent.post("/tickets/on-duty/", {"on_duty": "1"})
    period.refresh_from_db()
    assert period.end_at == at(MONDAY, 9, 12)
    assert AuditEvent.objects.filter(object_type="workforce.awayperiod").count() == 2
    assert 'data-state="taking"' in agent.get("/tickets/").content.decode()


def test_r_wfm_5_off_shift_the_toggle_starts_no_break(demo, clock, clients):
    agent = clients("agent")
    assert 'data-state="off"' in agent.get("/tickets/").content.decode()
    agent.post("/tickets/on-duty/", {"on_duty": "1"})
    assert 'data-state="taking"' in agent.get("/tickets/").content.decode()
    agent.post("/tickets/on-duty/", {"on_duty": "0"})
    assert not AwayPeriod.objects.exists()
    assert 'data-state="off"' in agent.get("/tickets/").content.decode()


def test_on_shift_selector_is_one_query(demo, clock, make_shift, django_assert_num_queries):
    for name in ("agent1", "agent2", "agent3"):
        make_shift(name, MONDAY)
    with django_assert_num_queries(1):
        ids = duty.on_shift_person_ids(at(MONDAY, 10), [demo.users["agent1"].pk, demo.users["agent2"].pk])
    assert ids == {demo.users["agent1"].pk, demo.users["agent2"].pk}
