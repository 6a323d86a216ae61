"""Issue 12's browser test (R-KPI-2 and the wallboard): head1 opens the monthly service-quality analysis,
generates it (the Huey job, immediate here), downloads the Excel file (a real download event; read back with
openpyxl: the sheets, Chinese headers, numbers as numbers), then opens the wallboard and sees today's contacts go
up without a reload when a ticket is created (through the service, in the test's database)."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.browser


def test_head_downloads_the_monthly_report_and_the_wallboard_follows_a_new_ticket(page, login, monkeypatch,
                                                                                   tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from kefu.org.models import Shop, User
    from kefu.performance import views_wallboard
    from kefu.tickets import services as tickets
    from kefu.tickets.models import Ticket

    agent = User.objects.get(username="agent1")
    tmall = Shop.objects.get(code="tmall")
    now = timezone.now()
    done = tickets.create_ticket(actor=agent, shop=tmall, type="consultation", channel="hotline", title="咨询")
    Ticket.objects.filter(pk=done.pk).update(status="resolved", resolved_at=now, resolution_due=now, handling_seconds=300)
    month = f"{timezone.localdate():%Y-%m}"
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # the monthly analysis: generate, then download
    login(page, "head1")
    page.goto(f"/performance/reports/monthly/?month={month}")
    expect(page.locator("[data-testid=report-empty]")).to_be_visible()
    page.click("[data-testid=report-generate] button")
    expect(page.locator("[data-testid=section-kpi_team]")).to_be_visible()
    expect(page.locator("#chart-a canvas")).to_have_count(1)
    with page.expect_download() as info:
        page.click("[data-testid=report-xlsx]")
    download = info.value
    assert download.suggested_filename == f"report-monthly-{month}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames[0] == "概要" and "班组 KPI" in book.sheetnames and len(book.sheetnames) == 8
    sheet = book["班组 KPI"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "班组" and "处理量" in header
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    handled = rows["一班"][header.index("处理量")]
    assert handled == 1 and isinstance(handled, int)  # a number, not text
    summary = {r[0]: r[1] for r in book["概要"].iter_rows(min_row=2, values_only=True)}
    assert summary["考核权重版本"] == 1

    # the wallboard: a new ticket shows without a reload
    monkeypatch.setattr(views_wallboard, "REFRESH_SECONDS", 1)
    page.goto("/performance/wallboard/")
    expect(page.locator("[data-testid=wallboard]")).to_be_visible()
    today = page.locator("[data-field='contacts.today']")
    expect(today).not_to_have_text("")
    before = int(today.inner_text())
    page.evaluate("window.__sameDocument = true")
    tickets.create_ticket(actor=agent, shop=tmall, type="complaint", channel="hotline", title="投诉")
    expect(today).to_have_text(str(before + 1), timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True  # not reloaded
    assert errors == []
