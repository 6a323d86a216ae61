"""The lead board under its time budget (issue 13, session 7): ten cards a column on the first render with a
"More" button per column (HTMX: that column, longer), cards built by one Python function (escaped), the four
columns read in two queries whatever the backlog — on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.tickets import board_selectors, services
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def _breaching(make_ticket, n: int, **fields) -> list[Ticket]:
    tickets = [make_ticket(title=f"超时{i}", **fields) for i in range(n)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(sla_state="breached")
    return tickets


def _column(response, key):
    return next(c for c in response.context["columns"] if c["key"] == key)


def test_r_tic_5_board_shows_ten_cards_a_column_and_a_more_button(demo, clients, make_ticket):
    _breaching(make_ticket, board_selectors.BOARD_CARDS + 1)
    response = clients("lead").get("/tickets/board/")
    column = _column(response, "sla")
    assert len(column["tickets"]) == board_selectors.BOARD_CARDS == 10 and column["count"] == "10+"
    html = response.content.decode()
    assert html.count('data-testid="card-') == board_selectors.BOARD_CARDS
    assert 'data-testid="more-sla"' in html and 'data-testid="more-stuck"' not in html


def test_r_tic_5_board_column_with_exactly_ten_cards_has_no_more_button(demo, clients, make_ticket):
    _breaching(make_ticket, board_selectors.BOARD_CARDS)
    response = clients("lead").get("/tickets/board/")
    assert _column(response, "sla")["count"] == board_selectors.BOARD_CARDS
    assert 'data-testid="more-sla"' not in response.content.decode()


def test_r_tic_5_more_answers_the_column_longer_with_its_count(demo, clients, make_ticket):
    tickets = _breaching(make_ticket, board_selectors.BOARD_CARDS + 3)
    response = clients("lead").get("/tickets/board/", {"column": "sla"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div class="list-group')
    assert all(f'data-testid="card-{t.pk}"' in html for t in tickets)
    assert 'id="count-sla"' in html and 'hx-swap-oob="true"' in html and 'data-testid="more-sla"' not in html
    assert f'data-testid="count-sla" hx-swap-oob="true">{board_selectors.BOARD_CARDS + 3}<' in html


def test_more_of_an_unknown_column_is_not_found_and_agents_may_not(demo, clients, make_ticket):
    assert clients("lead").get("/tickets/board/", {"column": "nope"}, **HX).status_code == 404
    assert clients("agent").get("/tickets/board/", {"column": "sla"}, **HX).status_code == 403
    # without HTMX the parameter is ignored: the whole board
    assert 'data-testid="lead-board"' in clients("lead").get("/tickets/board/", {"column": "sla"}).content.decode()


def test_card_prints_the_ticket_escaped_with_its_actions(demo, clients, make_ticket):
    ticket = make_ticket(title='<script>alert("x")</script>', type="complaint", severity="serious",
                         priority="urgent")
    Ticket.objects.filter(pk=ticket.pk).update(sla_state="breached")
    services.supervise(actor=demo.users["head1"], ticket_id=ticket.pk)
    html = clients("head").get("/tickets/board/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    card = html[html.index(f'data-testid="card-{ticket.pk}"'):]
    card = card[:card.index('data-testid="assign-') + 400]
    assert f'hx-post="/tickets/board/{ticket.pk}/supervise/"' in card and "hx-vals='{\"on\": \"0\"}'" in card
    assert f'hx-post="/tickets/board/{ticket.pk}/remind/"' in card and "disabled" not in card.split("remind")[0]
    assert f"assignUrl = '/tickets/board/{ticket.pk}/assign/'" in card
    assert f"assignOwner = '{demo.users['agent1'].pk}'" in card
    assert "bg-red-lt" in card and "bg-pink-lt" in card and str(demo.users["agent1"]) in card


def test_card_of_an_unassigned_ticket_cannot_be_reminded(demo, clients, make_ticket):
    ticket = make_ticket(actor="admin", channel="web", assign_automatically=False, title="队列")
    Ticket.objects.filter(pk=ticket.pk).update(last_action_at=timezone.now() - dt.timedelta(hours=30))
    html = clients("lead").get("/tickets/board/").content.decode()
    card = html[html.index(f'data-testid="card-{ticket.pk}"'):]
    remind = card[card.index("/remind/"):card.index(f'data-testid="remind-{ticket.pk}"')]
    assert " disabled" in remind and "assignOwner = ''" in card


@pytest.mark.parametrize("role", ["lead", "head"])
def test_board_reads_its_columns_in_two_queries_whatever_the_backlog(demo, clients, make_ticket, role):
    client = clients(role)

    def ticket_queries():
        client.get("/tickets/board/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tickets/board/").status_code == 200
        return [q["sql"] for q in ctx.captured_queries if "tickets_ticket" in q["sql"]]

    _breaching(make_ticket, 2)
    few = ticket_queries()
    for t in _breaching(make_ticket, 15):
        services.escalate(actor=demo.users["agent1"], ticket_id=t.pk, reason="客户要求")
    many = ticket_queries()
    assert len(few) == len(many) == 2  # the columns' ids (one statement), then their rows
    more = client.get("/tickets/board/", {"column": "escalated"}, **HX)
    assert more.content.decode().count('data-testid="card-') == 15


@pytest.mark.parametrize("username", ["lead1", "head1", "director1"])
def test_assign_form_lists_the_active_agents_in_scope_by_username(demo, username):
    """A lead's agents come from the query that also gives the board's owners; the list is the one
    people_in_scope gives (active, agent role, by username) — an inactive agent and a lead left out."""
    from kefu.org.roles import Role
    from kefu.org.selectors import people_in_scope

    type(demo.users["agent2"]).objects.filter(pk=demo.users["agent2"].pk).update(is_active=False)
    user = type(demo.users[username]).objects.get(pk=demo.users[username].pk)
    want = [(pk, name or uname) for pk, name, uname in people_in_scope(user).filter(roles__role=Role.AGENT)
            .distinct().order_by("username").prefetch_related(None).values_list("pk", "display_name", "username")]
    assert board_selectors.assignable_agents(user) == want
    assert demo.users["agent2"].pk not in dict(want) and demo.users["lead1"].pk not in dict(want)
    if username == "lead1":
        assert demo.users["agent1"].pk in dict(want)
        # the board's owners: the team, the inactive agent too (their open tickets stay on the board)
        assert demo.users["agent2"].pk in board_selectors.board_owners(user)


def test_lead_board_reads_the_team_once(demo, clients):
    client = clients("lead")
    client.get("/tickets/board/")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/tickets/board/").content.decode()
    people = [q["sql"] for q in ctx.captured_queries if 'FROM "org_user"' in q["sql"] and "org_team" not in q["sql"]]
    assert len(people) == 2  # the session's person, then the team (owners and the assign form's agents)
    assert f'<option value="{demo.users["agent1"].pk}">' in html


# -- the director's desk counts (counts.scope_counts) ----------------------------------------------


@pytest.fixture
def counts_cached(settings):
    from django.core.cache import cache

    from kefu.tickets import counts

    settings.KEFU_SCOPE_COUNTS_SECONDS = counts.SCOPE_COUNTS_SECONDS
    cache.clear()
    yield counts.SCOPE_COUNTS_SECONDS
    cache.clear()


def test_scope_counts_are_reused_for_some_seconds_then_counted_again(demo, make_ticket, counts_cached):
    import time_machine

    from kefu.tickets import counts

    director = demo.users["director1"]
    with time_machine.travel(dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC), tick=False) as traveller:
        make_ticket()
        first = counts.scope_counts(director)
        make_ticket()
        with CaptureQueriesContext(connection) as ctx:
            again = counts.scope_counts(director)
        assert again == first and not [q for q in ctx.captured_queries if "tickets_ticket" in q["sql"]]
        traveller.shift(counts_cached - 1)
        assert counts.scope_counts(director)["open"] == first["open"]
        traveller.shift(2)  # past the seconds: counted again
        assert counts.scope_counts(director)["open"] == first["open"] + 1 == counts.count_scope(director)["open"]


def test_scope_counts_are_kept_per_person(demo, make_ticket, counts_cached):
    from kefu.tickets import counts

    make_ticket()
    assert counts.scope_counts(demo.users["director1"])["open"] == 1
    make_ticket(shop="jd", actor="agent4")
    assert counts.scope_counts(demo.users["head1"]) == counts.count_scope(demo.users["head1"])
    assert counts.scope_counts(demo.users["director1"])["open"] == 1  # the director's numbers, 15 s old


def test_without_seconds_scope_counts_count_every_time(demo, make_ticket, settings):
    from kefu.tickets import counts

    settings.KEFU_SCOPE_COUNTS_SECONDS = 0
    make_ticket()
    assert counts.scope_counts(demo.users["director1"])["open"] == 1
    make_ticket()
    assert counts.scope_counts(demo.users["director1"])["open"] == 2
