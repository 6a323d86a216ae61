"""R-QA-1 in a real browser: the review form beside the ticket's timeline adds up the points as the inspector
types (HTMX live total), a ticked critical item (致命项) shows 0 and failed, and saving lands on the review's
page with its score; the team page draws its ECharts charts. Skipped without Chromium
(tests/browser/conftest.py)."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser

SCORES = {"wording": "20", "attitude": "20", "tone": "15", "need": "25", "adaptability": "10"}


def test_r_qa_1_review_form_live_total_and_save(page, login):
    from playwright.sync_api import expect

    from kefu.org.models import Shop, User
    from kefu.quality.models import Review
    from kefu.tickets import services

    ticket = services.create_ticket(actor=User.objects.get(username="agent1"), shop=Shop.objects.get(code="tmall"),
                                    type="consultation", channel="hotline", title="咨询套餐资费",
                                    description="客户询问 5G 套餐")
    login(page, "qa1")
    page.goto(f"/quality/review/{ticket.pk}/")
    expect(page.locator("[data-testid=timeline]")).to_be_visible()
    for code, points in SCORES.items():
        page.fill(f"[name=score_{code}]", points)
    expect(page.locator("[data-testid=total]")).to_contain_text("90")
    page.check("[name=critical_data_leak]")
    expect(page.locator("[data-testid=total]")).to_contain_text("0")
    expect(page.locator("[data-testid=total] .badge")).to_be_visible()
    page.uncheck("[name=critical_data_leak]")
    expect(page.locator("[data-testid=total]")).to_contain_text("90")
    page.fill("[name=comment_attitude]", "语气略显不耐烦")
    shots = os.environ.get("KEFU_BROWSER_ARTIFACTS")
    if shots:
        page.screenshot(path=f"{shots}/quality-review-form.png", full_page=True)
    page.click("button[type=submit]:has-text('保存质检')")
    page.wait_for_url("**/quality/reviews/*/")
    expect(page.locator("[data-testid=score]")).to_have_text("90")
    review = Review.objects.get()
    assert (review.score, review.agent.username) == (90, "agent1")
    page.goto("/quality/team/")
    expect(page.locator("#chart-distribution canvas")).to_have_count(1)
    if shots:
        page.screenshot(path=f"{shots}/quality-team.png", full_page=True)
