"""The desk on a phone (390×844): a list of cards with the countdown visible, the caller lookup first —
the same page as on a desktop, laid out by CSS alone."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, live_demo):
    context = browser.new_context(locale="en-US", viewport=PHONE, base_url=live_server.url, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _tickets():
    from kefu.customers.services import create_customer
    from kefu.org.models import Shop, User
    from kefu.tickets import services

    agent = User.objects.get(username="agent1")
    shop = Shop.objects.get(code="tmall")
    customer = create_customer(actor=agent, shop=shop, name="欧阳娜娜娜女士", phones=["13800138000"],
                               need_status="target")
    for i in range(4):
        services.create_ticket(actor=agent, shop=shop, type="complaint", channel="hotline",
                               title=f"快递三天未送达且无人联系，客户要求尽快处理并回电说明情况 {i}",
                               customer_id=customer.pk, priority="high")


def test_phone_desk_shows_cards_with_countdown_and_caller_lookup_first(phone, login):
    from playwright.sync_api import expect

    _tickets()
    login(phone, "agent1")
    phone.goto("/tickets/")
    caller = phone.locator("[data-testid=quick-create]")
    table = phone.locator("[data-testid=ticket-table]")
    expect(caller).to_be_visible()
    first = table.locator("tbody tr").first
    countdown = first.locator("[data-testid=countdown]")
    expect(countdown).to_be_visible()

    # the caller lookup comes before the list
    assert caller.bounding_box()["y"] < table.bounding_box()["y"]
    # the header row of the table is hidden: each ticket is a card
    assert not table.locator("thead").is_visible()

    countdown.scroll_into_view_if_needed()
    box = countdown.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # not cut off at the right
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    # the page does not scroll sideways
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the customer's name is on one line, not one character a line
    name = first.locator(".cell-customer")
    assert name.bounding_box()["height"] < 40
    if os.environ.get("KEFU_SHOT"):
        phone.screenshot(path=os.environ["KEFU_SHOT"], full_page=True)
