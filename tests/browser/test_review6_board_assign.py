"""The lead board's one shared assign form in a real browser (issue 13 review): lead1 presses "Assign" on a
card, the dialog posts to that card's ticket, and the ticket changes owner through services.assign (an
assignment event), with the success message on the board."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.browser


def test_lead_assigns_a_stuck_ticket_from_the_board_dialog(page, live_server, live_demo, login):
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from playwright.sync_api import expect

    from kefu.org.models import Shop
    from kefu.tickets import services
    from kefu.tickets.models import Ticket, TicketEvent

    users = get_user_model().objects
    agent1, agent2 = users.get(username="agent1"), users.get(username="agent2")
    shop = Shop.objects.get(code="tmall")
    first = services.create_ticket(actor=agent1, shop=shop, type="consultation", channel="hotline", title="板上一")
    second = services.create_ticket(actor=agent1, shop=shop, type="consultation", channel="hotline", title="板上二")
    long_ago = timezone.now() - dt.timedelta(days=3)
    Ticket.objects.filter(pk__in=[first.pk, second.pk]).update(last_action_at=long_ago)  # both stuck (R-TIC-5)

    login(page, "lead1")
    page.goto("/tickets/board/")
    page.locator(f"[data-testid=assign-{second.pk}]:visible").first.click()
    dialog = page.locator("[data-testid=assign-form]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(second.number)
    dialog.locator("[name=owner]").select_option(str(agent2.pk))
    dialog.locator("button[type=submit]").click()
    expect(page.locator("#messages, .alert").first).to_contain_text(second.number)

    second.refresh_from_db()
    first.refresh_from_db()
    assert second.owner_id == agent2.pk and first.owner_id == agent1.pk  # the card's ticket, not another
    assert TicketEvent.objects.filter(ticket=second, kind="assignment").exists()
