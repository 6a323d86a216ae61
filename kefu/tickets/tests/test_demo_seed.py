import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kefu.tickets.models import DepartmentTask, Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDS = ["seed_demo", "seed_demo_customers", "seed_demo_tickets", "seed_demo_knowledge", "seed_demo_announcements"]

# a weekday morning; a Saturday at 03:00; the first day of the Spring Festival holiday 2026 (chinese_calendar:
# 2026-02-15 to 02-23, with 02-14 an adjusted working Saturday); New Year's Eve late at night
MOMENTS = {
    "weekday-10:00": dt.datetime(2026, 11, 18, 10, 0, tzinfo=SHANGHAI),
    "saturday-03:00": dt.datetime(2026, 12, 5, 3, 0, tzinfo=SHANGHAI),
    "spring-festival": dt.datetime(2026, 2, 15, 10, 0, tzinfo=SHANGHAI),
    "new-years-eve-23:30": dt.datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI),
}


def _counts():
    from kefu.audit.models import AuditEvent
    from kefu.customers.models import Customer, FollowUp, Reminder
    from kefu.tickets.models import Compensation, Escalation, TicketEvent

    return {model.__name__: model.objects.count() for model in
            (Ticket, TicketEvent, Escalation, Compensation, DepartmentTask, Customer, FollowUp, Reminder, AuditEvent)}


@pytest.mark.django_db
@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_the_demo_shows_every_state_whatever_the_moment(moment, django_capture_on_commit_callbacks):
    """issue 9: `make run` on any date and hour shows every desk and board with its examples."""
    from kefu.bizcalendar.selectors import is_working_day
    from kefu.customers.grading import load_rules
    from kefu.customers.models import Customer, Reminder
    from kefu.customers.pool import days_until_return
    from kefu.tickets.models import Callback, Compensation, Escalation, TicketEvent

    assert moment.date() != dt.date(2026, 2, 15) or not is_working_day(moment.date())
    with time_machine.travel(moment, tick=False):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            for command in SEEDS:
                call_command(command)
        took = time.monotonic() - started
        now = timezone.now()
        today = timezone.localdate()

        # tickets: breached and warned now, escalated (automatically and by hand, one skip), 督办, 催办
        open_tickets = Ticket.objects.exclude(status__in=["resolved", "callback_done", "closed"])
        assert open_tickets.filter(sla_state="breached").count() >= 2
        assert open_tickets.filter(sla_state="warning").exists()
        assert open_tickets.filter(sla_state="ok").exists()
        assert Escalation.objects.filter(automatic=True).exists()
        assert Escalation.objects.filter(automatic=False, emergency=False).exists()
        assert Escalation.objects.filter(emergency=True, to_level="director").exists()
        assert {"lead", "head", "director"} <= set(open_tickets.values_list("escalation_level", flat=True))
        assert open_tickets.filter(supervised=True).count() >= 2
        assert TicketEvent.objects.filter(kind="reminder", data__automatic=False).exists()
        assert TicketEvent.objects.filter(kind="reminder", data__automatic=True).exists()
        assert {"new", "in_progress", "waiting", "resolved", "callback_done", "closed"} <= set(
            Ticket.objects.values_list("status", flat=True))
        # compensations awaiting the lead, the head and the director
        pending = set(Compensation.objects.filter(status="pending").values_list("required_role", flat=True))
        assert pending == {"lead", "head", "director"}
        lead_teams = set(Compensation.objects.filter(status="pending", required_role="lead")
                         .values_list("ticket__owner__team__name", flat=True))
        assert lead_teams == {"一班", "二班"}  # each lead has one to decide
        assert Compensation.objects.filter(status="approved").exists()
        # department tasks: open ones, one of them overdue; callbacks due and overdue
        open_tasks = DepartmentTask.objects.filter(status="open")
        assert open_tasks.filter(due__lt=now).exists()
        assert open_tasks.filter(due__gte=now).exists()
        assert DepartmentTask.objects.filter(department__name="物流部").exists()
        callbacks = Callback.objects.filter(done_at__isnull=True)
        assert callbacks.filter(due__lt=now).exists()
        assert callbacks.filter(due__gte=now).exists()
        assert Callback.objects.filter(done_at__isnull=False).exists()
        # a month of history, every number carrying its ticket's creation date, every step after creation
        created = [timezone.localdate(t.created_at) for t in Ticket.objects.all()]
        assert (today - min(created)).days >= 25
        for ticket in Ticket.objects.all():
            assert ticket.number.startswith(f"KF{timezone.localdate(ticket.created_at):%Y%m%d}-"), ticket.number
            assert ticket.created_at <= now
            assert not TicketEvent.objects.filter(ticket=ticket, at__lt=ticket.created_at).exists()
            assert not TicketEvent.objects.filter(ticket=ticket, at__gt=now).exists()
        for task in DepartmentTask.objects.all():  # the timeline's due is the task's due
            event = TicketEvent.objects.get(ticket=task.ticket, kind="handover", data__task=task.pk)
            assert dt.datetime.fromisoformat(event.data["due"]) == task.due

        # customers: the four tiers, churn risks, the pool and near it, follow-ups due today and overdue
        tiers = set(Customer.objects.values_list("value_tier", flat=True))
        assert {"vip", "major", "normal", "general"} <= tiers
        assert Customer.objects.filter(churn_risk=True, value_tier="vip").count() >= 2
        assert Customer.objects.filter(owner__isnull=True).exists()
        rules = load_rules()
        owned = Customer.objects.filter(owner__isnull=False)
        left = [days_until_return(rules, c, today=today) for c in owned]
        assert any(d is not None and 0 < d <= rules.pool_warning_days for d in left)
        assert all(d is None or d > 0 for d in left)  # no countdown below zero after the nightly run
        assert Reminder.objects.filter(level=Reminder.Level.POOL_WARNING).exists()
        assert owned.filter(next_due=today).exists()
        assert owned.filter(next_due__lt=today).exists()

        # fast, and running again creates nothing new
        assert took < 30
        before = _counts()
        with django_capture_on_commit_callbacks(execute=True):
            for command in SEEDS:
                call_command(command)
        assert _counts() == before


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
