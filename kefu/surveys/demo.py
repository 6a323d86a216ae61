"""A demo RATER survey (R-SAT-1) over the last 30 days, sent by qa1 to a sample of the demo customers, two
thirds of them answered. Safe to run again: a survey of that title is left alone."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from kefu.core.errors import RuleViolation
from kefu.org.models import User
from kefu.surveys import services
from kefu.surveys.models import Survey

TITLE = "近30天客户满意度调查（RATER）"
COMMENTS = ["客服很耐心，问题一次就解决了。", "等待时间有点长，希望能更快接通。", "退款处理很及时，谢谢！",
            "对套餐规则解释得很清楚。", ""]


@transaction.atomic
def seed_demo_surveys(*, seed: int = 2026) -> dict:
    if Survey.objects.filter(title=TITLE).exists():
        return {"created": 0, "answered": 0}
    qa = User.objects.filter(username="qa1").first()
    if qa is None:
        raise LookupError("Run seed_demo first: the demo user qa1 is missing.")
    today = timezone.localdate()
    survey = services.create_survey(actor=qa, title=TITLE, intro="感谢您近期联系我们的客服，请花一分钟为我们的服务打分。",
                                    period_start=today - dt.timedelta(days=30), period_end=today)
    try:
        links = services.send_invitations(actor=qa, survey_id=survey.pk, size=24, seed=seed)
    except RuleViolation:
        return {"created": 1, "answered": 0}
    rng = random.Random(seed)  # noqa: S311 (demo data)
    questions = list(survey.questions.all())
    answered = 0
    for i, link in enumerate(links):
        if i % 3 == 2:
            continue
        base = rng.choice([3, 4, 4, 5, 5])
        scores = {str(q.pk): max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for q in questions}
        services.submit_answer(token=link.token, scores=scores, comment=rng.choice(COMMENTS))
        answered += 1
    return {"created": 1, "answered": answered}
