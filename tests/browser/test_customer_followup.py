"""R-CUS-5 in a real browser: an agent records a follow-up on the customer's page and sees the new
grade and next due date without the page reloading (HTMX)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "kefu-demo-2026"  # published demo password (API.md "Demo data")


def test_r_cus_5_followup_on_the_detail_page_updates_grade_and_next_due_in_place(page, live_demo):
    from django.utils import timezone
    from playwright.sync_api import expect

    from kefu.customers import services
    from kefu.org.models import Shop, User

    agent = User.objects.get(username="agent1")
    customer = services.create_customer(actor=agent, shop=Shop.objects.get(code="tmall"), name="浏览器客户",
                                        phones=["13800138000"], need_status="latent")
    assert customer.grade == "D"
    today = timezone.localdate()

    page.goto("/login/")
    page.fill("[name=username]", "agent1")
    page.fill("[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # "**/" matched /login/ too
    page.goto(f"/customers/{customer.pk}/")
    page.wait_for_load_state("load")
    expect(page.locator("[data-testid=customer-summary] [data-testid=grade]")).to_have_text("D")
    page.evaluate("window.__no_reload_marker = 42")

    form = page.locator("[data-testid=followup-form]")
    form.locator("[name=method]").select_option("phone")
    form.locator("[name=content]").fill("客户确认下月采购")
    form.locator("[name=need_status]").select_option("target")
    form.locator("[name=expected_close_date]").fill((today + dt.timedelta(days=45)).isoformat())
    form.locator("[data-testid=followup-submit]").click()

    # B: a clear need closing within 3 months; next due = today + 7 (R-CUS-3, R-CUS-4)
    expect(page.locator("[data-testid=customer-summary] [data-testid=grade]")).to_have_text("B")
    expect(page.locator("[data-testid=next-due]")).to_have_text((today + dt.timedelta(days=7)).isoformat())
    expect(page.locator("[data-testid=timeline]")).to_contain_text("客户确认下月采购")
    assert page.evaluate("window.__no_reload_marker") == 42  # the page was not reloaded
