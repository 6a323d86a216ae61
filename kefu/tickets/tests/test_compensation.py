"""R-TIC-7 灵活授权: compensation within one's authority (agent ≤ ¥50, lead ≤ ¥200, head ≤ ¥1,000,
director above) is approved at once; above it, it waits for a role that holds the authority."""

from decimal import Decimal

import pytest

from kefu.core.errors import InvalidInput, NotAllowed, RuleViolation
from kefu.tickets import services
from kefu.tickets.models import Compensation

pytestmark = pytest.mark.django_db

LIMITS = [("agent1", "50.00", "lead"), ("lead1", "200.00", "head"), ("head1", "1000.00", "director")]


@pytest.mark.parametrize(("who", "limit", "_next"), LIMITS)
def test_r_tic_7_exactly_at_the_authority_limit_is_approved(demo, make_ticket, who, limit, _next):
    ticket = make_ticket(type="complaint")
    comp = services.request_compensation(actor=demo.users[who], ticket_id=ticket.pk, amount=limit, reason="补偿运费")
    assert comp.status == "approved" and comp.amount == Decimal(limit)
    assert comp.decided_by == demo.users[who] and comp.required_role == ""


@pytest.mark.parametrize(("who", "limit", "next_role"), LIMITS)
def test_r_tic_7_one_fen_above_the_limit_needs_approval(demo, make_ticket, who, limit, next_role, notified,
                                                         django_capture_on_commit_callbacks):
    ticket = make_ticket(type="complaint")
    amount = Decimal(limit) + Decimal("0.01")
    with django_capture_on_commit_callbacks(execute=True):
        comp = services.request_compensation(actor=demo.users[who], ticket_id=ticket.pk, amount=amount,
                                             reason="补偿")
    assert comp.status == "pending" and comp.required_role == next_role and comp.decided_by is None
    approvers = {"lead": {"lead1"}, "head": {"head1"}, "director": {"director1"}}[next_role]
    assert notified("compensation", ticket) == approvers


def test_r_tic_7_director_has_no_limit(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    comp = services.request_compensation(actor=demo.users["director1"], ticket_id=ticket.pk, amount="100000.00",
                                         reason="重大投诉")
    assert comp.status == "approved"


@pytest.mark.parametrize(("amount", "approver", "refused_by"), [
    ("50.01", "lead1", "agent1"),
    ("200.00", "lead1", "agent1"),
    ("200.01", "head1", "lead1"),
    ("1000.00", "head1", "lead1"),
    ("1000.01", "director1", "head1"),
])
def test_r_tic_7_approval_by_a_role_with_enough_authority(demo, make_ticket, amount, approver, refused_by, notified,
                                                          django_capture_on_commit_callbacks):
    ticket = make_ticket(type="complaint")
    comp = services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount=amount,
                                         reason="补偿")
    assert comp.status == "pending"
    with pytest.raises(NotAllowed):
        services.decide_compensation(actor=demo.users[refused_by], compensation_id=comp.pk, approve=True)
    comp.refresh_from_db()
    assert comp.status == "pending" and comp.decided_by is None
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_compensation(actor=demo.users[approver], compensation_id=comp.pk, approve=True)
    comp.refresh_from_db()
    assert comp.status == "approved" and comp.decided_by == demo.users[approver] and comp.decided_at is not None
    assert "agent1" in notified("compensation", ticket)


def test_r_tic_7_refusal_and_no_second_decision(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    comp = services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount="80", reason="补偿")
    services.decide_compensation(actor=demo.users["lead1"], compensation_id=comp.pk, approve=False, note="金额过高")
    comp.refresh_from_db()
    assert comp.status == "rejected"
    with pytest.raises(RuleViolation) as exc:
        services.decide_compensation(actor=demo.users["head1"], compensation_id=comp.pk, approve=True)
    assert exc.value.rule == "R-TIC-7"
    assert Compensation.objects.get(pk=comp.pk).status == "rejected"


def test_r_tic_7_a_lead_of_another_team_does_not_decide(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    comp = services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount="80", reason="补偿")
    with pytest.raises(NotAllowed):
        services.decide_compensation(actor=demo.users["lead2"], compensation_id=comp.pk, approve=True)
    assert Compensation.objects.get(pk=comp.pk).status == "pending"


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "1.001", "", "NaN"])
def test_r_tic_7_bad_amount_names_the_field(demo, make_ticket, amount):
    ticket = make_ticket(type="complaint")
    with pytest.raises(InvalidInput) as exc:
        services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount=amount, reason="x")
    assert [e.field for e in exc.value.errors] == ["amount"]
    assert not Compensation.objects.exists()


