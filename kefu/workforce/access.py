"""Who may see and act on which shift, leave request, attendance and violation (R-ORG-2, SPEC §4).

- agents see their team's roster and their own leave, attendance and violations;
- leads roster and record attendance for their team; heads and directors for their department/centre;
- leave is decided by the role it names (R-WFM-4): a head request by a department head (or the director),
  a director request by the centre director only; never one's own.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import FieldError, InvalidInput, NotAllowed, NotFound
from kefu.org.models import User
from kefu.org.roles import Role
from kefu.org.scope import SELF, scope_for
from kefu.workforce.models import LeaveRequest, Shift, Violation

MANAGER_ROLES = frozenset({Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN})
ROSTER_ROLES = MANAGER_ROLES
APPROVER_ROLES = {
    LeaveRequest.ApproverRole.HEAD: frozenset({Role.HEAD, Role.DIRECTOR}),
    LeaveRequest.ApproverRole.DIRECTOR: frozenset({Role.DIRECTOR}),
}


def is_manager(user) -> bool:
    return bool(user.is_superuser or user.role_codes & MANAGER_ROLES)


def may_roster(user) -> bool:
    """Leads, heads and directors build rosters and record attendance (R-WFM-1, R-WFM-5)."""
    return bool(user.is_superuser or user.role_codes & ROSTER_ROLES)


def may_approve_role(user, approver_role: str) -> bool:
    return bool(user.role_codes & APPROVER_ROLES.get(approver_role, frozenset()))


def may_decide(user, leave: LeaveRequest) -> bool:
    return leave.person_id != user.pk and may_approve_role(user, leave.approver_role)


def can_manage_person(user, person: User) -> bool:
    """A manager acting on someone else in their scope (the lead of 一班 on 一班's people only)."""
    if person.pk == user.pk:
        return False
    return is_manager(user) and scope_for(user).can_act_on_person(person)


def person_in_scope(user, username: str | None, field: str = "person") -> User:
    """The active person named ``username`` within the caller's scope (422 naming ``field`` otherwise)."""
    if not username:
        return user
    person = scope_for(user).people().filter(username=username).first()
    if person is None:
        raise InvalidInput(_("The request has invalid fields."),
                           errors=[FieldError(field, _("No such person in your scope."))])
    return person


def shifts_in_scope(user) -> QuerySet[Shift]:
    """Agents: their team's roster and their own shifts; others: the people and teams of their scope."""
    scope = scope_for(user)
    if scope.level == SELF:
        q = Q(person_id=user.pk)
        if user.team_id:
            q |= Q(team_id=user.team_id)
        return Shift.objects.filter(q)
    return Shift.objects.filter(scope.people_q("person__") | Q(team_id__in=scope.team_ids))


def shift_for_manager(user, shift_id: int, *, for_update: bool = False) -> Shift:
    """A shift of someone the caller manages (404 outside the scope, 403 for a role that may not)."""
    qs = shifts_in_scope(user).select_related("person")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    shift = qs.filter(pk=shift_id).first()
    if shift is None:
        raise NotFound(_("No such shift."))
    if not may_roster(user):
        raise NotAllowed(_("Only team leads, department heads and directors change the roster."))
    if not scope_for(user).can_act_on_person(shift.person):
        raise NotFound(_("No such shift."))
    return shift


def leave_in_scope(user) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(scope_for(user).people_q("person__"))


def access_leave(user, leave_id: int, *, for_update: bool = False) -> LeaveRequest:
    qs = leave_in_scope(user).select_related("person")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    leave = qs.filter(pk=leave_id).first()
    if leave is None:
        raise NotFound(_("No such leave request."))
    return leave


def violations_in_scope(user) -> QuerySet[Violation]:
    """Visible to the person, their lead and above (R-ORG-4)."""
    return Violation.objects.filter(scope_for(user).people_q("person__"))
