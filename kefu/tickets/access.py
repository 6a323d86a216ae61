"""Who may see and act on which ticket (R-ORG-2, R-TIC-3): the one fetch-and-check helper."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotAllowed, NotFound
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.tickets.models import DepartmentTask, Ticket


def tickets_in_scope(user) -> QuerySet[Ticket]:
    """Tickets of the shops in the caller's scope, plus tickets that have a task for the caller's
    department (a 物流部 person sees the tickets handed to 物流部)."""
    scope = scope_for(user)
    q = Q(shop_id__in=scope.shop_ids)
    if user.department_id:
        q |= Q(pk__in=DepartmentTask.objects.filter(department_id=user.department_id).values("ticket_id"))
    return Ticket.objects.filter(q)


def is_manager(user) -> bool:
    return user.is_superuser or user.has_role(Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def is_read_only(user) -> bool:
    """QA inspectors read the tickets of their department (list and page) and change none: no ticket of
    their own, no claim, no action (R-ORG-2: QA reviews agents' work)."""
    return not user.is_superuser and bool(user.role_codes) and user.role_codes <= {Role.QA}


def can_act_on(user, ticket: Ticket) -> bool:
    """The owner; the team lead of the owner (or any lead of the shop for unowned tickets); heads,
    directors and administrators within scope. Other departments only work on their tasks."""
    scope = scope_for(user)
    if not scope.can_see_shop(ticket.shop_id):
        return False
    if ticket.owner_id == user.pk or is_manager(user):
        return True
    if user.has_role(Role.LEAD):
        return ticket.owner_id is None or ticket.owner_id in set(scope.people().values_list("pk", flat=True))
    return False


def refuse_read_only(user) -> None:
    """Every ticket change, a new ticket included, is refused to read-only roles (QA)."""
    if is_read_only(user):
        raise NotAllowed(_("QA inspectors read tickets; they do not change them."))


def access_ticket(user, ticket_id: int, *, act: bool = False, for_update: bool = False) -> Ticket:
    """The ticket if in scope (NotFound otherwise). ``act``: the caller must be allowed to act on it;
    ``for_update`` (every change locks the row) is refused to read-only roles (QA)."""
    if (act or for_update) and is_read_only(user):
        if not tickets_in_scope(user).filter(pk=ticket_id).exists():
            raise NotFound(_("No such ticket."))
        raise NotAllowed(_("QA inspectors read tickets; they do not change them."))
    qs = tickets_in_scope(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("No such ticket."))
    if act and not can_act_on(user, ticket):
        raise NotAllowed(_("Only the ticket's owner, their team lead and the department's managers may do this."))
    return ticket


def access_task(user, task_id: int, *, for_update: bool = False) -> DepartmentTask:
    """A department task the caller's department holds (or any, for heads, directors, admins)."""
    qs = DepartmentTask.objects.select_related("ticket", "department")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    task = qs.filter(pk=task_id).first()
    if task is None or not (task.department_id == user.department_id or can_see_ticket_of_task(user, task)):
        raise NotFound(_("No such task."))
    if not can_work_on_task(user, task):
        raise NotAllowed(_("This task belongs to another department: only its people complete or return it."))
    return task


def can_see_ticket_of_task(user, task: DepartmentTask) -> bool:
    return scope_for(user).can_see_shop(task.ticket.shop_id)


def can_work_on_task(user, task: DepartmentTask) -> bool:
    """R-TIC-3: the people of the department a task was handed to complete or return it (the centre
    director and administrators may too); the ticket's owner only watches its progress."""
    if task.department_id == user.department_id:
        return True
    return (user.is_superuser or user.has_role(Role.DIRECTOR, Role.ADMIN)) and \
        scope_for(user).can_see_shop(task.ticket.shop_id)
