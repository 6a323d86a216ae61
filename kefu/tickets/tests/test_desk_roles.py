"""The desk fits each role: agents see their tickets once (no second "my open tickets" panel); heads and
directors see the department's (centre's) numbers without an on-duty toggle; QA reads the tickets of
their department with no write action; other departments' people work from their task inbox."""

import pytest

from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _tiles(response) -> dict:
    return {t["testid"]: t for t in response.context["tiles"]}


def test_agent_desk_lists_each_ticket_once(clients, make_ticket):
    tickets = [make_ticket(title=f"咨询{i}") for i in range(5)]
    html = clients("agent").get("/tickets/").content.decode()
    for t in tickets:
        assert html.count(f'href="/tickets/{t.pk}/"') == 1
    assert 'data-testid="on-duty"' in html and 'data-testid="new-ticket"' in html
    assert set(_tiles(clients("agent").get("/tickets/"))) == {"tile-open", "tile-warning", "tile-breached",
                                                               "tile-queue"}


@pytest.mark.parametrize("role", ["head", "director"])
def test_managers_desk_shows_the_scope_not_my_numbers_and_no_on_duty(clients, make_ticket, role):
    for i in range(3):
        make_ticket(title=f"咨询{i}")
    make_ticket(actor="agent4", shop="jd", title="二班的咨询")
    response = clients(role).get("/tickets/")
    html = response.content.decode()
    tiles = _tiles(response)
    assert set(tiles) == {"tile-open", "tile-breached", "tile-warning", "tile-escalated", "tile-supervised",
                          "tile-approvals"}
    assert tiles["tile-open"]["value"] == 4
    assert 'data-testid="on-duty"' not in html and 'data-testid="on-duty-form"' not in html
    assert "My open tickets" not in html and "我的未结工单" not in html


def test_breached_tile_is_red_when_tickets_are_past_their_limit(clients, make_ticket):
    ticket = make_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(sla_state="breached")
    tiles = _tiles(clients("head").get("/tickets/"))
    assert tiles["tile-breached"]["value"] == 1 and tiles["tile-breached"]["tone"] == "danger"
    assert tiles["tile-open"]["tone"] == ""


def test_qa_reads_the_department_tickets_without_write_actions(clients, make_ticket):
    mine = make_ticket(title="一班的咨询")
    theirs = make_ticket(actor="agent4", shop="jd", title="二班的咨询")
    queued = make_ticket(actor="admin", channel="web", assign_automatically=False, title="待分配")
    qa = clients("qa")
    response = qa.get("/tickets/")
    html = response.content.decode()
    table = html[html.index('data-testid="ticket-table"'):]
    assert mine.number in table and theirs.number in table
    assert 'data-testid="new-ticket"' not in html and 'data-testid="on-duty"' not in html
    assert f'data-testid="claim-{queued.pk}"' not in html and 'data-testid="quick-create"' not in html
    assert "tile-approvals" not in _tiles(response)
    detail = qa.get(f"/tickets/{mine.pk}/")
    assert detail.status_code == 200 and mine.number in detail.content.decode()
    page = detail.content.decode()
    for action in ("form-transition", "form-handover", "form-escalate", "form-message", "form-compensation"):
        assert f'data-testid="{action}"' not in page
    before = Ticket.objects.get(pk=mine.pk).version
    assert qa.post(f"/tickets/{mine.pk}/transition/", {"to": "in_progress", "version": before}).status_code in {
        403, 404}
    assert qa.post(f"/tickets/{queued.pk}/claim/").status_code in {302, 403}
    assert Ticket.objects.get(pk=queued.pk).owner_id is None
    assert qa.get("/tickets/new/").status_code == 403


def test_department_staff_desk_is_their_inbox(client, department_user):
    client.force_login(department_user)
    assert client.get("/tickets/")["Location"] == "/tickets/tasks/"


@pytest.mark.parametrize("role", ["agent", "qa", "head", "director"])
def test_desk_queries_do_not_grow_with_tickets(clients, make_ticket, role, django_assert_max_num_queries):
    client = clients(role)
    client.get("/tickets/")
    for i in range(12):
        make_ticket(title=f"咨询{i}")
    with django_assert_max_num_queries(25):
        assert client.get("/tickets/").status_code == 200
