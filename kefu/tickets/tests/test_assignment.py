"""R-TIC-3 automatic assignment of tickets that come in without a person (API integration, web form):
round-robin or lowest open load among the on-duty agents of the teams serving the shop, each agent up
to a cap; with nobody available the ticket waits in the shop's queue."""

import pytest

from kefu.tickets import selectors, services
from kefu.tickets.assignment import set_on_duty
from kefu.tickets.models import AgentAvailability, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duty(demo):
    def put(*usernames, cap=None):
        for name in usernames:
            avail = set_on_duty(actor=demo.users[name], on_duty=True)
            if cap is not None:
                AgentAvailability.objects.filter(pk=avail.pk).update(max_open=cap)
    return put


@pytest.fixture
def incoming(demo):
    """A ticket from the shop platform's integration account (no service role: nobody took the contact)."""
    def make(shop="tmall", **extra):
        return services.create_ticket(actor=demo.users["admin"], shop=demo.shops[shop], type="query",
                                      channel="api", title="物流查询", **extra)
    return make


def give(demo, make_ticket, username, n):
    for _ in range(n):
        make_ticket(actor=username)


def test_r_tic_3_lowest_load_among_agents_on_duty(demo, make_ticket, incoming, on_duty, notified,
                                                  django_capture_on_commit_callbacks):
    on_duty("agent1", "agent2", "agent4")
    give(demo, make_ticket, "agent1", 2)
    give(demo, make_ticket, "agent2", 1)
    give(demo, make_ticket, "agent4", 3)
    give(demo, make_ticket, "agent3", 0)  # agent3 has no load but is off duty
    with django_capture_on_commit_callbacks(execute=True):
        ticket = incoming()
    assert ticket.owner == demo.users["agent2"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="assignment", data__automatic=True).exists()
    assert notified("ticket_assigned", ticket) == {"agent2"}


def test_r_tic_3_closed_tickets_do_not_count_as_load(demo, make_ticket, incoming, on_duty):
    on_duty("agent1", "agent2")
    give(demo, make_ticket, "agent2", 1)
    for _ in range(2):
        t = make_ticket(actor="agent1")
        services.transition(actor=demo.users["agent1"], ticket_id=t.pk, to="resolved", version=t.version)
    assert incoming().owner == demo.users["agent1"]


def test_r_tic_3_round_robin_takes_turns(demo, incoming, on_duty, set_rules, make_ticket):
    set_rules(tickets__assignment_mode="round_robin")
    on_duty("agent1", "agent2", "agent3")
    give(demo, make_ticket, "agent1", 5)  # load does not matter in round-robin
    owners = [incoming().owner.username for _ in range(6)]
    assert owners[:3] == sorted(owners[:3]) and set(owners[:3]) == {"agent1", "agent2", "agent3"}
    assert owners[3:] == owners[:3]


def test_r_tic_3_an_agent_at_their_cap_is_skipped(demo, make_ticket, incoming, on_duty):
    on_duty("agent1", cap=2)
    on_duty("agent2")
    give(demo, make_ticket, "agent1", 2)
    give(demo, make_ticket, "agent2", 5)
    assert incoming().owner == demo.users["agent2"]  # agent1 has less load but reached their cap


def test_r_tic_3_one_below_the_cap_still_gets_work(demo, make_ticket, incoming, on_duty):
    on_duty("agent1", cap=2)
    give(demo, make_ticket, "agent1", 1)
    assert incoming().owner == demo.users["agent1"]
    assert incoming().owner is None  # now at the cap: the next waits in the queue


def test_r_tic_3_the_centre_wide_cap_applies(demo, make_ticket, incoming, on_duty, set_rules):
    set_rules(tickets__max_open_per_agent=1)
    on_duty("agent1")
    give(demo, make_ticket, "agent1", 1)
    assert incoming().owner is None


def test_r_tic_3_nobody_on_duty_leaves_it_in_the_queue(demo, incoming):
    ticket = incoming()
    assert ticket.owner is None and ticket.status == "new"
    assert ticket in list(selectors.queue(demo.users["lead1"]))


def test_r_tic_3_off_duty_again_gets_nothing(demo, incoming, on_duty):
    on_duty("agent1")
    set_on_duty(actor=demo.users["agent1"], on_duty=False)
    assert incoming().owner is None


def test_r_tic_3_only_agents_of_the_teams_serving_the_shop(demo, incoming, on_duty):
    from kefu.org.services import ensure_shop

    shop = ensure_shop(actor=None, centre=demo.centre, code="douyin", name="抖音店")
    demo.teams[1].shops.add(shop)  # only 二班 serves it
    on_duty("agent1", "agent5")
    ticket = services.create_ticket(actor=demo.users["admin"], shop=shop, type="query", channel="api", title="x")
    assert ticket.owner == demo.users["agent5"]


def test_r_tic_3_manual_mode_leaves_it_in_the_queue(demo, incoming, on_duty, set_rules):
    set_rules(tickets__assignment_mode="manual")
    on_duty("agent1")
    assert incoming().owner is None
    assert Ticket.objects.filter(owner__isnull=True).count() == 1
