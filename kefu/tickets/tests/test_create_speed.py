"""Ticket creation near the server's ceiling (issue 13, bench/notes/server.md): what each creation costs
stays what it was measured at — the statements it runs, a statement psycopg parses once per process, the
day's number committed without a disk flush of its own — and the rows it writes stay the same."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kefu.audit.models import AuditEvent
from kefu.tickets.models import Ticket, TicketEvent

ON_PG = connection.vendor == "postgresql"


class Recorder:
    """``connection.execute_wrapper``: each statement's text and parameters as sent."""

    def __init__(self):
        self.calls: list[tuple[str, list]] = []

    def __call__(self, execute, sql, params, many, context):
        self.calls.append((sql, list(params or [])))
        return execute(sql, params, many, context)


def test_the_event_and_audit_entry_carry_the_tickets_moment_and_person(demo, make_ticket):
    ticket = make_ticket(description="客户来电咨询")
    ticket.refresh_from_db()
    event = TicketEvent.objects.get(ticket=ticket)
    audit = AuditEvent.objects.get(object_type="tickets.ticket", object_id=str(ticket.pk))
    assert event.at == ticket.created_at and event.actor == ticket.created_by and event.body == "客户来电咨询"
    assert audit.at == ticket.created_at and audit.actor == ticket.created_by == demo.users["agent1"]


def test_an_empty_description_is_an_empty_event_body(demo, make_ticket):
    ticket = make_ticket(description="")
    assert TicketEvent.objects.get(ticket=ticket).body == ""


@pytest.mark.skipif(not ON_PG, reason="the one-statement write is PostgreSQL's")
def test_the_creation_statement_stays_within_psycopgs_parse_cache(demo, make_ticket):
    """psycopg parses a statement's ``%s`` once and keeps it only up to 50 parameters and 4,096
    characters; the ticket's statement reads the event's and audit's copies of the ticket's values (its id,
    moment, person, text) from the ticket row instead of sending them again."""
    from psycopg import _queries

    make_ticket()
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        make_ticket(caller_phone="13800001111", description="客户来电")
    (sql, params), = [(s, p) for s, p in recorder.calls if s.startswith("WITH w0")]
    assert len(params) <= _queries.MAX_CACHED_STATEMENT_PARAMS, len(params)
    assert len(sql) <= _queries.MAX_CACHED_STATEMENT_LENGTH, len(sql)
    assert sql.count("FROM w0)") == 6  # event: ticket, at, actor, body; audit: at, actor


@pytest.mark.skipif(not ON_PG, reason="PostgreSQL's commit setting")
@pytest.mark.django_db(transaction=True)
def test_the_number_is_committed_without_a_flush_of_its_own_outside_a_transaction_only():
    from kefu.org.demo import seed_demo
    from kefu.org.models import Shop, User
    from kefu.tickets import services

    seed_demo()
    agent, shop = User.objects.get(username="agent1"), Shop.objects.get(code="tmall")

    def create():
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            ticket = services.create_ticket(actor=agent, shop=shop, type="consultation", channel="hotline",
                                            title="来电")
        return ticket, next(s for s, _p in recorder.calls if "nextval" in s)

    def session_setting():
        with connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            return cur.fetchone()[0]

    before = session_setting()  # "on" by default; CI's throwaway server runs with it off
    ticket, counter = create()
    assert "synchronous_commit" in counter
    assert session_setting() == before  # the setting ended with the number's own transaction
    assert Ticket.objects.filter(pk=ticket.pk, number=ticket.number).exists()
    with transaction.atomic():  # a caller's transaction: its commit is left as it is
        ticket2, counter = create()
        assert "synchronous_commit" not in counter
    assert ticket2.number != ticket.number


