"""The demo quality data: reviews through the services on the demo clock, one appeal; running it again adds
nothing."""

from __future__ import annotations

from kefu.quality.demo import seed_demo_quality
from kefu.quality.models import Appeal, Review, TicketCheck, WeeklySummary


def test_seed_demo_quality_is_idempotent(demo):
    from kefu.tickets.demo import seed_demo_tickets

    seed_demo_tickets()
    made = seed_demo_quality()
    assert (made["reviews"], made["appeals"], made["summaries"]) == (4, 1, 1)
    assert made["checks"] == TicketCheck.objects.count() > 0
    assert WeeklySummary.objects.get().status == "draft"
    assert Review.objects.filter(failed=True, score=0).count() == 1
    assert Review.objects.filter(mystery=True).count() == 1
    assert Appeal.objects.filter(status="pending").count() == 1
    assert seed_demo_quality() == {"reviews": 0, "appeals": 0, "checks": 0, "summaries": 0}
    assert Review.objects.count() == 4
