"""R-TIC-6 请示报告: agent → team lead → department head → centre director, one level at a time; an
emergency may skip levels (recorded, and the skipped levels are told afterwards); a time-limit breach
and a VIP customer's complaint escalate automatically."""

import datetime as dt

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, RuleViolation
from kefu.tickets import jobs, services
from kefu.tickets.models import Escalation, Ticket

pytestmark = pytest.mark.django_db


def _state(ticket):
    ticket.refresh_from_db()
    return ticket.escalation_level, ticket.version, Escalation.objects.filter(ticket=ticket).count()


def test_r_tic_6_one_level_at_a_time_in_order(demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    assert ticket.escalation_level == "agent"
    expected_people = {"lead": {"lead1"}, "head": {"head1"}, "director": {"director1"}}
    actors = {"lead": "agent1", "head": "lead1", "director": "head1"}
    for level in ("lead", "head", "director"):
        with django_capture_on_commit_callbacks(execute=True):
            esc = services.escalate(actor=demo.users[actors[level]], ticket_id=ticket.pk, reason="客户要求上级处理")
        ticket.refresh_from_db()
        assert ticket.escalation_level == level
        assert esc.to_level == level and esc.skipped == [] and not esc.emergency and not esc.automatic
        assert notified("escalation", ticket) >= expected_people[level]
    assert [e.to_level for e in Escalation.objects.filter(ticket=ticket).order_by("id")] == ["lead", "head", "director"]
    assert notified("escalation_skipped") == set()
    # the director is the last level
    before = _state(ticket)
    with pytest.raises(RuleViolation) as exc:
        services.escalate(actor=demo.users["director1"], ticket_id=ticket.pk, reason="再上报")
    assert exc.value.rule == "R-TIC-6"
    assert _state(ticket) == before


def test_r_tic_6_the_owner_may_escalate_step_by_step(demo, make_ticket):
    ticket = make_ticket()
    for level in ("lead", "head", "director"):
        services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, reason="上报")
        assert Ticket.objects.get(pk=ticket.pk).escalation_level == level


@pytest.mark.parametrize("to_level", ["head", "director"])
def test_r_tic_6_skipping_a_level_without_an_emergency_is_refused(demo, make_ticket, to_level):
    ticket = make_ticket()
    before = _state(ticket)
    with pytest.raises(RuleViolation) as exc:
        services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, reason="越级", to_level=to_level)
    assert exc.value.rule == "R-TIC-6"
    assert _state(ticket) == before


def test_r_tic_6_next_level_named_explicitly_is_fine(demo, make_ticket):
    ticket = make_ticket()
    services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, reason="上报", to_level="lead")
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == "lead"


def test_r_tic_6_emergency_skip_is_recorded_and_skipped_levels_are_told(
        demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        esc = services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, reason="重大舆情，媒体介入",
                                emergency=True, to_level="director")
    ticket.refresh_from_db()
    assert ticket.escalation_level == "director"
    assert esc.emergency and esc.skipped == ["lead", "head"] and esc.by == demo.users["agent1"]
    assert notified("escalation", ticket) == {"director1"}
    assert notified("escalation_skipped", ticket) == {"lead1", "head1"}
    audit = AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk),
                                      after__escalation_level="director").get()
    assert audit.note == "emergency" and audit.actor == demo.users["agent1"]


def test_r_tic_6_emergency_to_a_nearer_level(demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, reason="紧急", emergency=True,
                          to_level="head")
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == "head"
    assert notified("escalation_skipped", ticket) == {"lead1"}


@pytest.mark.parametrize("to_level", ["agent", "lead"])
def test_r_tic_6_never_down_or_sideways(demo, make_ticket, to_level):
    ticket = make_ticket()
    services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, reason="上报")
    before = _state(ticket)
    with pytest.raises((RuleViolation, InvalidInput)):
        services.escalate(actor=demo.users["lead1"], ticket_id=ticket.pk, reason="x", emergency=True,
                          to_level=to_level)
    assert _state(ticket) == before