def test_r_tic_7_reason_is_required(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    with pytest.raises(InvalidInput) as exc:
        services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount="10", reason=" ")
    assert [e.field for e in exc.value.errors] == ["reason"]
    assert not Compensation.objects.exists()


def test_r_tic_7_only_who_may_act_requests(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    with pytest.raises(NotAllowed):
        services.request_compensation(actor=demo.users["agent2"], ticket_id=ticket.pk, amount="10", reason="x")
    assert not Compensation.objects.exists()


def test_r_tic_7_limits_are_settings(demo, make_ticket, set_rules):
    # a ticket without a customer: the agent's own day on such tickets has a ladder too (R-TIC-7)
    set_rules(tickets__compensation_limit__agent="80.00", tickets__compensation_customer_day_limit__agent="100.00")
    ticket = make_ticket(type="complaint")
    assert services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount="80.00",
                                         reason="x").status == "approved"
    comp = services.request_compensation(actor=demo.users["agent1"], ticket_id=ticket.pk, amount="80.01", reason="x")
    assert comp.status == "pending" and comp.required_role == "lead"


# -- severity, root cause, service recovery (R-TIC-7) ---------------------------------------------


def test_r_tic_7_complaint_severity_and_root_cause(demo, make_ticket):
    from kefu.core.errors import StaleVersion

    ticket = make_ticket(type="complaint")
    assert ticket.severity == "general"
    ticket = services.update_ticket(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version,
                                    severity="major", root_cause="物流延误")
    assert ticket.severity == "major" and ticket.root_cause == "物流延误"
    with pytest.raises(StaleVersion):
        services.update_ticket(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version - 1,
                               severity="general")
    assert services.update_ticket(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version,
                                  severity="general").severity == "general"


@pytest.mark.parametrize(("type_", "changes", "field"), [
    ("complaint", {"severity": "tiny"}, "severity"),
    ("consultation", {"severity": "major"}, "severity"),
    ("consultation", {"root_cause": "态度"}, "root_cause"),
    ("complaint", {"root_cause": "x" * 51}, "root_cause"),
    ("complaint", {"priority": "asap"}, "priority"),
    ("complaint", {"title": " "}, "title"),
    ("complaint", {"owner": "agent2"}, "owner"),
])
def test_r_tic_7_bad_edits_name_the_field_and_change_nothing(demo, make_ticket, type_, changes, field):
    ticket = make_ticket(type=type_)
    with pytest.raises(InvalidInput) as exc:
        services.update_ticket(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version, **changes)
    assert [e.field for e in exc.value.errors] == [field]
    from kefu.tickets.models import Ticket

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.version, fresh.severity, fresh.root_cause, fresh.title) == (
        ticket.version, ticket.severity, ticket.root_cause, ticket.title)


def test_r_tic_4_priority_change_counts_the_limits_again(demo, make_ticket):
    ticket = make_ticket(priority="low")
    ticket = services.update_ticket(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version,
                                    priority="urgent")
    from kefu.tickets import sla

    expected = type(ticket)(type=ticket.type, priority="urgent", created_at=ticket.created_at, shop=ticket.shop)
    sla.set_due_times(expected, centre_id=demo.centre.pk)
    assert ticket.resolution_due == expected.resolution_due


def test_r_tic_7_service_recovery_actions(demo, make_ticket):
    from kefu.tickets.models import RecoveryAction

    complaint = make_ticket(type="complaint")
    item = services.add_recovery_action(actor=demo.users["agent1"], ticket_id=complaint.pk, action="赠送优惠券并致歉")
    assert item.by == demo.users["agent1"] and list(complaint.recovery_actions.all()) == [item]
    with pytest.raises(InvalidInput):
        services.add_recovery_action(actor=demo.users["agent1"], ticket_id=complaint.pk, action=" ")
    with pytest.raises(InvalidInput):
        services.add_recovery_action(actor=demo.users["agent1"], ticket_id=make_ticket().pk, action="致歉")
    with pytest.raises(NotAllowed):
        services.add_recovery_action(actor=demo.users["agent2"], ticket_id=complaint.pk, action="致歉")
    assert RecoveryAction.objects.count() == 1
