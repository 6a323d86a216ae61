"""R-ORG-3 closed with R-KPI-1: the ladder's assessment score in force is the head's for the last full month,
else the KPI assessment score computed for that month, else the latest month the head entered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from kefu.workforce.selectors import ladder
from kefu.workforce.services import ladder as ladder_services
from kefu.workforce.tests.conftest import MONDAY, at

pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)  # the last full month before MONDAY (2026-12-07)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(MONDAY, 9), tick=False):
        yield


def resolved_in_november(demo, username="agent1"):
    """One clean ticket resolved within its limit on 2026-11-20: FCR 100 %, on time 100 %, no violation → 100."""
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket

    t = tickets.create_ticket(actor=demo.users[username], shop=demo.shops["tmall"], type="consultation",
                              channel="hotline", title="咨询")
    Ticket.objects.filter(pk=t.pk).update(status="resolved", resolved_at=at(dt.date(2026, 11, 20), 15),
                                          resolution_due=at(dt.date(2026, 11, 20), 18), handling_seconds=300)


def enter(demo, value: str, month: dt.date):
    return ladder_services.set_assessment_score(actor=demo.users["head1"], person=demo.users["agent1"],
                                                month=month, score=value)


def test_R_ORG_3_ladder_reads_the_computed_kpi_score_of_the_last_full_month(demo):
    resolved_in_november(demo)
    score = ladder.assessment_score(demo.users["agent1"])
    assert score is not None
    assert (score.score, score.month, score.source) == (Decimal("100.0"), NOVEMBER, "kpi")


def test_R_ORG_3_a_hand_entered_score_for_the_month_wins(demo):
    resolved_in_november(demo)
    enter(demo, "70", NOVEMBER)
    score = ladder.assessment_score(demo.users["agent1"])
    assert (score.score, score.source) == (Decimal("70.00"), "manual")


def test_R_ORG_3_an_older_entered_score_gives_way_to_the_computed_one(demo):
    resolved_in_november(demo)
    enter(demo, "70", dt.date(2026, 10, 1))
    assert ladder.assessment_score(demo.users["agent1"]).score == Decimal("100.0")


def test_R_ORG_3_without_work_last_month_the_latest_entered_score_stays(demo):
    enter(demo, "70", dt.date(2026, 10, 1))
    assert ladder.assessment_score(demo.users["agent1"]).score == Decimal("70.00")
    assert ladder.assessment_score(demo.users["agent2"]) is None


def test_R_ORG_3_the_level_criterion_uses_the_computed_score(demo):
    from kefu.workforce.models import Level

    resolved_in_november(demo)
    level = Level.objects.order_by("rank").exclude(min_score=0).first()
    if level is None:
        pytest.skip("no level with a score criterion in the demo ladder")
    criteria = {c.code: c.met for c in ladder.level_criteria(demo.users["agent1"], level, now=at(MONDAY, 9))}
    assert criteria["score"] is True
