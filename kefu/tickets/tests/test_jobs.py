"""R-TIC-5 工单滞留 and 催办: a ticket with no action for the configured time (default 24 h) is stuck: it
shows on the lead's board and its owner is reminded once per stuck period; 督办 by a head. R-TIC-4
warnings and breaches by the periodic job (see test_sla for the due moments)."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.core.errors import NotAllowed
from kefu.tickets import board_selectors, jobs, selectors, services
from kefu.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def idle(ticket, delta):
    """Make the ticket's last action ``delta`` ago; return 'now'."""
    now = timezone.now().replace(microsecond=0)
    Ticket.objects.filter(pk=ticket.pk).update(last_action_at=now - delta)
    ticket.refresh_from_db()
    return now


def reminders(ticket):
    return TicketEvent.objects.filter(ticket=ticket, kind="reminder").count()


def test_r_tic_5_stuck_exactly_at_the_configured_time(demo, make_ticket):
    ticket = make_ticket()
    now = idle(ticket, 24 * HOUR - dt.timedelta(seconds=1))
    assert not selectors.stuck(demo.users["lead1"], hours=24, now=now).exists()
    assert not selectors.is_stuck(ticket, hours=24, now=now)
    now = idle(ticket, 24 * HOUR)
    assert list(selectors.stuck(demo.users["lead1"], hours=24, now=now)) == [ticket]
    assert selectors.is_stuck(ticket, hours=24, now=now)


def test_r_tic_5_reminder_job_at_the_boundary_and_once_per_period(
        demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    now = idle(ticket, 24 * HOUR - dt.timedelta(seconds=1))
    assert jobs.remind_stuck(now=now) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.remind_stuck(now=now + dt.timedelta(seconds=1)) == 1
    assert notified("stuck_ticket", ticket) == {"agent1"}
    assert reminders(ticket) == 1
    # the reminder is not an action: still stuck, but not reminded again within the same period
    assert jobs.remind_stuck(now=now + 2 * HOUR) == 0
    assert selectors.is_stuck(Ticket.objects.get(pk=ticket.pk), hours=24, now=now + 2 * HOUR)
    # another full period without action: reminded again
    assert jobs.remind_stuck(now=now + 24 * HOUR + dt.timedelta(seconds=1)) == 1
    assert reminders(ticket) == 2


def test_r_tic_5_stuck_hours_is_a_setting(demo, make_ticket, set_rules):
    set_rules(tickets__stuck_hours=4)
    ticket = make_ticket()
    now = idle(ticket, 4 * HOUR)
    assert jobs.remind_stuck(now=now) == 1


@pytest.mark.parametrize(("status", "waiting_on", "stuck"), [
    ("new", "", True), ("in_progress", "", True), ("waiting", "department", True),
    ("waiting", "customer", False), ("resolved", "", False), ("closed", "", False),
])
def test_r_tic_5_which_statuses_count_as_stuck(demo, make_ticket, status, waiting_on, stuck):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=status, waiting_on=waiting_on)
    now = idle(ticket, 30 * HOUR)
    assert selectors.stuck(demo.users["lead1"], hours=24, now=now).exists() is stuck
    assert jobs.remind_stuck(now=now) == int(stuck)


def test_r_tic_5_an_action_ends_the_stuck_period(demo, make_ticket):
    ticket = make_ticket()
    idle(ticket, 30 * HOUR)
    services.add_message(actor=demo.users["agent1"], ticket_id=ticket.pk, body="已联系客户", public=True)
    assert not selectors.stuck(demo.users["lead1"], hours=24).exists()


def test_r_tic_5_the_lead_board_shows_the_leads_team(demo, make_ticket):
    mine, other_team = make_ticket(actor="agent1"), make_ticket(actor="agent4")
    now = idle(mine, 25 * HOUR)
    idle(other_team, 25 * HOUR)
    assert [t.pk for t in board_selectors.lead_board(demo.users["lead1"], stuck_hours=24, now=now)["stuck"]] == [mine.pk]
    assert {t.pk for t in selectors.stuck(demo.users["head1"], hours=24, now=now)} == {mine.pk, other_team.pk}


def test_r_tic_5_manual_reminder_by_a_lead(demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with pytest.raises(NotAllowed):
        services.remind(actor=demo.users["agent2"], ticket_id=ticket.pk, note="快点")
    assert reminders(ticket) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.remind(actor=demo.users["lead1"], ticket_id=ticket.pk, note="请今天处理")
    assert reminders(ticket) == 1
    assert notified("stuck_ticket", ticket) == {"agent1"}


def test_r_tic_5_supervision_by_a_head(demo, make_ticket, notified, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    for who in ("agent1", "lead1"):
        with pytest.raises(NotAllowed):
            services.supervise(actor=demo.users[who], ticket_id=ticket.pk)
    assert not Ticket.objects.get(pk=ticket.pk).supervised
    with django_capture_on_commit_callbacks(execute=True):
        services.supervise(actor=demo.users["head1"], ticket_id=ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).supervised
    assert notified("supervision", ticket) == {"agent1"}
    assert [t.pk for t in board_selectors.lead_board(demo.users["lead1"], stuck_hours=24)["supervised"]] == [ticket.pk]
    services.supervise(actor=demo.users["head1"], ticket_id=ticket.pk, on=False)
    assert not Ticket.objects.get(pk=ticket.pk).supervised


def test_r_tic_4_warning_goes_to_the_queue_leads_when_nobody_owns_it(
        demo, notified, django_capture_on_commit_callbacks, set_rules):
    set_rules(tickets__assignment_mode="manual")
    ticket = services.create_ticket(actor=demo.users["admin"], shop=demo.shops["tmall"], type="query",
                                    channel="api", title="x", priority="urgent")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.scan_sla(now=ticket.first_response_warn_at)
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "warning"
    assert notified("sla_warning", ticket) == {"lead1", "lead2"}


def test_r_tic_4_a_ticket_waiting_on_the_customer_is_not_scanned(demo, make_ticket):
    ticket = make_ticket(priority="urgent")
    ticket = services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="waiting",
                                 version=ticket.version, waiting_on="customer")
    assert jobs.scan_sla(now=ticket.resolution_due + HOUR) == {"warning": 0, "breached": 0, "escalated": 0}
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "ok"
