from django.core.management import call_command

from kefu.tickets.models import DepartmentTask, Ticket


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
