"""R-TIC-8 回访: every resolved complaint and after-sales ticket gets a callback task; the callback records
satisfaction 1–5 and whether the issue is really solved; unsolved reopens the ticket."""

import pytest

from kefu.core.errors import InvalidInput, RuleViolation
from kefu.tickets import selectors, services
from kefu.tickets.models import Callback, Ticket

pytestmark = pytest.mark.django_db


def resolve(demo, ticket, who="agent1"):
    ticket.refresh_from_db()
    return services.transition(actor=demo.users[who], ticket_id=ticket.pk, to="resolved", version=ticket.version)


@pytest.mark.parametrize("type_", ["complaint", "after_sales"])
def test_r_tic_8_resolution_creates_a_callback_task(demo, make_ticket, type_):
    ticket = resolve(demo, make_ticket(type=type_))
    callback = Callback.objects.get(ticket=ticket)
    assert callback.done_at is None and callback.assigned_to == demo.users["agent1"]
    assert callback.due > ticket.resolved_at
    assert callback in list(selectors.callback_queue(demo.users["lead1"]))


@pytest.mark.parametrize("type_", ["consultation", "query", "service", "suggestion", "fault"])
def test_r_tic_8_other_types_get_no_callback(demo, make_ticket, type_):
    resolve(demo, make_ticket(type=type_))
    assert not Callback.objects.exists()


@pytest.mark.parametrize("satisfaction", [1, 2, 3, 4, 5])
def test_r_tic_8_satisfaction_one_to_five_and_solved_finishes_the_callback(demo, make_ticket, satisfaction):
    ticket = resolve(demo, make_ticket(type="complaint"))
    callback = services.record_callback(actor=demo.users["agent1"], ticket_id=ticket.pk, satisfaction=satisfaction,
                                        solved=True, note="客户满意")
    ticket.refresh_from_db()
    assert ticket.status == "callback_done"
    assert callback.satisfaction == satisfaction and callback.solved is True and callback.done_at is not None
    # and now it may close
    services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="closed", version=ticket.version)
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


@pytest.mark.parametrize("satisfaction", [0, 6, -1, None, "5", True])
def test_r_tic_8_satisfaction_outside_one_to_five_is_refused(demo, make_ticket, satisfaction):
    ticket = resolve(demo, make_ticket(type="after_sales"))
    version = ticket.version
    with pytest.raises(InvalidInput) as exc:
        services.record_callback(actor=demo.users["agent1"], ticket_id=ticket.pk, satisfaction=satisfaction,
                                 solved=True)
    assert [e.field for e in exc.value.errors] == ["satisfaction"]
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.version == version
    assert Callback.objects.get(ticket=ticket).done_at is None


def test_r_tic_8_unsolved_reopens_the_ticket(demo, make_ticket):
    ticket = resolve(demo, make_ticket(type="complaint"))
    services.record_callback(actor=demo.users["agent1"], ticket_id=ticket.pk, satisfaction=2, solved=False,
                             note="问题依旧")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    first = Callback.objects.get(ticket=ticket)
    assert first.solved is False and first.done_at is not None
    # resolving again asks for a new callback
    resolve(demo, ticket)
    assert Callback.objects.filter(ticket=ticket, done_at__isnull=True).count() == 1
    assert Callback.objects.filter(ticket=ticket).count() == 2


def test_r_tic_8_reopen_before_the_callback_keeps_one_pending_callback(demo, make_ticket):
    ticket = resolve(demo, make_ticket(type="complaint"))
    services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    resolve(demo, ticket)
    assert Callback.objects.filter(ticket=ticket).count() == 1


def test_r_tic_8_callback_only_for_a_resolved_ticket_awaiting_it(demo, make_ticket):
    ticket = make_ticket(type="complaint")
    with pytest.raises(RuleViolation) as exc:
        services.record_callback(actor=demo.users["agent1"], ticket_id=ticket.pk, satisfaction=5, solved=True)
    assert exc.value.rule == "R-TIC-8"
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_r_tic_8_complaint_cannot_close_before_its_callback(demo, make_ticket):
    ticket = resolve(demo, make_ticket(type="after_sales"))
    with pytest.raises(RuleViolation) as exc:
        services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="closed", version=ticket.version)
    assert exc.value.rule == "R-TIC-8"
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"


def test_r_tic_8_over_the_api_satisfaction_errors_name_the_field(demo, make_ticket, clients):
    ticket = resolve(demo, make_ticket(type="complaint"))
    client = clients("agent")
    for bad in (0, 6):
        response = client.post(f"/api/v1/tickets/{ticket.pk}/callback", {"satisfaction": bad, "solved": True},
                               content_type="application/json")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["satisfaction"]
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    response = client.post(f"/api/v1/tickets/{ticket.pk}/callback", {"satisfaction": 4, "solved": False,
                                                                      "note": "仍有异响"},
                           content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["satisfaction"] == 4 and body["solved"] is False and body["ticket_status"] == "in_progress"