@pytest.mark.parametrize(("kwargs", "field"), [({"reason": " "}, "reason"),
                                               ({"reason": "x", "to_level": "boss"}, "to_level")])
def test_r_tic_6_bad_input_names_the_field(demo, make_ticket, kwargs, field):
    ticket = make_ticket()
    before = _state(ticket)
    with pytest.raises(InvalidInput) as exc:
        services.escalate(actor=demo.users["agent1"], ticket_id=ticket.pk, **kwargs)
    assert [e.field for e in exc.value.errors] == [field]
    assert _state(ticket) == before


@pytest.mark.parametrize("who", ["agent2", "lead2", "qa1"])
def test_r_tic_6_others_may_not_escalate(demo, make_ticket, who):
    ticket = make_ticket()
    before = _state(ticket)
    with pytest.raises(NotAllowed):
        services.escalate(actor=demo.users[who], ticket_id=ticket.pk, reason="x")
    assert _state(ticket) == before


def test_r_tic_6_breach_escalates_automatically(demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket(priority="urgent")
    services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    ticket.refresh_from_db()
    last_action = ticket.last_action_at
    # just before the breach: a warning at most, no escalation
    with django_capture_on_commit_callbacks(execute=True):
        jobs.scan_sla(now=ticket.resolution_due - dt.timedelta(seconds=1))
    ticket.refresh_from_db()
    assert ticket.sla_state == "warning" and ticket.escalation_level == "agent"
    assert notified("sla_warning", ticket) == {"agent1"}
    with django_capture_on_commit_callbacks(execute=True):
        counts = jobs.scan_sla(now=ticket.resolution_due)
    ticket.refresh_from_db()
    assert counts["breached"] == 1 and counts["escalated"] == 1
    assert ticket.sla_state == "breached" and ticket.escalation_level == "lead"
    esc = Escalation.objects.get(ticket=ticket)
    assert esc.automatic and esc.by is None and esc.from_level == "agent"
    assert notified("sla_breach", ticket) == {"agent1", "lead1"}
    assert "lead1" in notified("escalation", ticket)
    # the system's escalation is not an action by a person: the stuck clock keeps running (R-TIC-5)
    assert ticket.last_action_at == last_action
    # running the job again changes nothing
    jobs.scan_sla(now=ticket.resolution_due + dt.timedelta(hours=1))
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_r_tic_6_breach_escalation_can_be_switched_off(demo, make_ticket, set_rules):
    set_rules(tickets__escalate_on_breach=False)
    ticket = make_ticket(priority="urgent")
    jobs.scan_sla(now=ticket.resolution_due)
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached" and ticket.escalation_level == "agent"


def test_r_tic_6_vip_complaint_goes_to_the_lead_at_once(
        demo, make_ticket, make_customer, notified, django_capture_on_commit_callbacks):
    vip = make_customer(phones=["13800138000"], tier="vip")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(type="complaint", severity="serious", customer_id=vip.pk)
    assert ticket.escalation_level == "lead"
    esc = Escalation.objects.get(ticket=ticket)
    assert esc.automatic and esc.to_level == "lead"
    assert "lead1" in notified("escalation", ticket)


@pytest.mark.parametrize(("type_", "tier"), [("complaint", "normal"), ("consultation", "vip")])
def test_r_tic_6_other_tickets_are_not_escalated_at_creation(demo, make_ticket, make_customer, type_, tier):
    customer = make_customer(tier=tier)
    ticket = make_ticket(type=type_, customer_id=customer.pk)
    assert ticket.escalation_level == "agent"
    assert not Escalation.objects.exists()


def test_r_tic_6_vip_rule_can_be_switched_off(demo, make_ticket, make_customer, set_rules):
    set_rules(tickets__escalate_vip_complaint=False)
    vip = make_customer(tier="vip")
    assert make_ticket(type="complaint", customer_id=vip.pk).escalation_level == "agent"
