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
from kefu.workforce.models import Delegation, LeaveRequest, LevelApplication, Shift, Violation

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


def _decides_leave_itself(user, leave: LeaveRequest) -> bool:
    return (leave.person_id != user.pk and may_approve_role(user, leave.approver_role)
            and scope_for(user).can_act_on_person(leave.person))


def may_decide(user, leave: LeaveRequest) -> bool:
    """By the role the leave names, within the caller's scope, or on behalf of such an approver who handed the
    caller their approvals for now (a delegation, R-WFM-4)."""
    return _decides_leave_itself(user, leave) or decides_for(user, leave) is not None


def decides_for(user, leave: LeaveRequest) -> User | None:
    """The approver on whose behalf ``user`` decides ``leave`` (an active delegation); None when the caller
    decides it by their own role, or may not decide it at all."""
    if leave.person_id == user.pk or _decides_leave_itself(user, leave):
        return None
    return next((approver for approver in active_delegators(user)
                 if approver.pk != leave.person_id and _decides_leave_itself(approver, leave)), None)


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
    """Managers see the leave of their scope; anyone else (an agent, a QA inspector) only their own: a leave
    request's reason and certificate are private."""
    if not is_manager(user):
        return LeaveRequest.objects.filter(person_id=user.pk)
    return LeaveRequest.objects.filter(scope_for(user).people_q("person__"))


def access_leave(user, leave_id: int, *, for_update: bool = False) -> LeaveRequest:
    qs = leave_in_scope(user).select_related("person")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    leave = qs.filter(pk=leave_id).first()
    if leave is None:  # a delegate reaches the leave of the approver's people (R-WFM-4)
        delegated = Q()
        for approver in active_delegators(user):
            delegated |= scope_for(approver).people_q("person__")
        if delegated:
            qs = LeaveRequest.objects.select_related("person").filter(delegated, pk=leave_id)
            if for_update:
                qs = qs.select_for_update(of=("self",))
            leave = qs.first()
    if leave is None:
        raise NotFound(_("No such leave request."))
    return leave


def violations_in_scope(user) -> QuerySet[Violation]:
    """Visible to the person, their lead and above (R-ORG-4) — not to a QA inspector's department scope."""
    if not is_manager(user):
        return Violation.objects.filter(person_id=user.pk)
    return Violation.objects.filter(scope_for(user).people_q("person__"))


# -- delegation of approvals and the level ladder (R-WFM-4, R-ORG-3) ----------------------------------------

APPROVING_RANK = {Role.LEAD: 1, Role.HEAD: 2, Role.DIRECTOR: 3}
"""Who approves what: leads (swaps, the lower levels) < heads (leave up to a day) < directors."""


def approving_rank(user) -> int:
    """The highest approving role the person holds (0: none)."""
    return max((APPROVING_RANK.get(role, 0) for role in user.role_codes), default=0)


def active_delegators(user, *, at=None) -> list[User]:
    """The approvers who handed their approvals to ``user`` for a window covering ``at`` (default now)."""
    from django.utils import timezone

    at = at or timezone.now()
    rows = (Delegation.objects.filter(delegate_id=user.pk, revoked=False, start_at__lte=at, end_at__gt=at,
                                      approver__is_active=True)
            .select_related("approver").prefetch_related("approver__roles"))
    return [row.approver for row in rows]


def may_decide_level(user, application: LevelApplication) -> bool:
    """R-ORG-3: the level's approver (its role or a higher one) of the person's team/department/centre; never
    one's own application."""
    if application.person_id == user.pk:
        return False
    needed = APPROVING_RANK.get(application.level.approver_role, 1)
    return approving_rank(user) >= needed and scope_for(user).can_act_on_person(application.person)


def decides_level_for(user, application: LevelApplication, *, delegators: list[User] | None = None) -> User | None:
    """The approver on whose behalf ``user`` decides ``application`` (None: by their own right, or not at all)."""
    if application.person_id == user.pk or may_decide_level(user, application):
        return None
    delegators = active_delegators(user) if delegators is None else delegators
    return next((approver for approver in delegators
                 if approver.pk != application.person_id and may_decide_level(approver, application)), None)


# -- shift types and plan proposals (issue 10) -----------------------------------------------------------

SHIFT_TYPE_ROLES = frozenset({Role.HEAD, Role.DIRECTOR, Role.ADMIN})


def may_edit_shift_types(user) -> bool:
    """The centre's shift types are set by department heads, directors and administrators; leads read them."""
    return bool(user.is_superuser or user.role_codes & SHIFT_TYPE_ROLES)


def team_for_roster(user, team_id: int | None):
    """A team whose roster the caller changes (proposals, copying a week): 403 for a role that may not or a
    team outside the scope (the lead of 一班 for 二班)."""
    from kefu.org.models import Team

    if not may_roster(user):
        raise NotAllowed(_("Only team leads, department heads and directors change the roster."))
    if team_id is None or team_id not in scope_for(user).team_ids:
        raise NotAllowed(_("This team is outside your scope."))
    return Team.objects.get(pk=team_id)


# -- shift swaps (R-WFM-3) -------------------------------------------------------------------------------

SWAP_OVER_LEAD_ROLES = frozenset({Role.HEAD, Role.DIRECTOR})
SWAP_APPROVER_ROLES = SWAP_OVER_LEAD_ROLES | {Role.LEAD}


def swaps_in_scope(user):
    """Swaps the caller sees: their own (either side), their team's (leads), their department's (heads),
    the centre's (directors)."""
    from kefu.workforce.models import ShiftSwap

    scope = scope_for(user)
    return ShiftSwap.objects.filter(Q(requester_id=user.pk) | Q(counterpart_id=user.pk)
                                    | scope.people_q("requester__") | scope.people_q("counterpart__"))


def access_swap(user, swap_id: int, *, for_update: bool = False):
    qs = swaps_in_scope(user).select_related("requester", "counterpart")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    swap = qs.filter(pk=swap_id).first()
    if swap is None:
        raise NotFound(_("No such shift swap."))
    return swap


def swap_sides(user, swap) -> set[str]:
    """The sides ("requester", "counterpart") of ``swap`` the caller approves: the lead of the person's team
    their side; a department head or director any side of a person in their scope; never a swap of one's own."""
    if user.pk in (swap.requester_id, swap.counterpart_id):
        return set()
    roles = user.role_codes
    sides = set()
    for side, person in (("requester", swap.requester), ("counterpart", swap.counterpart)):
        team_lead = Role.LEAD in roles and user.team_id and person.team_id == user.team_id
        if team_lead or (roles & SWAP_OVER_LEAD_ROLES and scope_for(user).can_act_on_person(person)):
            sides.add(side)
    return sides


def swap_inbox_q(user) -> Q | None:
    """The pending swaps with a side the caller approves and nobody approved yet (None: none at all)."""
    roles = user.role_codes
    q = None
    if Role.LEAD in roles and user.team_id:
        q = (Q(requester__team_id=user.team_id, requester_lead_approved_by__isnull=True)
             | Q(counterpart__team_id=user.team_id, counterpart_lead_approved_by__isnull=True))
    if roles & SWAP_OVER_LEAD_ROLES:
        scope = scope_for(user)
        wider = ((scope.people_q("requester__") & Q(requester_lead_approved_by__isnull=True))
                 | (scope.people_q("counterpart__") & Q(counterpart_lead_approved_by__isnull=True)))
        q = wider if q is None else q | wider
    return q
