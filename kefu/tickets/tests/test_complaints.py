"""R-TIC-7: complaint classification (root cause, severity) and service recovery actions."""

import pytest

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, NotFound, RuleViolation, StaleVersion
from kefu.tickets import complaints
from kefu.tickets.models import RecoveryAction, Ticket


def test_r_tic_7_the_owner_classifies_a_complaint(demo, make_ticket):
    ticket = make_ticket(type="complaint", severity="general", title="快递破损")
    complaints.classify_complaint(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version,
                                  root_cause="物流延误", severity="serious")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.root_cause, fresh.severity, fresh.version) == ("物流延误", "serious", ticket.version + 1)
    assert fresh.events.filter(kind="classified").exists()
    assert AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk),
                                     after__root_cause="物流延误").exists()


@pytest.mark.parametrize(("fields", "error"), [({"root_cause": "天气"}, "root_cause"),
                                               ({"root_cause": "其他", "severity": "huge"}, "severity")])
def test_r_tic_7_an_unknown_category_or_severity_is_refused(demo, make_ticket, fields, error):
    ticket = make_ticket(type="complaint")
    with pytest.raises(InvalidInput) as exc:
        complaints.classify_complaint(actor=demo.users["agent1"], ticket_id=ticket.pk, version=ticket.version,
                                      **fields)
    assert error in {e.field for e in exc.value.errors}
    assert Ticket.objects.get(pk=ticket.pk).root_cause == ""


def test_r_tic_7_only_complaints_are_classified_and_versions_are_checked(demo, make_ticket):
    consultation = make_ticket()
    with pytest.raises(RuleViolation):
        complaints.classify_complaint(actor=demo.users["agent1"], ticket_id=consultation.pk,
                                      version=consultation.version, root_cause="其他")
    ticket = make_ticket(type="complaint")
    with pytest.raises(StaleVersion):
        complaints.classify_complaint(actor=demo.users["agent1"], ticket_id=ticket.pk,
                                      version=ticket.version - 1, root_cause="其他")


def test_r_tic_7_recovery_actions_are_recorded_on_the_timeline(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    complaints.add_recovery_action(actor=demo.users["agent1"], ticket_id=ticket.pk, action="致电道歉并补发")
    assert list(RecoveryAction.objects.filter(ticket=ticket).values_list("action", flat=True)) == ["致电道歉并补发"]
    assert Ticket.objects.get(pk=ticket.pk).events.filter(kind="recovery", body="致电道歉并补发").exists()
    with pytest.raises(InvalidInput):
        complaints.add_recovery_action(actor=demo.users["agent1"], ticket_id=ticket.pk, action="  ")
    assert RecoveryAction.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize("who", ["agent2", "agent4"])
def test_r_tic_7_others_cannot_classify_someone_elses_complaint(demo, make_ticket, who):
    ticket = make_ticket(type="complaint")
    with pytest.raises((NotAllowed, NotFound)):
        complaints.classify_complaint(actor=demo.users[who], ticket_id=ticket.pk, version=ticket.version,
                                      root_cause="其他")
    with pytest.raises((NotAllowed, NotFound)):
        complaints.add_recovery_action(actor=demo.users[who], ticket_id=ticket.pk, action="x")
    assert Ticket.objects.get(pk=ticket.pk).root_cause == ""
    assert not RecoveryAction.objects.filter(ticket=ticket).exists()
