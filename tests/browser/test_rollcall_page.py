"""R-WFM-1 roll call in a real browser: the lead marks a person present with a comment and the row changes
over HTMX without reloading the page; marking someone absent before the shift starts shows the reason in
that row and changes nothing; the calendar block of my schedule creates the secret address in place.
Skipped without Chromium (tests/browser/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

pytestmark = pytest.mark.browser

MONDAY = dt.date(2026, 12, 7)


@pytest.fixture
def monday_morning(live_demo):
    """08:55 on Monday 2026-12-07 (Shanghai), the clock ticking; agent1 and agent2 on the 09:00 shift."""
    from kefu.org.models import Centre, User
    from kefu.workforce import services

    with time_machine.travel(dt.datetime(2026, 12, 7, 8, 55, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        early = services.ensure_shift_type(actor=None, centre=Centre.objects.get(), code="early", name="早班",
                                           kind="day", start=dt.time(9), end=dt.time(18))
        lead = User.objects.get(username="lead1")
        for name in ("agent1", "agent2"):
            services.create_shift(actor=lead, person=User.objects.get(username=name), date=MONDAY, shift_type=early)
        yield


def test_r_wfm_1_marking_present_updates_the_row_without_reload(monday_morning, page, login):
    from playwright.sync_api import expect

    from kefu.workforce.models import Attendance, RollCallMark

    login(page, "lead1")
    page.goto(f"/workforce/rollcall/?date={MONDAY:%Y-%m-%d}")
    page.evaluate("() => { window.__no_reload_marker = 42; }")
    row = page.locator("[data-testid=rollcall-row][data-person=agent1]")
    row.locator("[name=comment]").fill("精神饱满")
    row.locator("button[data-status=present]").click()
    expect(page.locator("[data-testid=rollcall-row][data-person=agent1] [data-testid=rollcall-mark]")).to_be_visible()
    expect(page.locator("[data-testid=rollcall-row][data-person=agent1] button[data-status=present]")).to_have_class(
        "btn btn-sm btn-success")
    assert page.evaluate("() => window.__no_reload_marker") == 42
    mark = RollCallMark.objects.get(shift__person__username="agent1")
    assert (mark.status, mark.comment) == ("present", "精神饱满")
    assert Attendance.objects.get(person__username="agent1").late_minutes == 0

    other = page.locator("[data-testid=rollcall-row][data-person=agent2]")
    other.locator("button[data-status=absent]").click()
    expect(page.locator("[data-testid=rollcall-row][data-person=agent2] [data-testid=rollcall-error]")).to_be_visible()
    assert not RollCallMark.objects.filter(shift__person__username="agent2").exists()
    assert page.evaluate("() => window.__no_reload_marker") == 42


def test_my_schedule_creates_the_calendar_address_in_place(monday_morning, page, login):
    from playwright.sync_api import expect

    login(page, "agent1")
    page.goto("/workforce/me/")
    block = page.locator("[data-testid=calendar-feed]")
    expect(block).to_be_visible()
    block.locator("button").click()
    expect(page.locator("[data-testid=feed-url]")).to_have_value(
        re.compile(r"^http://.+/workforce/feed/[A-Za-z0-9_-]{40,}\.ics$"))
