"""Fixtures of the survey tests: a frozen clock and customers whose tickets were resolved in the period."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 12, 8)  # a Tuesday
NOW = dt.datetime(2026, 12, 8, 15, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def resolved(demo, clock):
    """``resolved(n, agent="agent1", shop="tmall")`` → n customers, each with one ticket resolved today."""
    from kefu.customers.services import create_customer
    from kefu.tickets import services as tickets

    counter = {"n": 0}

    def make(n: int, *, agent: str = "agent1", shop: str = "tmall", type_: str = "consultation"):
        out = []
        for _i in range(n):
            counter["n"] += 1
            actor = demo.users[agent]
            customer = create_customer(actor=actor, shop=demo.shops[shop], name=f"客户{counter['n']}",
                                       phones=[], need_status="target")
            ticket = tickets.create_ticket(actor=actor, shop=demo.shops[shop], type=type_, channel="hotline",
                                           title="咨询套餐资费", customer_id=customer.pk)
            ticket.refresh_from_db()
            tickets.transition(actor=actor, ticket_id=ticket.pk, to="resolved", version=ticket.version)
            out.append((customer, ticket))
        return out

    return make


@pytest.fixture
def survey(demo, clock):
    from kefu.surveys import services

    return services.create_survey(actor=demo.users["qa1"], title="十二月客户满意度调查", period_start=DAY,
                                  period_end=DAY)


@pytest.fixture
def full_scores():
    def scores(survey, value: int = 5) -> dict[str, int]:
        return {str(q.pk): value for q in survey.questions.all()}

    return scores
