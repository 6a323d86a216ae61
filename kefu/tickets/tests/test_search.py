"""Ticket keyword search (R-TIC-1): Chinese words in title or description, the number, the caller's
phone; the same answers on SQLite and on PostgreSQL (grams index, kefu.core.search)."""

import pytest

from kefu.core.testing import zh
from kefu.tickets.selectors import TicketFilters, TicketList, list_tickets


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


def test_r_tic_1_numbers_typed_find_the_caller_the_ticket_and_the_texts_that_mention_them(demo, make_ticket):
    caller = make_ticket(caller_phone="13800138000", title="咨询")
    mentioned = make_ticket(title="回拨", description="客户留的号码 138-0013-8000 与 13800138000")
    order = make_ticket(title="订单 4521987765432109876 未发货", description="预计 2026-11-23 到货")
    head = demo.users["head1"]

    def found(q):
        return set(list_tickets(head, TicketFilters(q=q)).values_list("pk", flat=True))

    assert found("138 0013 8000") == {caller.pk}  # this notation is written in no text
    assert found("13800138000") == {caller.pk, mentioned.pk}
    assert found("4521987765432109876") == {order.pk}
    assert found("2026-11-23") == {order.pk}
    assert found(f" {caller.number.lower()} ") == {caller.pk}


# -- the count of a keyword search stops at a cap; the pages stay in list order -------------------------

@pytest.fixture
def refunds(demo, make_ticket, settings):
    settings.KEFU_SEARCH_COUNT_CAP = 3
    made = [make_ticket(title=f"退款{i}", priority=priority)
            for i, priority in enumerate(["low", "urgent", "normal", "high", "normal"])]
    make_ticket(title="咨询")
    return made


def sla_order(tickets):
    return [t.pk for t in sorted(tickets, key=lambda t: (t.resolution_due, t.pk))]


def test_a_keyword_with_more_matches_than_the_cap_counts_up_to_the_cap(demo, refunds):
    found = TicketList(demo.users["head1"], TicketFilters(q="退款"), order_by=("resolution_due", "id"))
    assert found.count() == 3 and found.capped
    # the pages hold every match in list order (walking the order's index, not the grams index)
    assert [t.pk for t in found[0:5]] == sla_order(refunds)


def test_a_keyword_with_as_many_matches_as_the_cap_is_counted_exactly(demo, refunds):
    found = TicketList(demo.users["head1"], TicketFilters(q="退款1"), order_by=("resolution_due", "id"))
    assert found.count() == 1 and not found.capped
    at_cap = TicketList(demo.users["head1"], TicketFilters(q="退款", priority="normal,high"),
                        order_by=("resolution_due", "id"))
    assert at_cap.count() == 3 and not at_cap.capped  # exactly as many as the cap: an exact count
    assert [t.pk for t in at_cap[0:5]] == sla_order([refunds[2], refunds[3], refunds[4]])


def test_the_api_says_when_the_count_stopped_at_the_cap(demo, clients, refunds):
    capped = clients("head").get("/api/v1/tickets", {"q": "退款", "page_size": 2})
    assert capped.status_code == 200 and capped["X-Count-Capped"] == "true"
    body = capped.json()
    assert set(body) == {"items", "count", "page", "page_size", "next"}  # API.md's list shape, and the cursor
    assert body["count"] == 3 and [t["id"] for t in body["items"]] == sla_order(refunds)[:2]
    exact = clients("head").get("/api/v1/tickets", {"q": "退款4"})
    assert exact.json()["count"] == 1 and "X-Count-Capped" not in exact


def test_the_desk_says_more_than_when_the_count_stopped_at_the_cap(demo, clients, refunds, settings, monkeypatch):
    from kefu.tickets import views_desk

    settings.KEFU_SEARCH_COUNT_CAP = 2
    monkeypatch.setattr(views_desk, "PAGE_SIZE", 1)
    body = clients("head").get("/tickets/", {"q": "退款", "status": ""}).content.decode()
    assert zh("%(start)s–%(end)s of more than %(count)s", start=1, end=1, count=2) in body
