"""R-TIC-3, R-TIC-8 in a real browser: an agent creates a complaint, hands it to 物流部, the 物流部 person
completes the task, the agent resolves the ticket, and an unsolved callback reopens it. The interface is
in Chinese (the default language), whatever the browser's locale."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser




def test_r_tic_3_and_8_complaint_handed_to_logistics_then_callback_reopens(page, browser, live_server, live_demo, login):
    from playwright.sync_api import expect

    from kefu.org.models import Department
    from kefu.org.services import create_person
    from kefu.tickets.models import DepartmentTask, Ticket

    create_person(actor=None, username="wuliu1", password="kefu-demo-2026", display_name="物流小王",
                  department=Department.objects.get(name="物流部"), roles=["agent"])

    # 1. agent1 takes the call and creates the complaint: they own it (R-TIC-3)
    login(page, "agent1")
    page.goto("/tickets/new/")
    form = page.locator("[data-testid=ticket-form]")
    form.locator("[name=type]").select_option("complaint")
    form.locator("[name=severity]").select_option("serious")
    form.locator("[name=title]").fill("快递三天未送达")
    form.locator("[name=description]").fill("客户来电：订单已付款三天，物流无更新。")
    form.locator("[data-testid=create-submit]").click()
    expect(page.locator("[data-testid=ticket-title]")).to_have_text("快递三天未送达")
    ticket = Ticket.objects.get(title="快递三天未送达")
    assert ticket.owner.username == "agent1" and ticket.type == "complaint"

    # 2. hand it over to 物流部 (HTMX, no reload); the owner stays
    page.locator("[data-bs-target='#act-handover']").click()
    handover = page.locator("[data-testid=form-handover]")
    handover.locator("[name=department]").select_option(label="物流部")
    handover.locator("[name=note]").fill("请核实派送情况")
    handover.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=tasks]")).to_contain_text("物流部")
    expect(page.locator("[data-testid=owner]")).to_contain_text(str(ticket.owner))
    task = DepartmentTask.objects.get(ticket=ticket)

    # 3. the 物流部 person finishes the task from their inbox
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    other = context.new_page()
    try:
        login(other, "wuliu1")
        other.goto("/tickets/tasks/")
        other.locator(f"[data-testid=task-open-{task.pk}]").click()
        task_form = other.locator(f"[data-testid=task-form-{task.pk}]")
        task_form.locator("[name=result]").fill("已联系快递站点，今日补派")
        task_form.locator("button[value=done]").click()
        expect(other.locator(f"[data-testid=task-{task.pk}] [data-testid=task-status]")).to_have_text("完成")
    finally:
        context.close()
    task.refresh_from_db()
    assert task.status == "done"

    # 4. the owner sees the result and resolves the ticket
    page.reload()
    expect(page.locator("[data-testid=tasks]")).to_contain_text("已联系快递站点")
    page.locator("[data-bs-target='#act-transition']").click()
    page.locator("[data-testid=form-transition] [data-testid=to-resolved]").click()
    expect(page.locator("[data-testid=ticket-status]")).to_contain_text("已解决")
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.callbacks.filter(done_at__isnull=True).count() == 1

    # 5. the callback: the customer says it is not solved → the ticket is reopened (R-TIC-8)
    callback = page.locator("[data-testid=form-callback]")
    expect(callback).to_be_visible()
    callback.locator("[name=satisfaction]").select_option("2")
    callback.locator("[name=solved][value=no]").check()
    callback.locator("[name=note]").fill("客户仍未收到货")
    callback.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=ticket-status]")).to_contain_text("处理中")
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.callbacks.get().solved is False
