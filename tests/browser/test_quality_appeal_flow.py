"""Issue 11's browser story: qa1 reviews a ticket from the month's sample on the inspector's desk, agent1
appeals the review once, and head1 upholds the appeal with a new score (R-QA-1, R-QA-2). Skipped without
Chromium (tests/browser/conftest.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SCORES = {"wording": "15", "attitude": "20", "tone": "10", "need": "20", "adaptability": "10"}


def test_qa1_reviews_a_sampled_ticket_agent1_appeals_and_head1_upholds(page, login):
    from playwright.sync_api import expect

    from kefu.org.models import Shop, User
    from kefu.quality.models import Review
    from kefu.tickets import services

    agent = User.objects.get(username="agent1")
    ticket = services.create_ticket(actor=agent, shop=Shop.objects.get(code="tmall"), type="complaint",
                                    channel="hotline", title="投诉快递延误", description="客户投诉快递三天未到")

    login(page, "qa1")
    page.goto("/quality/desk/")
    row = page.locator("[data-testid=sample-row]", has_text=ticket.number)
    expect(row).to_have_count(1)
    row.locator("a.btn-primary").click()
    page.wait_for_url(f"**/quality/review/{ticket.pk}/")
    for code, points in SCORES.items():
        page.fill(f"[name=score_{code}]", points)
    expect(page.locator("[data-testid=total]")).to_contain_text("75")
    page.click("button[type=submit]:has-text('保存质检')")
    page.wait_for_url("**/quality/reviews/*/")
    review = Review.objects.get(ticket=ticket)
    assert review.score == 75 and review.agent == agent

    page.context.clear_cookies()
    login(page, "agent1")
    page.goto(f"/quality/reviews/{review.pk}/")
    page.fill("[data-testid=appeal-form] [name=reason]", "客户情绪激动，我已按流程安抚并升级处理")
    page.click("[data-testid=appeal-form] button[type=submit]")
    expect(page.locator("[data-testid=appeal]")).to_be_visible()
    expect(page.locator("[data-testid=appeal-form]")).to_have_count(0)  # one appeal per review (R-QA-2)

    page.context.clear_cookies()
    login(page, "head1")
    page.goto("/quality/appeals/")
    pending = page.locator("[data-testid=pending-appeal]").first
    pending.locator("[name=upheld]").select_option("yes")
    pending.locator("[name=score]").fill("88")
    pending.locator("[name=note]").fill("录音复核：处理得当，维持申诉")
    pending.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=none-pending]")).to_be_visible()
    review.refresh_from_db()
    assert review.score == 88 and review.original_score == 75
    page.goto(f"/quality/reviews/{review.pk}/")
    expect(page.locator("[data-testid=score]")).to_have_text("88")
