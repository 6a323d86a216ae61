"""Forms keep their Tabler look after an HTMX swap: the server renders every control with its classes
(kefu.core.forms.TablerFormRenderer), so a form re-rendered with an error, or fresh after a save, looks like
the one of the first page load — no script restyles it. Checked on the computed style, not only the class:
a bare browser control has 2 px padding, a native select arrow and a grey border.
Skipped without Chromium (tests/browser/conftest.py)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# the computed look of one control: Tabler's .form-control / .form-select, or the browser's default
LOOK = """el => { const s = getComputedStyle(el);
  return {cls: el.className, padding: parseFloat(s.paddingLeft), appearance: s.appearance,
          border: s.borderTopColor, radius: parseFloat(s.borderTopLeftRadius)}; }"""


def _styled(locator, base: str, invalid: bool = False) -> dict:
    from playwright.sync_api import expect

    expect(locator).to_have_class(re.compile(rf"\b{base}\b"))
    look = locator.evaluate(LOOK)
    classes = look["cls"].split()
    assert base in classes, look
    assert ("is-invalid" in classes) is invalid, look
    assert look["padding"] >= 6, look  # Tabler pads its controls; a bare control has 1–2 px
    assert look["radius"] >= 2, look  # rounded corners, not the browser's square box
    if base == "form-select":
        assert look["appearance"] == "none", look  # Tabler's own arrow, not the native one
    return look


def test_followup_form_keeps_its_style_after_an_error_and_after_saving(page, login):
    from playwright.sync_api import expect

    from kefu.customers import services
    from kefu.org.models import Shop, User

    agent = User.objects.get(username="agent1")
    customer = services.create_customer(actor=agent, shop=Shop.objects.get(code="tmall"), name="样式客户",
                                        phones=["13800138001"], need_status="latent")
    login(page, "agent1")
    page.goto(f"/customers/{customer.pk}/")
    form = page.locator("[data-testid=followup-form]")
    first = _styled(form.locator("[name=content]"), "form-control")
    _styled(form.locator("[name=method]"), "form-select")
    page.evaluate("window.__no_reload_marker = 42")

    # 1. an error: the form comes back from the server (outerHTML swap) with the field marked
    form.locator("[name=content]").fill("")
    form.locator("[data-testid=followup-submit]").click()
    content = page.locator("[data-testid=followup-form] [name=content]")
    expect(content).to_have_class(re.compile(r"\bis-invalid\b"))
    invalid = _styled(content, "form-control", invalid=True)
    assert invalid["border"] != first["border"]  # the red border of .is-invalid
    expect(page.locator("[data-testid=followup-form] .invalid-feedback").first).to_be_visible()
    _styled(page.locator("[data-testid=followup-form] [name=method]"), "form-select")
    _styled(page.locator("[data-testid=followup-form] [name=at]"), "form-control")

    # 2. saved: a fresh form is swapped in, styled like the first one
    page.locator("[data-testid=followup-form] [name=content]").fill("客户确认收到样品")
    page.locator("[data-testid=followup-form] [data-testid=followup-submit]").click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("客户确认收到样品")
    _styled(page.locator("[data-testid=followup-form] [name=content]"), "form-control")
    _styled(page.locator("[data-testid=followup-form] [name=need_status]"), "form-select")
    assert page.evaluate("window.__no_reload_marker") == 42  # all of it without reloading the page


def test_ticket_action_panels_keep_their_style_after_a_reply_and_after_an_error(page, login):
    from playwright.sync_api import expect

    from kefu.org.models import Shop, User
    from kefu.tickets import services

    agent = User.objects.get(username="agent1")
    ticket = services.create_ticket(actor=agent, shop=Shop.objects.get(code="tmall"), type="complaint",
                                    channel="hotline", title="样式工单")
    login(page, "agent1")
    page.goto(f"/tickets/{ticket.pk}/")
    page.evaluate("window.__no_reload_marker = 42")

    # a reply swaps the whole ticket (#ticket-live), its action panels included
    page.locator("[data-testid=form-message] [name=body]").fill("您好，我们正在核实。")
    page.locator("[data-testid=message-submit]").click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text("您好，我们正在核实。")

    page.locator("[data-bs-target='#act-handover']").click()
    handover = page.locator("[data-testid=form-handover]")
    department = handover.locator("[name=department]")
    expect(department).to_be_visible()
    _styled(department, "form-select")
    _styled(handover.locator("[name=note]"), "form-control")
    # no department chosen in advance, and the agent's own (客服部) is not offered
    assert department.input_value() == ""
    assert "客服部" not in department.inner_text()

    # an error in the panel: it comes back open, the controls styled and the field marked (the browser
    # itself would refuse the empty required choice first; this checks what the server sends back)
    handover.locator("[name=note]").fill("请核实派送情况")
    handover.evaluate("form => { form.noValidate = true; }")
    handover.locator("button[type=submit]").click()
    department = page.locator("[data-testid=form-handover] [name=department]")
    expect(department).to_have_class(re.compile(r"\bis-invalid\b"))
    _styled(department, "form-select", invalid=True)
    _styled(page.locator("[data-testid=form-handover] [name=note]"), "form-control")

    # the escalation panel of the swapped-in page: check box and text area styled too
    page.locator("[data-bs-target='#act-escalate']").click()
    escalate = page.locator("[data-testid=form-escalate]")
    _styled(escalate.locator("[name=reason]"), "form-control")
    emergency = escalate.locator("[name=emergency]")
    expect(emergency).to_have_class(re.compile(r"\bform-check-input\b"))
    assert emergency.evaluate("el => getComputedStyle(el).appearance") == "none"
    assert page.evaluate("window.__no_reload_marker") == 42
