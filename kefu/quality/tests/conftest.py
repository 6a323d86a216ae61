"""Fixtures of the quality tests: tickets through the tickets service, the default scorecard, a review
helper and JSON API calls."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)  # a Friday, a working day
FULL = {"wording": 20, "attitude": 25, "tone": 15, "need": 25, "adaptability": 15}


@pytest.fixture
def clock():
    """The clock stands at ``NOW`` (moved with ``clock(moment)``)."""
    travels = []

    def move(moment: dt.datetime):
        if travels:
            travels.pop().stop()
        travel = time_machine.travel(moment, tick=False)
        travel.start()
        travels.append(travel)
        return moment

    move(NOW)
    yield move
    while travels:
        travels.pop().stop()


@pytest.fixture
def make_ticket(demo, clock):
    """``make_ticket(actor="agent1", shop="tmall", **fields)`` through the tickets service."""
    from kefu.tickets import services

    def make(actor: str = "agent1", shop: str = "tmall", **fields):
        fields.setdefault("type", "consultation")
        fields.setdefault("channel", "hotline")
        fields.setdefault("title", "咨询套餐资费")
        return services.create_ticket(actor=demo.users[actor], shop=demo.shops[shop], **fields)

    return make


@pytest.fixture
def card(db):
    from kefu.quality.selectors import default_scorecard

    return default_scorecard()


@pytest.fixture
def review(demo, make_ticket):
    """``review(ticket=None, who="qa1", scores=FULL, **kw)`` through the service."""
    from kefu.quality import services

    def make(ticket=None, who: str = "qa1", scores=None, **kw):
        ticket = ticket or make_ticket()
        return services.create_review(actor=demo.users[who], ticket_id=ticket.pk, scores=dict(scores or FULL),
                                      comment=kw.pop("comment", "规范"), **kw)

    return make


def call(client, method: str, path: str, data=None):
    fn = getattr(client, method)
    if data is None:
        return fn(f"/api/v1{path}")
    return fn(f"/api/v1{path}", data=json.dumps(data, default=str), content_type="application/json")
