"""The wallboard (大屏) in a real browser: dark, no menu, the per-hour chart drawn, and the figures refreshed from
GET /api/v1/wallboard without a page reload when a ticket comes in; the head's home loads its waiting list."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_wallboard_refreshes_without_reload(page, login, monkeypatch):
    from playwright.sync_api import expect

    from kefu.org.models import Shop, User
    from kefu.performance import views_wallboard
    from kefu.tickets import services as tickets

    monkeypatch.setattr(views_wallboard, "REFRESH_SECONDS", 1)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "head1")
    page.goto("/performance/wallboard/")
    expect(page.locator("[data-testid=wallboard]")).to_be_visible()
    expect(page.locator("#wb-chart canvas")).to_have_count(1)
    assert page.locator(".navbar").count() == 0
    today = page.locator("[data-field='contacts.today']")
    before = int(today.inner_text())
    page.evaluate("window.__sameDocument = true")
    tickets.create_ticket(actor=User.objects.get(username="agent1"), shop=Shop.objects.get(code="tmall"),
                          type="complaint", channel="hotline", title="投诉")
    expect(today).to_have_text(str(before + 1), timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True  # not reloaded
    assert errors == []


def test_head_home_loads_the_waiting_list(page, login):
    from playwright.sync_api import expect

    login(page, "head1")
    page.goto("/")
    expect(page.locator("[data-testid=home-attention]")).to_be_visible()
    expect(page.locator("[data-testid=attention-report_due]")).to_be_visible()
