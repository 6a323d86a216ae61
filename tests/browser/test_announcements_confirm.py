"""R-TIC-10 in a real browser: an agent confirms an announcement on the list; the row, the bell's count and
the unconfirmed banner change without reloading the page; the bell's menu marks everything read.
Skipped without Chromium (tests/browser/conftest.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser





def test_r_tic_10_confirm_updates_row_bell_and_banner_without_reload(page, login):
    from playwright.sync_api import expect

    from kefu.announcements import services
    from kefu.announcements.models import AnnouncementRead
    from kefu.org.models import User

    head = User.objects.get(username="head1")
    first = services.publish(actor=head, title="双十一活动口径", body="满300减40。", kind="promotion", email=False)
    services.publish(actor=head, title="退款时限调整", body="1个工作日。", kind="business_change", email=False)
    login(page, "agent1")
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
