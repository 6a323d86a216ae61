"""Ticket keyword search (R-TIC-1): Chinese words in title or description, the number, the caller's
phone; the same answers on SQLite and on PostgreSQL (grams index, kefu.core.search)."""

import pytest

from kefu.tickets.selectors import TicketFilters, list_tickets


@pytest.mark.parametrize(("q", "expected"), [
    ("退款", {"refund", "late"}), ("申请退", {"refund"}), ("漏水", {"leak"}), ("水", {"leak"}),
    ("洗碗机", set()),
])
def test_r_tic_1_keyword_search(demo, make_ticket, q, expected):
    tickets = {
        "refund": make_ticket(title="申请退款的流程", description="客户询问"),
        "late": make_ticket(title="到账慢", description="退款三天未到账"),
        "leak": make_ticket(title="空调漏水", description=""),
    }
    found = set(list_tickets(demo.users["head1"], TicketFilters(q=q)).values_list("pk", flat=True))
    assert found == {tickets[k].pk for k in expected}


def test_r_tic_1_search_by_number_and_caller_phone(demo, make_ticket):
    ticket = make_ticket(caller_phone="13800138000", title="咨询")
    make_ticket(title="别的")
    head = demo.users["head1"]
    assert list(list_tickets(head, TicketFilters(q=ticket.number.lower())).values_list("pk", flat=True)) == [ticket.pk]
    assert list(list_tickets(head, TicketFilters(q="+86 138-0013-8000")).values_list("pk", flat=True)) == [ticket.pk]
