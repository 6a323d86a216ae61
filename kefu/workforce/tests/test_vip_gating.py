"""R-ORG-3 levels gate skills: only silver (银牌) and above take VIP customers, and automatic assignment (R-TIC-3)
goes by it; with no silver+ agent on duty a VIP ticket waits in the queue."""

from __future__ import annotations

import pytest

from kefu.tickets import services as tickets
from kefu.workforce.models import Level, WorkerProfile
from kefu.workforce.selectors import duty
from kefu.workforce.tests.conftest import MONDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder(demo):
    """The shipped ladder (migration 0005): only silver (rank 3) opens "vip"."""
    levels = {level.code: level for level in Level.objects.all()}
    assert [(c, levels[c].rank) for c in ("iron", "silver", "gold")] == [("iron", 1), ("silver", 3), ("gold", 4)]
    assert levels["silver"].skills == ["vip"] and not any("vip" in levels[c].skills for c in ("trial", "iron"))

    def give(username, code):
        WorkerProfile.objects.update_or_create(person=demo.users[username], defaults={"level": levels[code]})

    give.levels = levels
    return give


@pytest.fixture
def vip_customer(demo):
    from kefu.customers.models import Customer
    from kefu.customers.services import create_customer

    customer = create_customer(actor=demo.users["agent1"], shop=demo.shops["tmall"], name="钱总",
                               phones=["13800138001"], need_status="target")
    Customer.objects.filter(pk=customer.pk).update(value_tier="vip")
    return customer


def incoming(demo, **extra):
    return tickets.create_ticket(actor=demo.users["admin"], shop=demo.shops["tmall"], type="query", channel="api",
                                 title="物流查询", **extra)


def test_r_org_3_vip_ticket_goes_to_silver_not_iron(demo, clock, make_shift, ladder, vip_customer):
    ladder("agent1", "iron")
    ladder("agent2", "silver")
    make_shift("agent1", MONDAY)
    make_shift("agent2", MONDAY)
    incoming(demo)  # an ordinary ticket: lowest load, agent1 first
    assert incoming(demo, customer_id=vip_customer.pk).owner == demo.users["agent2"]
    assert incoming(demo, customer_id=vip_customer.pk).owner == demo.users["agent2"]  # never the iron agent


def test_r_org_3_vip_ticket_waits_when_only_iron_is_on_duty(demo, clock, make_shift, ladder, vip_customer):
    ladder("agent1", "iron")
    ladder("agent2", "silver")
    make_shift("agent1", MONDAY)
    ticket = incoming(demo, customer_id=vip_customer.pk)
    assert ticket.owner is None and ticket.status == "new"
    assert incoming(demo).owner == demo.users["agent1"]  # ordinary tickets still go to iron


def test_r_org_3_people_allowed_a_gated_skill(demo, ladder):
    for username, code in (("agent1", "trial"), ("agent2", "iron"), ("agent3", "silver"), ("agent4", "gold")):
        ladder(username, code)
    ids = {demo.users[name].pk for name in ("agent1", "agent2", "agent3", "agent4", "agent5")}  # agent5: no level
    assert duty.people_allowed_skill("vip", ids) == {demo.users["agent3"].pk, demo.users["agent4"].pk}
    assert duty.people_allowed_skill("phone", ids) == ids  # ungated: everyone
    assert duty.people_allowed_skill("vip", []) == set()


def test_r_org_3_without_any_level_gating_vip_everyone_takes_vip(demo, clock, make_shift, vip_customer):
    Level.objects.update(skills=[])
    make_shift("agent1", MONDAY)
    assert incoming(demo, customer_id=vip_customer.pk).owner == demo.users["agent1"]
