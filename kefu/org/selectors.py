"""Read queries of the organisation, always through the caller's scope (R-ORG-2)."""

from __future__ import annotations

import copy

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from kefu.core.errors import NotFound
from kefu.org.models import Department, Shop, Team, User, UserRole
from kefu.org.scope import scope_for


def people_in_scope(user: User) -> QuerySet[User]:
    return (
        scope_for(user)
        .people()
        .select_related("team", "department")
        .prefetch_related(Prefetch("roles", queryset=UserRole.objects.only("user_id", "role")))
        .order_by("id")
    )


def shops_in_scope(user: User) -> QuerySet[Shop]:
    return scope_for(user).shops().order_by("id")


def teams_in_scope(user: User) -> QuerySet[Team]:
    return scope_for(user).teams().select_related("department").prefetch_related("shops").order_by("id")


def departments_of_centre(user: User) -> QuerySet[Department]:
    """All departments of the caller's centre: everyone may hand work to any of them (R-TIC-3)."""
    return Department.objects.filter(centre_id=user.centre_id).order_by("id")


def access_person(user: User, person_id: int) -> User:
    """Fetch a person the caller may see, or NotFound (scope misses look like absence)."""
    person = people_in_scope(user).filter(pk=person_id).first()
    if person is None:
        raise NotFound(_("No such person."))
    return person


def access_shop(user: User, code: str) -> Shop:
    shop = shop_by_code(code)
    if shop is None or not scope_for(user).can_see_shop(shop.pk):
        raise NotFound(_("No such shop."))
    return shop


def shop_by_code(code: str) -> Shop | None:
    """The shop with this code (a copy of the one this process remembers until the organisation's
    structure changes: integrations name the shop in every ticket they send)."""
    from kefu.org.scope import structure_memo

    memo = structure_memo()
    key = ("shop", code)
    if key not in memo:
        memo[key] = Shop.objects.filter(code=code).first()
    return copy.copy(memo[key])


def with_roles(queryset: QuerySet[User]) -> QuerySet[User]:
    return queryset.prefetch_related(Prefetch("roles", queryset=UserRole.objects.only("user_id", "role")))


def users_with_role(role: str, *, team_id: int | None = None) -> QuerySet[User]:
    """Active people holding ``role`` (optionally of one team), e.g. the leads of an agent's team."""
    qs = User.objects.filter(roles__role=role, is_active=True)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("username")


def department_members(department_id: int) -> QuerySet[User]:
    """Active people of a department (e.g. 物流部, who receive handed-over tasks)."""
    return User.objects.filter(department_id=department_id, is_active=True).order_by("username")


def leads_of_team(team_id: int | None) -> QuerySet[User]:
    if team_id is None:
        return User.objects.none()
    return users_with_role("lead", team_id=team_id)


def managers_of(department_id: int | None, role: str) -> QuerySet[User]:
    """Heads of a department, or the centre's directors (``role`` "head" or "director")."""
    qs = User.objects.filter(roles__role=role, is_active=True)
    if role == "head" and department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("username")
