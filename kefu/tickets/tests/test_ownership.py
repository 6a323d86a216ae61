"""R-TIC-3 首问负责制: the first person to take the contact owns the ticket until it is closed; work
handed to another department is a task with its own time limit; the owner follows its progress and
is the only one who speaks to the customer."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.audit.models import AuditEvent
from kefu.core.errors import InvalidInput, NotAllowed, NotFound, RuleViolation
from kefu.tickets import selectors, services
from kefu.tickets.models import DepartmentTask, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("channel", ["hotline", "chat", "email", "visit", "web", "api"])
def test_r_tic_3_the_agent_who_takes_the_contact_owns_it_whatever_the_channel(demo, make_ticket, channel):
    ticket = make_ticket(channel=channel)
    assert ticket.owner == demo.users["agent1"]
    assert ticket.created_by == demo.users["agent1"]


def test_r_tic_3_lead_taking_a_call_owns_it(demo, make_ticket):
    assert make_ticket(actor="lead1").owner == demo.users["lead1"]


@pytest.fixture
def handed(demo, make_ticket, department_user, django_capture_on_commit_callbacks):
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        task = services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk,
                                  department=demo.departments["物流部"], note="查询快递丢件")
    ticket.refresh_from_db()
    return ticket, task


def test_r_tic_3_handover_keeps_the_owner_and_creates_a_department_task(demo, handed, notified, department_user):
    ticket, task = handed
    assert ticket.owner == demo.users["agent1"]
    assert ticket.status == "waiting" and ticket.waiting_on == "department"
    assert task.department == demo.departments["物流部"] and task.status == "open"
    # the task has its own time limit: 8 business hours by default, not the ticket's resolution limit
    assert task.due != ticket.resolution_due
    assert task.due > task.created_at
    assert TicketEvent.objects.filter(ticket=ticket, kind="handover").exists()
    assert AuditEvent.objects.filter(object_type="tickets.departmenttask", object_id=str(task.pk),
                                     action="create").exists()
    assert AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk), action="transition",
                                     after__status="waiting").exists()
    # the department's people are told
    assert notified("handover_task") == {"wuliu1"}


def test_r_tic_3_handover_with_its_own_due_time(demo, make_ticket):
    ticket = make_ticket()
    due = timezone.now() + dt.timedelta(days=2)
    task = services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk, department=demo.departments["维修部"],
                              note="上门检修", due=due)
    assert task.due == due


@pytest.mark.parametrize(("field", "kwargs"), [
    ("department", {"department": None}),
    ("note", {"note": "  "}),
    ("due", {"due": "past"}),
])
def test_r_tic_3_handover_bad_input_names_the_field_and_changes_nothing(demo, make_ticket, field, kwargs):
    ticket = make_ticket()
    args = {"department": demo.departments["物流部"], "note": "查件", **kwargs}
    if args.get("due") == "past":
        args["due"] = timezone.now() - dt.timedelta(minutes=1)
    with pytest.raises(InvalidInput) as exc:
        services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk, **args)
    assert field in {e.field for e in exc.value.errors}
    assert not DepartmentTask.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_r_tic_3_only_those_who_may_act_hand_over(demo, make_ticket):
    ticket = make_ticket()
    with pytest.raises(NotAllowed):
        services.hand_over(actor=demo.users["agent2"], ticket_id=ticket.pk, department=demo.departments["物流部"],
                           note="查件")
    assert not DepartmentTask.objects.exists()


def test_r_tic_3_department_completes_the_task_and_the_owner_sees_it(
        demo, handed, department_user, notified, django_capture_on_commit_callbacks):
    ticket, task = handed
    # the department sees the task in its inbox and the ticket it belongs to
    assert list(selectors.department_inbox(department_user)) == [task]
    assert selectors.list_tickets(department_user, selectors.TicketFilters()).filter(pk=ticket.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_task(actor=department_user, task_id=task.pk, result="已找到包裹，明日送达")
    task.refresh_from_db()
    ticket.refresh_from_db()
    assert task.status == "done" and task.done_by == department_user and task.done_at is not None
    assert ticket.owner == demo.users["agent1"]
    assert ticket.status == "in_progress" and ticket.waiting_on == ""
    # the owner follows the progress: the task on the ticket, an event on the timeline, a notification
    assert [t.status for t in selectors.tasks_of(ticket)] == ["done"]
    assert TicketEvent.objects.filter(ticket=ticket, kind="task", data__status="done").exists()
    assert "agent1" in notified("handover_task", ticket)
    assert list(selectors.department_inbox(department_user)) == []


def test_r_tic_3_department_returns_the_task(demo, handed, department_user, notified,
                                             django_capture_on_commit_callbacks):
    ticket, task = handed
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_task(actor=department_user, task_id=task.pk, result="单号错误，无法查询", returned=True)
    task.refresh_from_db()
    assert task.status == "returned"
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"
    assert "agent1" in notified("handover_task", ticket)


@pytest.mark.parametrize("who", ["agent1", "agent2", "lead1", "head1"])
def test_r_tic_3_someone_outside_the_department_cannot_complete_its_task(demo, handed, who):
    ticket, task = handed
    with pytest.raises(NotAllowed):
        services.complete_task(actor=demo.users[who], task_id=task.pk, result="done")
    task.refresh_from_db()
    ticket.refresh_from_db()
    assert task.status == "open" and task.done_by is None and task.result == ""
    assert ticket.status == "waiting"


def test_r_tic_3_a_finished_task_is_not_finished_twice(handed, department_user):
    _ticket, task = handed
    services.complete_task(actor=department_user, task_id=task.pk, result="ok")
    with pytest.raises(InvalidInput) as exc:
        services.complete_task(actor=department_user, task_id=task.pk, result="again", returned=True)
    assert exc.value.errors[0].field == "task"
    task.refresh_from_db()
    assert task.status == "done" and task.result == "ok"


def test_r_tic_3_ticket_waits_until_every_task_is_finished(demo, handed, department_user):
    ticket, first = handed
    repair = services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk,
                                department=demo.departments["维修部"], note="检测")
    services.complete_task(actor=department_user, task_id=first.pk, result="ok")
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"
    services.complete_task(actor=demo.users["director1"], task_id=repair.pk, result="ok")
    assert Ticket.objects.get(pk=ticket.pk).status == "in_progress"


def test_r_tic_3_only_the_owner_speaks_to_the_customer(demo, handed, department_user):
    ticket, _task = handed
    for who in (demo.users["lead1"], department_user):
        with pytest.raises(RuleViolation) as exc:
            services.add_message(actor=who, ticket_id=ticket.pk, body="您好", public=True)
        assert exc.value.rule == "R-TIC-3"
    assert not TicketEvent.objects.filter(ticket=ticket, public=True).exists()
    # an internal note is fine, and the owner's reply is public
    services.add_message(actor=department_user, ticket_id=ticket.pk, body="包裹在转运中心", public=False)
    services.add_message(actor=demo.users["agent1"], ticket_id=ticket.pk, body="您的包裹明日送达", public=True)
    assert [e.body for e in selectors.public_timeline(ticket)] == ["您的包裹明日送达"]


def test_r_tic_3_a_person_of_another_department_sees_only_tickets_handed_to_it(demo, make_ticket, department_user):
    other = make_ticket()
    with pytest.raises(NotFound):
        services.complete_task(actor=department_user, task_id=999999, result="x")
    assert not selectors.list_tickets(department_user, selectors.TicketFilters()).filter(pk=other.pk).exists()


def test_r_tic_3_a_resolved_ticket_is_reopened_before_handing_over(demo, make_ticket):
    ticket = make_ticket()
    ticket = services.transition(actor=demo.users["agent1"], ticket_id=ticket.pk, to="resolved",
                                 version=ticket.version)
    with pytest.raises(InvalidInput):
        services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk, department=demo.departments["物流部"],
                           note="查件")
    assert not DepartmentTask.objects.exists()


def test_r_tic_3_the_lead_assigns_a_queued_ticket_and_an_agent_claims(demo, make_ticket, set_rules):
    set_rules(tickets__assignment_mode="manual")
    queued = services.create_ticket(actor=demo.users["admin"], shop=demo.shops["tmall"], type="query",
                                    channel="api", title="API 工单")
    assert queued.owner is None
    assert queued in list(selectors.queue(demo.users["lead1"]))
    with pytest.raises(NotAllowed):  # an agent cannot give it to someone else
        services.assign(actor=demo.users["agent1"], ticket_id=queued.pk, to_owner=demo.users["agent2"])
    services.assign(actor=demo.users["agent1"], ticket_id=queued.pk, to_owner=demo.users["agent1"])
    assert Ticket.objects.get(pk=queued.pk).owner == demo.users["agent1"]
    with pytest.raises(NotAllowed):  # lead2 may only assign to the people of 二班
        services.assign(actor=demo.users["lead2"], ticket_id=queued.pk, to_owner=demo.users["agent2"])
    services.assign(actor=demo.users["lead1"], ticket_id=queued.pk, to_owner=demo.users["agent2"])
    assert Ticket.objects.get(pk=queued.pk).owner == demo.users["agent2"]


def test_r_tic_3_the_first_reply_starts_the_work_and_is_recorded(demo, make_ticket):
    ticket = make_ticket()
    services.add_message(actor=demo.users["agent1"], ticket_id=ticket.pk, body="您好，已收到", public=True)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.first_responded_at is not None
    assert TicketEvent.objects.filter(ticket=ticket, kind="transition", data__to="in_progress").exists()
    assert AuditEvent.objects.filter(object_type="tickets.ticket", object_id=str(ticket.pk), action="transition",
                                     after__status="in_progress").exists()


def test_r_tic_3_a_due_time_without_offset_is_local(demo, make_ticket):
    ticket = make_ticket()
    naive = (timezone.localtime() + dt.timedelta(days=1)).replace(tzinfo=None, microsecond=0)
    task = services.hand_over(actor=demo.users["agent1"], ticket_id=ticket.pk, department=demo.departments["物流部"],
                              note="查件", due=naive)
    assert timezone.localtime(task.due).replace(tzinfo=None) == naive


def test_r_tic_3_giving_a_new_ticket_to_someone_else(demo, make_ticket, notified,
                                                      django_capture_on_commit_callbacks):
    with pytest.raises(InvalidInput) as exc:  # an agent does not hand a new contact to a colleague
        make_ticket(actor="agent1", owner=demo.users["agent2"])
    assert exc.value.errors[0].field == "owner"
    with pytest.raises(InvalidInput):  # lead1 gives only to 一班
        make_ticket(actor="lead1", owner=demo.users["agent4"])
    assert not Ticket.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(actor="lead1", owner=demo.users["agent2"])
    assert ticket.owner == demo.users["agent2"] and ticket.created_by == demo.users["lead1"]
    assert notified("ticket_assigned", ticket) == {"agent2"}
