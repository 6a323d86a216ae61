"""R-WFM-4 in a real browser: agent1 asks for leave on the leave form and sees the rule checks change as the
form changes (HTMX), the department head approves it in the approval inbox, and the roster shows the gap where
agent1's shift was.

The dates are counted from the day the test runs (so the test also holds under ``make test-clock``): the
leave is a whole day at least 3 days ahead that is no public holiday, with an early shift of agent1 in it, so
the personal-leave notice (24 h) is met and the department head decides (one day, no holiday)."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


def _leave_day() -> dt.date:
    from django.utils import timezone

    from kefu.bizcalendar.selectors import HOLIDAY, day_kind

    day = timezone.localdate() + dt.timedelta(days=3)
    while day_kind(day).kind == HOLIDAY:
        day += dt.timedelta(days=1)
    return day


def test_r_wfm_4_leave_asked_with_live_checks_approved_by_the_head_and_the_roster_shows_the_gap(
        page, browser, live_server, live_demo, login):
    from playwright.sync_api import expect

    from kefu.org.models import User
    from kefu.workforce import services
    from kefu.workforce.models import LeaveRequest, Shift
    from kefu.workforce.selectors import week_start

    head = User.objects.get(username="head1")
    agent1 = User.objects.get(username="agent1")
    early = services.ensure_shift_type(actor=None, centre=head.centre, code="early", name="早班", kind="day",
                                       start=dt.time(9), end=dt.time(18))
    day = _leave_day()
    shift = services.create_shift(actor=User.objects.get(username="lead1"), person=agent1, date=day,
                                  shift_type=early)

    # 1. agent1 fills in the leave form: the rule checks follow every change before anything is sent
    login(page, "agent1")
    page.goto("/workforce/leave/new/")
    form = page.locator("[data-testid=leave-form]")
    checks = page.locator("[data-testid=leave-checks]")
    expect(checks).to_contain_text("填写")  # "fill in the kind and the time …": nothing to check yet
    form.locator("[name=kind]").select_option("annual")
    form.locator("[name=start]").fill(f"{day:%Y-%m-%d}T00:00")
    form.locator("[name=end]").fill(f"{day + dt.timedelta(days=1):%Y-%m-%d}T00:00")
    # annual leave without an entitlement: the balance check is red; the missing reason is named too (the checks
    # do not wait for every field)
    expect(checks.locator("[data-ok=false]", has_text="年假")).to_have_count(1)
    expect(checks.locator("[data-ok=false]")).to_have_count(2)
    form.locator("[name=kind]").select_option("personal")
    # personal leave, days ahead: the 24 hours' notice is met and the head decides; only the reason is missing
    expect(checks.locator("[data-ok=false]", has_text="年假")).to_have_count(0)
    expect(checks.locator("[data-ok=true]")).to_have_count(2)
    expect(checks.locator("[data-ok=true]").first).to_contain_text("24")
    expect(checks).to_contain_text("客服部主任")
    expect(checks).to_contain_text(f"{day:%Y-%m-%d} 09:00")  # the first shift affected
    form.locator("[name=reason]").fill("孩子学校开家长会")
    form.locator("[name=reason]").blur()
    expect(checks.locator("[data-ok=false]")).to_have_count(0)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/workforce/me/")
    expect(page.locator("[data-testid=my-leave]")).to_contain_text(f"事假{day:%Y-%m-%d} 00:00")
    expect(page.locator("[data-testid=my-leave]")).to_contain_text("待审批")
    leave = LeaveRequest.objects.get(person=agent1)
    assert leave.status == "pending" and leave.approver_role == "head"
    assert Shift.objects.get(pk=shift.pk).leave_id is None  # not freed before the decision

    # 2. the department head approves it in the approval inbox
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    other = context.new_page()
    try:
        login(other, "head1")
        other.goto("/workforce/approvals/")
        row = other.locator("[data-testid=approval-row]", has_text="孩子学校开家长会")
        expect(row).to_contain_text(str(agent1))
        row.locator("[data-testid=approve]").click()
        expect(other.locator("[data-testid=approval-row]", has_text="孩子学校开家长会")).to_have_count(0)
        leave.refresh_from_db()
        assert leave.status == "approved" and leave.decided_by == head

        # 3. the roster of 一班 for that week shows agent1's shift as the gap to fill
        other.goto(f"/workforce/roster/?team={agent1.team_id}&week={week_start(day):%Y-%m-%d}")
        cell = other.locator("[data-testid=roster] tr[data-person=agent1] td").nth(day.weekday())
        expect(cell.locator("[data-testid=shift-gap]")).to_have_count(1)
        expect(cell.locator("[data-testid=shift-gap]")).to_contain_text("早班")
        expect(other.locator("[data-testid=roster] tr[data-person=agent1] [data-testid=shift]")).to_have_count(0)
    finally:
        context.close()
    assert Shift.objects.get(pk=shift.pk).leave_id == leave.pk
