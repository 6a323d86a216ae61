"""Who may see and do what with daily logs and KPI (R-KPI-1 … R-KPI-3, R-ORG-2): one policy."""

from __future__ import annotations

from kefu.org.roles import Role
from kefu.org.scope import scope_for

FILERS = (Role.AGENT, Role.LEAD)
MANAGERS = (Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def can_file(user) -> bool:
    """Agents (and leads, who also take contacts) write their own 3E log."""
    return bool(user and user.is_authenticated and user.has_role(*FILERS))


def can_review(user) -> bool:
    """Leads see their team's logs and who has not filed; heads and directors their department/centre."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*MANAGERS)))


def people_in_scope(user):
    return scope_for(user).people()


def can_handle_help(user, person) -> bool:
    return can_review(user) and person.pk != user.pk and scope_for(user).can_act_on_person(person)


# -- KPI targets per team and the assessment weights (R-KPI-1) ----------------------------------------------
TARGET_SETTERS = (Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN)
WEIGHT_EDITORS = (Role.HEAD, Role.DIRECTOR, Role.ADMIN)


def can_set_targets(user) -> bool:
    """Leads (their team), heads (their department's teams), directors and admins (the centre's)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*TARGET_SETTERS)))


def team_in_scope(user, team_id) -> bool:
    return team_id in scope_for(user).team_ids


def can_edit_weights(user) -> bool:
    """Heads, directors and admins add a version of the assessment weights."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*WEIGHT_EDITORS)))
