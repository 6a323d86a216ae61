"""Demo quality inspection for the seed_demo centre (SPEC §5): qa1 and head1 review a few of the demo tickets —
one with a critical failure, one mystery-customer review — and one agent appeals a review (awaiting head1's
decision); the automatic checks run on the demo tickets with replies, and this week's QA summary of the
service department is drafted (R-QA-3) so that its page has something to edit and publish. Timed back from now through kefu.core.demo_clock and written through the services; safe to run
again: a ticket the demo already reviewed is not reviewed twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from kefu.core import demo_clock
from kefu.org.models import User
from kefu.quality import services, summary_selectors
from kefu.quality.autocheck_services import run_ticket_checks
from kefu.quality.models import Appeal, Review, WeeklySummary
from kefu.quality.summary_services import draft_weekly_summary
from kefu.tickets.access import tickets_in_scope

FULL = {"wording": 20, "attitude": 25, "tone": 15, "need": 25, "adaptability": 15}
# who reviews, points changed from full marks, critical items failed, mystery, comment, item comments
REVIEWS = [
    ("qa1", {"tone": 10, "need": 20}, [], False, "整体规范，复述客户需求时略有遗漏。", {"need": "未确认客户的订单号"}),
    ("qa1", {}, [], True, "神秘客户暗访：服务流程完整，用语规范。", {}),
    ("qa1", {"attitude": 15, "adaptability": 8}, [], False, "客户情绪激动时应对生硬。",
     {"attitude": "出现“这不归我们管”的推诿说法"}),
    ("head1", {"wording": 15}, ["data_leak"], False, "向来电人透露了他人的订单地址，致命项不合格。", {}),
]
APPEAL_REASON = "当时客户要求尽快处理，语速较快是按客户要求，申请复核“语气语调”一项。"


@transaction.atomic
def seed_demo_quality() -> dict[str, int]:
    qa = User.objects.filter(username="qa1").first()
    if qa is None or not qa.centre_id:
        raise LookupError("Run seed_demo first: the demo QA inspector qa1 is missing.")
    now = timezone.now()
    reviewed = set(Review.objects.values_list("ticket_id", flat=True))
    candidates = list(tickets_in_scope(qa).filter(owner__isnull=False, created_at__lte=now - dt.timedelta(hours=1))
                      .select_related("owner").order_by("-created_at")[:200])
    made = {"reviews": 0, "appeals": 0, "checks": 0, "summaries": 0}
    if Review.objects.filter(comment__in=[r[4] for r in REVIEWS]).exists():
        return made  # the demo reviews are there already
    picks, owners = [], set()
    for t in candidates:
        if t.pk not in reviewed and t.owner_id not in owners:
            picks.append(t)
            owners.add(t.owner_id)
        if len(picks) == len(REVIEWS):
            break
    first_review = None
    for n, (ticket, (who, changes, critical, mystery, comment, notes)) in enumerate(zip(picks, REVIEWS, strict=False)):
        moment = min(now, max(ticket.created_at + dt.timedelta(minutes=40),
                              now - dt.timedelta(minutes=50 * (len(picks) - n))))
        with demo_clock.at(moment):
            review = services.create_review(actor=User.objects.get(username=who), ticket_id=ticket.pk,
                                            scores={**FULL, **changes}, critical_failed=critical, comment=comment,
                                            mystery=mystery, item_comments=notes)
        made["reviews"] += 1
        first_review = first_review or review
    if first_review is not None and not Appeal.objects.exists():
        with demo_clock.at(min(now, first_review.created_at + dt.timedelta(minutes=20))):
            services.appeal_review(actor=first_review.agent, review_id=first_review.pk, reason=APPEAL_REASON)
        made["appeals"] += 1
    for ticket in candidates:
        run_ticket_checks(ticket_id=ticket.pk)
        made["checks"] += 1
    made["summaries"] = _draft_summaries(summary_selectors.monday(timezone.localdate(now)))
    return made


def _draft_summaries(week_start: dt.date) -> int:
    from kefu.org.models import Department

    n = 0
    for department in Department.objects.filter(kind=Department.Kind.SERVICE).order_by("pk"):
        if (summary_selectors.department_agents(department.pk).exists()
                and not WeeklySummary.objects.filter(department=department, week_start=week_start).exists()):
            draft_weekly_summary(department=department, week_start=week_start)
            n += 1
    return n
