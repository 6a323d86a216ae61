"""Review 8 (R2): the API's lean open list (list_scope, open_condition, one-statement page) lists the same
tickets, in the same order and pages, as the plain list, for every role, order and paging form."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.tickets import selectors
from kefu.tickets.models import DepartmentTask, Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["agent1", "lead1", "head1", "director1", "qa1", "wuliu1"])
@pytest.mark.parametrize("order", ["sla", "recent"])
@pytest.mark.parametrize("filters", [{}, {"open_only": True}, {"owner": "none"}, {"status": "new,resolved"},
                                     {"assigned_only": True, "open_only": True}])
def test_r_org_2_lean_pages_are_the_plain_lists_pages(demo, make_ticket, department_user, who, order, filters):
    made = [make_ticket(title=f"单{i}", actor="agent1" if i % 2 else "agent2") for i in range(9)]
    Ticket.objects.filter(pk__in=[t.pk for t in made[:3]]).update(resolution_due=None)
    Ticket.objects.filter(pk=made[4].pk).update(status="resolved")
    Ticket.objects.filter(pk=made[5].pk).update(owner=None)
    DepartmentTask.objects.create(ticket=made[6], department=department_user.department, note="核实",
                                  due=timezone.now() + dt.timedelta(days=1), created_by=demo.users["admin"],
                                  created_at=timezone.now())
    user = type(department_user).objects.get(username=who)
    plain = selectors.TicketList(user, selectors.TicketFilters(**filters), order=order)
    lean = selectors.TicketList(user, selectors.TicketFilters(**filters), order=order, lean=True)
    expected = list(plain.queryset().values_list("pk", flat=True))
    assert lean.count() == plain.count() == len(expected)
    for size in (2, 4):
        by_offset, by_cursor, after = [], [], None
        for number in range(1, 8):
            by_offset += [r.pk for r in lean.page(size=size, offset=(number - 1) * size).rows]
            page = lean.page(size=size, after=after)
            by_cursor += [r.pk for r in page.rows]
            after = page.next
            if after is None:
                break
        assert by_cursor == expected
        assert by_offset[: len(expected)] == expected


@pytest.mark.parametrize("with_department", [False, True])
def test_r_org_2_a_person_with_nothing_in_scope_gets_an_empty_list(demo, make_ticket, with_department):
    """A team serving no shop (and no department, or one holding no task): an empty page and a zero count,
    not a server error, through the API's lean list."""
    from django.test import Client

    from kefu.org.services import create_person, ensure_team

    make_ticket(title="别人的")
    department = demo.departments["物流部"] if with_department else None
    team = ensure_team(actor=None, department=demo.departments["物流部"], name="空组", shops=[])
    person = create_person(actor=None, username="kong1", password="x-2026-long", display_name="空",
                           department=department, team=team, roles=["agent"])
    client = Client()
    client.force_login(person)
    for params in ({}, {"open_only": "true"}, {"page": 2}, {"order": "recent", "owner": "me"}):
        answer = client.get("/api/v1/tickets", params)
        assert answer.status_code == 200, answer.content
        assert answer.json()["items"] == [] and answer.json()["count"] == 0
