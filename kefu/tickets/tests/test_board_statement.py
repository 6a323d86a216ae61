"""The lead board's columns statement kept per process on PostgreSQL (issue 13, session 8): the statement is the
one compiled afresh — whoever asks, for whichever columns, at whatever moment — and a change of what it is made of
(the moment, the team's shops, the team's people) shows on the next board (R-TIC-5)."""

import datetime as dt
from contextlib import nullcontext

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


def _run(sql, params, *, prepared):
    from kefu.core.search import unprepared

    with (nullcontext() if prepared else unprepared()), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.skipif(not ON_PG, reason="kept on PostgreSQL only")
@pytest.mark.parametrize("username", ["lead1", "head1", "director1"])
@pytest.mark.parametrize("keys", [list(board_selectors.COLUMNS), ["stuck"], ["breaching"], ["supervised"]])
def test_kept_statement_reads_what_the_compiled_one_reads(demo, make_ticket, username, keys):
    """The kept statement (values written in, the stuck moment its only parameter, prepared from its sixth run
    on a connection) reads the same ids in the same order as the statement compiled afresh."""
    now = timezone.now()
    for i in range(24):
        owner = ["agent1", "agent2", "agent4", None][i % 4]
        t = make_ticket(actor=owner or "admin", shop=["tmall", "jd"][i % 2], channel="web" if owner is None else "hotline",
                        assign_automatically=owner is not None, title=f"100% 看板{i}")
        Ticket.objects.filter(pk=t.pk).update(
            last_action_at=now - dt.timedelta(hours=20 + i % 7), resolution_due=now + dt.timedelta(hours=i % 3),
            sla_state=["warning", "breached", "ok"][i % 3], escalation_level="lead" if i % 2 else "agent",
            supervised=i % 3 == 0)
    user = demo.users[username]
    owners = board_selectors.board_owners(user)
    seen = set()
    for _run_number in range(8):
        for hours in (19, 22, 24, 30):
            cutoff = now - dt.timedelta(hours=hours)
            sql, params, may_prepare = board_selectors._columns_statement(
                tickets_in_scope(user), owners, stuck_before=cutoff, n=11, keys=keys)
            assert may_prepare and params == ([cutoff] * (2 if owners is not None else 1) if "stuck" in keys else [])
            fresh_sql, fresh_params = board_selectors._compile_columns(
                tickets_in_scope(user), owners, stuck_before=cutoff, n=11, keys=keys)
            kept = _run(sql, params, prepared=True)
            assert kept == _run(fresh_sql, fresh_params, prepared=False)
            seen |= {(hours, row) for row in kept}
    assert len(board_selectors._STATEMENTS) == 1
    assert len({hours for hours, _row in seen}) >= 3, "the moment changes what is stuck"


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


def test_r_tic_5_board_of_a_lead_with_nothing_in_scope_is_empty(demo, clients):
    """A team serving no shop, a lead of no department: empty columns (was a server error: the empty scope
    cannot be compiled)."""
    lead = demo.users["lead1"]
    demo.teams[0].shops.clear()
    type(lead).objects.filter(pk=lead.pk).update(department=None)
    lead = type(lead).objects.get(pk=lead.pk)
    assert board_selectors.lead_board(lead, stuck_hours=24) == {key: [] for key in board_selectors.COLUMNS}
    response = clients("lead").get("/tickets/board/")
    assert response.status_code == 200 and 'data-testid="card-' not in response.content.decode()
