"""The lead board's per-owner reads (issue 13 review): on PostgreSQL each column is a UNION ALL of "this owner's
first n" branches; it must give the same cards, in the same order, as one filtered query over the board's
tickets — ties in the sort value broken by the id, the unassigned tickets in, other teams' tickets out."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.tickets import board_selectors, selectors
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(demo, make_ticket):
    """Tickets of lead1's team (agent1–3), of lead2's team (agent4), unassigned ones, with shared moments."""
    now = timezone.now()
    tickets = []
    for i in range(36):
        owner = ["agent1", "agent2", "agent3", "agent4"][i % 4]
        t = make_ticket(actor=owner if owner != "agent4" else "agent4", shop="tmall" if owner != "agent4" else "jd",
                        title=f"看板{i}")
        tickets.append(t)
    for i in range(6):
        tickets.append(make_ticket(actor="admin", channel="web", assign_automatically=False, title=f"队列{i}"))
    for i, t in enumerate(tickets):
        Ticket.objects.filter(pk=t.pk).update(
            last_action_at=now - dt.timedelta(hours=30 + (i % 5)),  # five moments shared by many tickets
            resolution_due=now + dt.timedelta(hours=i % 3), sla_state=["warning", "breached", "ok"][i % 3],
            escalation_level="lead" if i % 2 else "agent", supervised=bool(i % 3 == 0))
    return now


@pytest.mark.parametrize("n", [1, 3, 7, 50])
def test_board_columns_are_the_first_tickets_of_the_board_in_order(demo, floor, n):
    lead = demo.users["lead1"]
    board = board_selectors.lead_board(lead, stuck_hours=24, now=floor, n=n)
    base = selectors.board_tickets(lead)
    open_ = base.filter(status__in=selectors.OPEN_STATUSES)
    expected = {
        "stuck": selectors.stuck(lead, hours=24, now=floor),
        "breaching": open_.filter(sla_state__in=["warning", "breached"]).order_by("resolution_due", "id"),
        "escalated": open_.exclude(escalation_level="agent").order_by("-last_action_at", "-id"),
        "supervised": base.filter(supervised=True).exclude(status="closed").order_by("-last_action_at", "-id"),
    }
    for key, qs in expected.items():
        want = list(qs.values_list("pk", flat=True)[: n + 1])
        assert [t.pk for t in board[key]] == want, key
    agent4 = demo.users["agent4"].pk
    assert not any(t.owner_id == agent4 for column in board.values() for t in column)
    if n == 50:  # every card: the unassigned ones are on the board too
        assert any(t.owner_id is None for t in board["stuck"])
