"""R-KPI-2 report pages in a real browser: the head generates the weekly report (computed by the Huey job,
immediate here) and the page draws its two ECharts charts without a script error."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def test_weekly_report_generates_and_draws_its_charts(page, login):
    from playwright.sync_api import expect

    from kefu.org.models import Shop, User
    from kefu.tickets import services as tickets

    agent = User.objects.get(username="agent1")
    tickets.create_ticket(actor=agent, shop=Shop.objects.get(code="tmall"), type="complaint", channel="hotline",
                          title="投诉")
    year, week, _d = timezone.localdate().isocalendar()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "head1")
    page.goto(f"/performance/reports/weekly/?week={year}-W{week:02d}")
    expect(page.locator("[data-testid=report-empty]")).to_be_visible()
    page.click("[data-testid=report-generate] button")
    expect(page.locator("[data-testid=section-by_team]")).to_be_visible()
    expect(page.locator("#chart-a canvas")).to_have_count(1)
    expect(page.locator("#chart-b canvas")).to_have_count(1)
    assert errors == []
