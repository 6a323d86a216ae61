"""R-TIC-7 灵活授权 on tickets without a customer. The customer's day total cannot be counted there, so the
requester's own compensation on tickets without a customer that day (approved and pending, Asia/Shanghai
day) is held against the same customer-day ladder: self-approval there is capped per person per day. And
giving such a ticket a customer later (merge) adds its compensation to that customer's day totals, each
on the day it was requested: refused (422 naming ``customer_id``, rule R-TIC-7, nothing changes) when a
day's total would then exceed the linking person's authority; a lead or head whose authority covers it
may link."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kefu.core.errors import RuleViolation
from kefu.org.tests.parallel import in_parallel, shared_database  # noqa: F401 - fixture
from kefu.tickets import services
from kefu.tickets.models import Compensation, Ticket, TicketEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture
def customer(make_customer):
    return make_customer("李先生")


def _everything():
    """What a refused merge must leave alone: every ticket's state and every compensation."""
    tickets = list(Ticket.objects.order_by("pk").values_list("pk", "status", "merged_into", "customer", "version"))
    comps = list(Compensation.objects.order_by("pk").values_list("pk", "ticket", "amount", "status",
                                                                  "required_role", "decided_by"))
    return tickets, comps, TicketEvent.objects.count()


# -- the requester's own day on tickets without a customer ----------------------------------------------


def test_r_tic_7_customerless_own_day_total_exactly_at_the_agents_authority_is_self_approved(demo, make_ticket,
                                                                                            request_):
    first, second, third = (make_ticket(type="complaint") for _ in range(3))
    assert request_(first, "30").status == "approved"
    comp = request_(second, "20")  # ¥50.00 of agent1's own today on tickets without a customer
    assert comp.status == "approved" and comp.decided_by == demo.users["agent1"]
    event = TicketEvent.objects.filter(ticket=second, kind="compensation").latest("pk")
    assert event.data["requester_day_total"] == "50.00" and "customer_day_total" not in event.data
    comp = request_(third, "0.01")  # ¥0.01 on this ticket, ¥50.01 of agent1's own today
    assert comp.status == "pending" and comp.required_role == "lead" and comp.decided_by is None


def test_r_tic_7_customerless_reported_case_one_50_per_ticket_is_not_self_approved_each_time(demo, make_ticket,
                                                                                            request_):
    """The reported split: ¥50 on each of several new tickets without a customer."""
    comps = [request_(make_ticket(type="complaint"), "50") for _ in range(5)]
    assert [(c.status, c.required_role) for c in comps] == [
        ("approved", ""), ("pending", "lead"), ("pending", "lead"), ("pending", "lead"), ("pending", "head")]


def test_r_tic_7_customerless_own_day_counts_pending_not_rejected(demo, make_ticket, request_):
    first, second = make_ticket(type="complaint"), make_ticket(type="complaint")
    big = request_(first, "60")
    assert big.status == "pending"
    assert request_(second, "10").status == "pending"  # ¥70 of agent1's own today, the ¥60 still pending
    services.decide_compensation(actor=demo.users["lead1"], compensation_id=big.pk, approve=False, note="过高")
    assert request_(make_ticket(type="complaint"), "40").status == "approved"  # ¥10 + ¥40: rejected ¥60 not counted


def test_r_tic_7_customerless_own_day_is_per_person_and_leaves_customer_tickets_out(demo, make_ticket, request_,
                                                                                   customer):
    with_customer = make_ticket(type="complaint", customer_id=customer.pk)
    assert request_(with_customer, "50").status == "approved"  # the customer's day, not agent1's own
    assert request_(make_ticket(type="complaint"), "50").status == "approved"
    assert request_(make_ticket(type="complaint", actor="agent2"), "50", who="agent2").status == "approved"
    assert request_(make_ticket(type="complaint"), "0.01").status == "pending"


