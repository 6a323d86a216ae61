"""Caller matching (R-TIC-1 with R-CUS-1 phones): a caller's number in any notation finds the customer."""

import pytest

from kefu.tickets import selectors, services

pytestmark = pytest.mark.django_db

NOTATIONS = ["+86 138-0013-8000", "0138 0013 8000", "138/0013/8000", "13800138000", "0086 13800138000"]


@pytest.mark.parametrize("raw", NOTATIONS)
def test_r_tic_1_caller_number_in_any_notation_finds_the_customer(demo, make_ticket, make_customer, raw):
    customer = make_customer(phones=["13800138000"])
    make_customer("别人", phones=["13800138001"])
    ticket = make_ticket(caller_phone=raw)
    assert ticket.customer_id == customer.pk
    assert ticket.caller_phone == "13800138000"


@pytest.mark.parametrize("raw", NOTATIONS)
def test_r_tic_1_searching_the_ticket_list_by_number_in_any_notation(demo, make_ticket, make_customer, raw):
    customer = make_customer(phones=["13800138000"])
    by_caller = make_ticket(caller_phone="138 0013 8000")
    by_customer = make_ticket(customer_id=customer.pk)
    make_ticket(caller_phone="13900000000")
    found = selectors.list_tickets(demo.users["agent1"], selectors.TicketFilters(q=raw))
    assert set(found) == {by_caller, by_customer}


def test_r_tic_1_unknown_number_leaves_the_customer_empty(demo, make_ticket, make_customer):
    make_customer(phones=["13800138000"])
    ticket = make_ticket(caller_phone="+86 139-0000-0000")
    assert ticket.customer_id is None and ticket.caller_phone == "13900000000"


def test_r_tic_1_a_customer_of_another_shop_is_not_matched(demo, make_ticket, make_customer):
    make_customer(phones=["13800138000"], shop="jd")
    assert make_ticket(caller_phone="13800138000").customer_id is None


def test_r_tic_1_explicit_customer_wins_over_the_number(demo, make_ticket, make_customer):
    a = make_customer("甲", phones=["13800138000"])
    b = make_customer("乙", phones=["13800138001"])
    ticket = services.create_ticket(actor=demo.users["agent1"], shop=demo.shops["tmall"], type="query",
                                    channel="hotline", title="x", customer_id=b.pk, caller_phone="13800138000")
    assert ticket.customer_id == b.pk and a.pk != b.pk
