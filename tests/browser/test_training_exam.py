"""R-TRN-1 in a real browser: the exam page shows a running countdown and submits the answers by itself when it
reaches zero; the result shows the score and the explanations. Skipped without Chromium
(tests/browser/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.browser


def test_r_trn_1_countdown_runs_and_submits_the_exam_at_zero(page, login):
    from django.utils import timezone
    from playwright.sync_api import expect

    from kefu.org.models import User
    from kefu.training import services
    from kefu.training.models import Attempt

    qa, agent = User.objects.get(username="qa1"), User.objects.get(username="agent1")
    course = services.create_course(actor=qa, title="服务用语规范", tags=["服务用语"], exam_questions=1, exam_minutes=1)
    services.add_question(actor=qa, course_id=course.pk, kind="true_false", text="通话结束时，应等客户先挂机。",
                          correct=[0], explanation="客户先挂机，避免客户还有话没说完。")
    attempt = services.start_attempt(actor=agent, course_id=course.pk)
    login(page, "agent1")
    # the test does not wait a whole minute: the deadline is brought to 10 seconds from now
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + dt.timedelta(seconds=10))
    page.goto(f"/training/attempts/{attempt.pk}/")
    timer = page.locator("[data-testid=exam-timer]")
    expect(timer).to_have_text(re.compile(r"^0:(0\d|10)$"))
    page.locator("[data-question] input[value='0']").check()
    # no click on the submit button: at zero the page submits itself, and the server accepts it (within grace)
    expect(page.locator("[data-testid=exam-result]")).to_be_visible()
    expect(page.locator("[data-testid=exam-result]")).to_contain_text("100.00")
    expect(page.locator("[data-review]")).to_contain_text("客户先挂机")
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed is True
