"""R-TIC-10 in a real browser: an agent confirms an announcement on the list; the row, the bell's count and
the unconfirmed banner change without reloading the page; the bell's menu marks everything read.
Skipped without Chromium (see tests/browser/conftest.py for the conventions)."""

from __future__ import annotations

import os

import pytest
from django.db import connections

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("KEFU_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "kefu-demo-2026"  # published demo password (API.md "Demo data")


@pytest.fixture
def browser_page(live_server, transactional_db):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        if os.environ.get("KEFU_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}", pytrace=False)
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from kefu.org.demo import seed_demo

    seed_demo()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()
        connections.close_all()


def _login(page, username):
    page.goto("/login/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/")


def test_r_tic_10_confirm_updates_row_bell_and_banner_without_reload(browser_page):
    from playwright.sync_api import expect

    from kefu.announcements import services
    from kefu.announcements.models import AnnouncementRead
    from kefu.org.models import User

    head = User.objects.get(username="head1")
    first = services.publish(actor=head, title="双十一活动口径", body="满300减40。", kind="promotion", email=False)
    services.publish(actor=head, title="退款时限调整", body="1个工作日。", kind="business_change", email=False)
    page = browser_page
    _login(page, "agent1")
    page.goto("/announcements/")
    # the banner, embedded as the home page would (announcements/_unconfirmed_banner.html)
    page.evaluate("""() => {
        const box = document.createElement("div");
        box.setAttribute("hx-get", "/announcements/banner/"); box.setAttribute("hx-trigger", "load");
        box.setAttribute("hx-swap", "outerHTML");
        document.querySelector(".page-body").prepend(box); htmx.process(box);
        window.__no_reload_marker = 42;
    }""")
    badge = page.locator("#notification-badge [data-testid=notification-count]")
    expect(badge).to_have_attribute("data-count", "2")
    expect(page.locator("[data-testid=announcements-banner]")).to_have_attribute("data-count", "2")

    row = page.locator(f"#announcement-{first.pk}")
    row.locator("[data-testid=confirm]").click()
    expect(row.locator("[data-testid=confirmed]")).to_be_visible()
    expect(badge).to_have_attribute("data-count", "1")  # the bell re-read its count (HX-Trigger)
    expect(page.locator("[data-testid=announcements-banner]")).to_have_attribute("data-count", "1")
    assert page.evaluate("window.__no_reload_marker") == 42
    assert AnnouncementRead.objects.filter(announcement=first, person__username="agent1",
                                           confirmed_at__isnull=False).exists()

    # the bell's menu: open it, mark all read; the count disappears without a reload
    page.locator("[data-testid=notification-bell] > a").click()
    items = page.locator("[data-testid=notification-item]")
    expect(items).to_have_count(2)
    page.locator("[data-testid=notification-bell] [data-testid=notifications-mark-all]").click()
    expect(page.locator("[data-testid=notification-item][data-read='0']")).to_have_count(0)
    expect(badge).to_have_count(0)
    assert page.evaluate("window.__no_reload_marker") == 42
