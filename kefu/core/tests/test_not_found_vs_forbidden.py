"""API.md "Errors": 404 for an object outside the caller's scope (its existence is not revealed), 403 when
the caller's role may not do this to an object they can see (R-ORG-2). Nothing changes on either."""

from __future__ import annotations

import pytest

from kefu.customers import services as customer_services
from kefu.customers.models import Customer
from kefu.org import services as org_services
from kefu.tickets import services as ticket_services
from kefu.tickets.models import Ticket


@pytest.fixture
def outside(demo):
    """A shop served only by a third team: outside agent1's and lead1's scope, inside head1's."""
    shop = org_services.ensure_shop(actor=None, centre=demo.centre, code="douyin", name="抖音小店")
    org_services.ensure_team(actor=None, department=demo.departments["客服部"], name="三班", shops=[shop])
    customer = customer_services.create_customer(actor=demo.users["head1"], owner=None, shop=shop,
                                                 name="范围外客户", phones=["13900001111"])
    ticket = ticket_services.create_ticket(actor=demo.users["head1"], shop=shop, type="consultation",
                                           channel="hotline", title="范围外工单")
    return customer, ticket


def test_r_org_2_outside_the_scope_answers_404_as_if_absent(demo, clients, outside):
    customer, ticket = outside
    for role in ("agent", "lead"):
        client = clients(role)
        for path in (f"/api/v1/customers/{customer.pk}", f"/api/v1/tickets/{ticket.pk}"):
            response = client.get(path)
            assert response.status_code == 404, (role, path)
            assert response.json()["detail"]
        missing = client.get("/api/v1/customers/999999999")
        assert missing.status_code == 404  # the same answer as for an id that does not exist
        response = client.patch(f"/api/v1/customers/{customer.pk}", {"version": customer.version, "name": "改"},
                                content_type="application/json")
        assert response.status_code == 404
    assert clients("head").get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert Customer.objects.get(pk=customer.pk).name == "范围外客户"
    assert Ticket.objects.get(pk=ticket.pk).title == "范围外工单"


def test_r_org_2_a_visible_object_the_role_may_not_change_answers_403(demo, clients):
    colleague = customer_services.create_customer(actor=demo.users["agent2"], owner=demo.users["agent2"],
                                                  shop=demo.shops["tmall"], name="同事的客户",
                                                  phones=["13900002222"])
    for role in ("agent", "qa"):
        client = clients(role)
        assert client.get(f"/api/v1/customers/{colleague.pk}").status_code == 200, role
        response = client.patch(f"/api/v1/customers/{colleague.pk}",
                                {"version": colleague.version, "name": "改"}, content_type="application/json")
        assert response.status_code == 403, role
        assert response.json()["detail"]
    assert Customer.objects.get(pk=colleague.pk).name == "同事的客户"