@pytest.mark.skipif(not ON_PG, reason="statement counts of the PostgreSQL path")
def test_creation_through_the_api_is_three_statements(demo, client):
    from kefu.org.tokens import issue_token

    _token, secret = issue_token(user=demo.users["agent1"], name="t")
    body = {"type": "consultation", "channel": "hotline", "shop": "tmall", "title": "来电",
            "caller_phone": "13800001111"}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    for _ in range(2):  # caches warm, the token's last use touched
        assert client.post("/api/v1/tickets", data=body, content_type="application/json", **auth).status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/tickets", data=body, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    # the token with the person's roles, the number with the id and the caller's customer, the rows (a
    # server process answers the shop and the caller's scope from its structure memo: bench/notes/server.md;
    # in a test's transaction they may be read again)
    sqls = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(('SELECT "org_shop"', 'SELECT "org_team"'))]
    assert len(sqls) == 3, "\n".join(q[:150] for q in sqls)
    assert "kefu_token_id" in sqls[0]
    assert "nextval" in sqls[1] and "customers_customerphone" in sqls[1] and sqls[2].startswith("WITH w0")


@pytest.mark.skipif(not ON_PG, reason="the number's statement is PostgreSQL's")
@pytest.mark.parametrize("phone", ["+86 138-0013-8000", "13800138000"])
def test_r_tic_1_the_callers_customer_comes_with_the_number(demo, make_ticket, make_customer, phone):
    """The caller's customer is found by the number's statement (one round trip less), as
    caller_for_new_ticket finds it: the shop's customer with that number in any notation, the rest of
    the customer read only when asked."""
    customer = make_customer(phones=["13800138000"], tier="vip")
    make_customer("别店", phones=["13800138000"], shop="jd")
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        ticket = make_ticket(caller_phone=phone)
    number_sql = [s for s, _p in recorder.calls if "nextval" in s]
    assert len(number_sql) == 1 and "customers_customerphone" in number_sql[0]
    assert sum("customers_customerphone" in s for s, _p in recorder.calls) == 1
    assert ticket.customer.pk == customer.pk and ticket.customer.value_tier == "vip"
    assert ticket.customer.name == "王女士"  # deferred: read when asked
    ticket.refresh_from_db()
    assert ticket.customer_id == customer.pk
    audit = AuditEvent.objects.get(object_type="tickets.ticket", object_id=str(ticket.pk))
    assert audit.after["customer_id"] == customer.pk


@pytest.mark.skipif(not ON_PG, reason="the number's statement is PostgreSQL's")
def test_r_tic_1_no_customer_with_the_number_still_takes_a_number(demo, make_ticket, make_customer):
    make_customer(phones=["13800138000"])
    first = make_ticket(caller_phone="13900139000")
    second = make_ticket(caller_phone="13800138000")
    assert first.customer_id is None and second.customer_id is not None
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


@pytest.mark.skipif(not ON_PG, reason="the number's statement is PostgreSQL's")
def test_r_tic_6_a_vip_callers_complaint_found_by_phone_goes_to_the_lead(demo, make_ticket, make_customer):
    vip = make_customer(phones=["13800138000"], tier="vip")
    ticket = make_ticket(type="complaint", severity="serious", caller_phone="0086 13800138000")
    assert ticket.customer_id == vip.pk and ticket.escalation_level == "lead"


@pytest.mark.skipif(not ON_PG, reason="the one-statement write (and its value preparation) is PostgreSQL's")
def test_values_are_sent_as_the_orm_prepares_them(demo, make_ticket):
    """The rows' values skip pre_save/get_db_prep_save only where they would come back unchanged."""
    from kefu.tickets.services import _db_value, _plain_type

    ticket = make_ticket(caller_phone="13800001111", description="客户来电", tags=["a"])
    event = TicketEvent.objects.get(ticket=ticket)
    audit = AuditEvent.objects.get(object_type="tickets.ticket", object_id=str(ticket.pk))
    plain = 0
    for row in (ticket, event, audit):
        for field in type(row)._meta.local_concrete_fields:
            kind = _plain_type(field)
            if kind is None:
                continue
            plain += 1
            assert _db_value(field, row, kind) == field.get_db_prep_save(field.pre_save(row, True), connection), field
    assert plain >= 40