def test_r_tic_7_customerless_own_day_ends_at_midnight_in_shanghai(demo, make_ticket, request_, clock):
    clock.at = dt.datetime(2026, 12, 4, 23, 59, 59, tzinfo=SHANGHAI)
    assert request_(make_ticket(type="complaint"), "50").status == "approved"
    assert request_(make_ticket(type="complaint"), "0.01").status == "pending"  # same day
    clock.at = dt.datetime(2026, 12, 5, 0, 0, tzinfo=SHANGHAI)
    assert request_(make_ticket(type="complaint"), "50").status == "approved"  # a new day


def test_r_tic_7_customerless_own_day_uses_the_customer_day_ladder_settings(demo, make_ticket, request_, set_rules):
    set_rules(tickets__compensation_customer_day_limit__agent="80.00")
    assert request_(make_ticket(type="complaint"), "50").status == "approved"
    assert request_(make_ticket(type="complaint"), "30").status == "approved"  # ¥80.00
    comp = request_(make_ticket(type="complaint"), "0.01")
    assert comp.status == "pending" and comp.required_role == "lead"


def test_r_tic_7_customerless_a_leads_own_day_is_200(demo, make_ticket, request_):
    assert request_(make_ticket(type="complaint"), "150", who="lead1").status == "approved"
    assert request_(make_ticket(type="complaint"), "50", who="lead1").status == "approved"  # ¥200.00
    comp = request_(make_ticket(type="complaint"), "0.01", who="lead1")
    assert comp.status == "pending" and comp.required_role == "head"


# -- giving a ticket with compensation a customer later (merge) --------------------------------------------


def _merge(demo, who, duplicate, survivor):
    return services.merge(actor=demo.users[who], ticket_id=duplicate.pk, into_id=survivor.pk)


def test_r_tic_7_merge_linking_a_customer_exactly_at_the_authority_is_allowed(demo, make_ticket, request_, customer):
    loose = make_ticket(type="complaint")
    theirs = make_ticket(type="complaint", customer_id=customer.pk)
    assert request_(loose, "30").status == "approved"
    assert request_(theirs, "20").status == "approved"
    _merge(demo, "agent1", loose, theirs)  # the customer's day: ¥50.00
    assert Ticket.objects.get(pk=loose.pk).customer_id == customer.pk  # its compensation is the customer's now
    comp = request_(make_ticket(type="complaint", customer_id=customer.pk), "0.01")
    assert comp.status == "pending" and comp.required_role == "lead"  # ¥50.01 for the customer today


def test_r_tic_7_merge_pushing_the_customers_day_above_the_authority_is_refused(demo, make_ticket, request_,
                                                                               customer):
    """The reported case: ¥50 self-approved without a customer, ¥50 on the customer's ticket, then merged."""
    loose = make_ticket(type="complaint")
    theirs = make_ticket(type="complaint", customer_id=customer.pk)
    assert request_(loose, "30").status == "approved"
    assert request_(theirs, "20.01").status == "approved"
    before = _everything()
    with pytest.raises(RuleViolation) as exc:
        _merge(demo, "agent1", loose, theirs)  # ¥50.01 for the customer today
    assert exc.value.rule == "R-TIC-7" and exc.value.status_code == 422
    assert [e.field for e in exc.value.errors] == ["customer_id"]
    assert "50.01" in str(exc.value.errors[0].message)
    assert _everything() == before
    _merge(demo, "lead1", loose, theirs)  # the lead's ¥200 covers it
    assert Ticket.objects.get(pk=loose.pk).merged_into_id == theirs.pk


def test_r_tic_7_merge_a_survivor_without_customer_gets_one_is_checked_too(demo, make_ticket, request_, customer):
    """The survivor's compensation becomes the customer's when the duplicate brings the customer."""
    survivor = make_ticket(type="complaint")
    duplicate = make_ticket(type="complaint", customer_id=customer.pk)
    assert request_(survivor, "50").status == "approved"
    assert request_(make_ticket(type="complaint", customer_id=customer.pk), "0.01").status == "approved"
    before = _everything()
    with pytest.raises(RuleViolation) as exc:
        _merge(demo, "agent1", duplicate, survivor)
    assert [e.field for e in exc.value.errors] == ["customer_id"]
    assert _everything() == before
    _merge(demo, "lead1", duplicate, survivor)
    assert Ticket.objects.get(pk=survivor.pk).customer_id == customer.pk


