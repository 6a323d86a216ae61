"""The lead board's columns statement kept per process on PostgreSQL (issue 13, session 8): the statement is the
one compiled afresh — whoever asks, for whichever columns, at whatever moment — and a change of what it is made of
(the moment, the team's shops, the team's people) shows on the next board (R-TIC-5)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kefu.tickets import board_selectors
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db
ON_PG = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def no_kept_statements():
    board_selectors._STATEMENTS.clear()
    yield
    board_selectors._STATEMENTS.clear()


@pytest.mark.skipif(not ON_PG, reason="kept on PostgreSQL only")
@pytest.mark.parametrize("username", ["lead1", "head1", "director1"])
@pytest.mark.parametrize("keys", [list(board_selectors.COLUMNS), ["stuck"], ["breaching"], ["supervised"]])
def test_kept_statement_is_the_one_compiled_afresh(demo, username, keys):
    user = demo.users[username]
    owners = board_selectors.board_owners(user)
    now = timezone.now()
    for hours in (24, 30, 24 * 9):
        cutoff = now - dt.timedelta(hours=hours)
        kept = board_selectors._columns_statement(tickets_in_scope(user), owners, stuck_before=cutoff, n=11, keys=keys)
        fresh = board_selectors._compile_columns(tickets_in_scope(user), owners, stuck_before=cutoff, n=11, keys=keys)
        assert kept == fresh
    assert len(board_selectors._STATEMENTS) == 1


def test_r_tic_5_kept_statement_follows_the_clock(demo, make_ticket):
    ticket = make_ticket()
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(last_action_at=now - dt.timedelta(hours=30))
    lead = demo.users["lead1"]
    assert [t.pk for t in board_selectors.lead_board(lead, stuck_hours=24, now=now)["stuck"]] == [ticket.pk]
    assert board_selectors.lead_board(lead, stuck_hours=24, now=now - dt.timedelta(hours=7))["stuck"] == []
    assert board_selectors.lead_board(lead, stuck_hours=31, now=now)["stuck"] == []
    assert len(board_selectors._STATEMENTS) == (1 if ON_PG else 0)


def test_r_tic_5_kept_statement_follows_the_teams_shops_and_people(demo, make_ticket):
    lead = demo.users["lead1"]
    team = demo.teams[0]
    assert lead.team_id == team.pk and team.shops.filter(pk=demo.shops["jd"].pk).exists()
    queued = make_ticket(actor="admin", shop="jd", channel="web", assign_automatically=False)
    theirs = make_ticket(actor="agent4", shop="tmall")
    assert theirs.owner_id == demo.users["agent4"].pk and demo.users["agent4"].team_id != team.pk
    Ticket.objects.filter(pk__in=[queued.pk, theirs.pk]).update(sla_state="breached")

    def breaching():
        person = type(lead).objects.get(pk=lead.pk)  # each request reads the person afresh
        return [t.pk for t in board_selectors.lead_board(person, stuck_hours=24)["breaching"]]

    assert queued.pk in breaching() and theirs.pk not in breaching()
    team.shops.remove(demo.shops["jd"])  # the team no longer serves the shop: its queue leaves the board
    assert queued.pk not in breaching()
    type(lead).objects.filter(pk=demo.users["agent4"].pk).update(team=team)  # agent4 joins the team
    assert theirs.pk in breaching()
