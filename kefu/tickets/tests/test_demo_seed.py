import datetime as dt

import time_machine
from django.core.management import call_command

from kefu.tickets.models import DepartmentTask, Ticket


@time_machine.travel(dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
def test_seed_demo_tickets_is_idempotent_and_shows_every_desk(demo, django_capture_on_commit_callbacks):
    call_command("seed_demo_customers")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_tickets")
    count = Ticket.objects.count()
    assert count == 60
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"new", "in_progress", "resolved"} <= statuses
    assert DepartmentTask.objects.filter(department__name="物流部").exists()
    assert Ticket.objects.filter(sla_state="breached").exists()
    call_command("seed_demo_tickets")
    assert Ticket.objects.count() == count


def test_r_cus_1_the_customer_timeline_shows_the_customers_tickets(demo, make_ticket, clients):
    from kefu.customers import services as customer_services
    from kefu.customers.selectors import timeline

    customer = customer_services.create_customer(actor=demo.users["agent1"], owner=demo.users["agent1"],
                                                 shop=demo.shops["tmall"], name="张三", phones=["13800138000"])
    ticket = make_ticket(type="complaint", customer_id=customer.pk, title="快递未送达")
    entries = [e for e in timeline(customer) if e.kind == "ticket"]
    assert [e.detail for e in entries] == ["快递未送达"]
    assert ticket.number in entries[0].title
    html = clients("agent").get(f"/customers/{customer.pk}/").content.decode()
    assert ticket.number in html


def test_r_cus_7_a_reopened_complaint_is_open_again_but_not_counted_twice(demo, make_ticket):
    from kefu.customers import services as customer_services
    from kefu.customers.models import Customer
    from kefu.tickets import services

    customer = customer_services.create_customer(actor=demo.users["agent1"], owner=demo.users["agent1"],
                                                 shop=demo.shops["tmall"], name="李四", phones=["13900139000"])
    ticket = make_ticket(type="complaint", customer_id=customer.pk)
    ticket = services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="resolved",
                                 version=ticket.version)
    services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="in_progress", version=ticket.version)
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.complaints_total, fresh.complaints_open) == (1, 1)


def test_r_tic_3_agents_toggle_on_duty_from_the_desk(demo, clients):
    from kefu.audit.models import AuditEvent
    from kefu.tickets.assignment import is_on_duty

    agent = clients("agent")
    assert 'data-testid="on-duty"' in agent.get("/tickets/").content.decode()
    assert agent.post("/tickets/on-duty/", {"on_duty": "1"}).status_code == 302
    assert is_on_duty(demo.users["agent1"])
    agent.post("/tickets/on-duty/", {"on_duty": "0"})
    assert not is_on_duty(demo.users["agent1"])
    assert AuditEvent.objects.filter(object_type="tickets.agentavailability").count() == 2
    assert clients("anonymous").post("/tickets/on-duty/", {"on_duty": "1"}).status_code == 302  # to login


def test_r_tic_4_administrators_edit_time_limits_in_the_admin(demo, clients):
    from kefu.tickets.models import SlaPolicy

    admin = clients("admin")
    response = admin.post("/admin/tickets/slapolicy/add/", {
        "centre": demo.centre.pk, "type": "complaint", "priority": "urgent", "first_response_minutes": 15,
        "resolution_minutes": 240, "calendar": "24x7"})
    assert response.status_code == 302
    assert SlaPolicy.objects.get(type="complaint", priority="urgent").resolution_minutes == 240
    assert clients("head").get("/admin/tickets/slapolicy/").status_code in {302, 403}