def test_r_tic_7_merge_counts_pending_compensation_and_each_on_its_own_day(demo, make_ticket, request_, customer,
                                                                          clock):
    loose = make_ticket(type="complaint")
    clock.at = NOON - dt.timedelta(days=1)
    assert request_(loose, "50").status == "approved"  # yesterday, without a customer
    clock.at = NOON
    theirs = make_ticket(type="complaint", customer_id=customer.pk)
    assert request_(theirs, "50").status == "approved"  # today, the customer's
    _merge(demo, "agent1", loose, theirs)  # ¥50 yesterday, ¥50 today: each day within ¥50
    loose2 = make_ticket(type="complaint")
    assert request_(loose2, "0.01").status == "approved"  # yesterday's ¥50 is the customer's now
    pending = request_(loose2, "60")
    assert pending.status == "pending" and pending.required_role == "lead"
    before = _everything()
    with pytest.raises(RuleViolation):  # the customer's today: ¥50 + ¥0.01 + pending ¥60 = ¥110.01
        _merge(demo, "agent1", loose2, theirs)
    assert _everything() == before
    _merge(demo, "lead1", loose2, theirs)  # within the lead's ¥200


def test_r_tic_7_merge_without_compensation_or_above_a_head_only_with_authority(demo, make_ticket, request_,
                                                                               customer):
    theirs = make_ticket(type="complaint", customer_id=customer.pk)
    assert request_(theirs, "1000", who="head1").status == "approved"
    _merge(demo, "agent1", make_ticket(type="complaint"), theirs)  # nothing to add: no check
    loose = make_ticket(type="complaint")
    assert request_(loose, "0.01").status == "approved"
    with pytest.raises(RuleViolation) as exc:
        _merge(demo, "head1", loose, theirs)  # ¥1000.01 is the director's
    assert "1000.01" in str(exc.value.errors[0].message)
    _merge(demo, "director1", loose, theirs)


def test_r_tic_7_api_merge_above_the_authority_is_422_naming_customer_id(demo, make_ticket, request_, customer,
                                                                        clients):
    loose = make_ticket(type="complaint")
    theirs = make_ticket(type="complaint", customer_id=customer.pk)
    request_(loose, "50")
    request_(theirs, "0.01")
    before = _everything()
    response = clients("agent").post(f"/api/v1/tickets/{loose.pk}/merge", {"into": theirs.pk},
                                     content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] and body["rule"] == "R-TIC-7"
    assert [e["field"] for e in body["errors"]] == ["customer_id"]
    assert _everything() == before
    response = clients("lead").post(f"/api/v1/tickets/{loose.pk}/merge", {"into": theirs.pk},
                                    content_type="application/json")
    assert response.status_code == 200, response.content
    assert Compensation.objects.filter(ticket__customer=customer, status="approved").count() == 2
    assert sum(Compensation.objects.filter(ticket__customer=customer).values_list("amount", flat=True)) == Decimal(
        "50.01")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_database")
def test_r_tic_7_customerless_parallel_requests_by_one_person_cannot_both_slip_under_the_limit():
    """Ten ¥50 requests by agent1 at the same moment on ten tickets without a customer: the requester's
    row and the rows summed are locked while the own day total is counted, so ¥50 is approved once."""
    from kefu.org.demo import seed_demo
    from kefu.org.models import Shop, User

    seed_demo()
    agent = User.objects.get(username="agent1")
    shop = Shop.objects.get(code="tmall")
    queue = iter([services.create_ticket(actor=agent, shop=shop, type="complaint", channel="hotline",
                                         title="无客户补偿") for _ in range(10)])
    lock = threading.Lock()

    def send():
        with lock:
            ticket = next(queue)
        return services.request_compensation(actor=User.objects.get(username="agent1"), ticket_id=ticket.pk,
                                             amount="50", reason="同时申请")

    results = in_parallel(send, 10)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(r.status for r in results) == ["approved"] + ["pending"] * 9
    assert Compensation.objects.filter(status="approved").count() == 1
