"""R-TIC-2: only the allowed transitions; a refused one names the rule and changes nothing."""

import itertools

import pytest

from kefu.core.errors import RuleViolation, StaleVersion
from kefu.tickets import services
from kefu.tickets.choices import TRANSITIONS, Status
from kefu.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

ALL = list(Status.values)


def _put(ticket, status):
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()


@pytest.mark.parametrize(("start", "target"), list(itertools.product(ALL, ALL)))
def test_r_tic_2_every_pair_of_statuses(demo, make_ticket, start, target):
    ticket = make_ticket(type="consultation")
    _put(ticket, start)
    allowed = target in TRANSITIONS[start] and target != Status.CALLBACK_DONE
    events_before = TicketEvent.objects.count()
    if allowed:
        services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to=target, version=ticket.version)
        ticket.refresh_from_db()
        assert ticket.status == target
        assert TicketEvent.objects.filter(ticket=ticket, kind="transition").exists()
    else:
        with pytest.raises(RuleViolation) as exc:
            services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to=target, version=ticket.version)
        assert exc.value.rule in {"R-TIC-2", "R-TIC-8"}
        ticket.refresh_from_db()
        assert ticket.status == start
        assert TicketEvent.objects.count() == events_before


def test_r_tic_2_refused_transition_over_the_api_names_the_rule(clients, make_ticket):
    ticket = make_ticket()
    response = clients("agent").post(f"/api/v1/tickets/{ticket.pk}/transition",
                                     {"to": "closed", "version": ticket.version}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["rule"] == "R-TIC-2"
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_r_tic_2_reopen_from_resolved_and_closed_goes_to_in_progress(demo, make_ticket):
    ticket = make_ticket()
    agent = demo.users["agent1"]
    for step in ("in_progress", "resolved", "closed", "in_progress"):
        ticket = services.transition(actor=agent, ticket_id=ticket.pk, to=step, version=ticket.version)
    assert ticket.status == "in_progress" and ticket.closed_at is None and ticket.resolved_at is None


def test_r_err_stale_version_is_refused(demo, make_ticket):
    ticket = make_ticket()
    services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="in_progress", version=1)
    with pytest.raises(StaleVersion):
        services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="resolved", version=1)
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_r_tic_8_complaint_closes_only_after_its_callback(demo, make_ticket):
    ticket = make_ticket(type="complaint", severity="serious")
    agent = demo.users["agent1"]
    ticket = services.transition(actor=agent, ticket_id=ticket.pk, to="resolved", version=ticket.version)
    with pytest.raises(RuleViolation) as exc:
        services.transition(actor=agent, ticket_id=ticket.pk, to="closed", version=ticket.version)
    assert exc.value.rule == "R-TIC-8"
