"""The attendance board in a real browser: the lead's team month with its two ECharts charts drawn, and the
agent's desk toggle 暂停接单 during a shift (R-WFM-5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def _shift_now(username: str):
    """A published shift of ``username`` under way now (from an hour ago for eight hours)."""
    from kefu.org.models import User
    from kefu.workforce import services

    person = User.objects.get(username=username)
    lead = User.objects.get(username="lead1")
    start = timezone.localtime() - dt.timedelta(hours=1)
    end = (start + dt.timedelta(hours=8)).time().replace(second=0, microsecond=0)
    return services.create_shift(actor=lead, person=person, date=start.date(), kind="custom",
                                 start=start.time().replace(second=0, microsecond=0), end=end)


def test_attendance_board_draws_its_charts(page, login):
    from playwright.sync_api import expect

    _shift_now("agent1")
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "lead1")
    page.goto("/workforce/attendance-board/")
    expect(page.locator("[data-testid=attendance-board] tr[data-person=agent1]")).to_be_visible()
    expect(page.locator("#chart-attendance-rate canvas")).to_have_count(1)
    expect(page.locator("#chart-attendance-late canvas")).to_have_count(1)
    assert errors == []


def test_desk_toggle_pauses_taking_tickets_during_a_shift(page, login):
    from playwright.sync_api import expect

    _shift_now("agent1")
    login(page, "agent1")
    page.goto("/tickets/")
    toggle = page.locator("[data-testid=on-duty]")
    expect(toggle).to_have_attribute("data-state", "taking")
    expect(toggle).to_contain_text("暂停接单")
    toggle.click()
    expect(page.locator("[data-testid=on-duty]")).to_have_attribute("data-state", "break")
    expect(page.locator("[data-testid=on-duty]")).to_contain_text("恢复接单")
    page.locator("[data-testid=on-duty]").click()
    expect(page.locator("[data-testid=on-duty]")).to_have_attribute("data-state", "taking")
