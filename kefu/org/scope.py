"""The one data-scope mechanism (R-ORG-2). Every query that returns people, shops or
anything that belongs to a shop goes through :func:`scope_for`.

- agent: the shops their team serves; acts on themselves only;
- team lead: their team's people and the shops the team serves;
- QA inspector, department head: their department's teams, people and shops;
- centre director, administrator: the whole centre.

A person with several roles gets the widest scope of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kefu.org.models import Shop, Team, User
from kefu.org.roles import Role

SELF, TEAM, DEPARTMENT, CENTRE = "self", "team", "department", "centre"
_WIDTH = {SELF: 0, TEAM: 1, DEPARTMENT: 2, CENTRE: 3}


@dataclass(frozen=True)
class Scope:
    user_id: int
    level: str
    centre_id: int | None
    department_ids: frozenset[int]
    team_ids: frozenset[int]
    shop_ids: frozenset[int]

    # -- people -------------------------------------------------------------------------
    def people_q(self, prefix: str = "") -> Q:
        """A filter on a person (``prefix`` is the lookup path to the person, e.g. ``"owner__"``)."""
        p = prefix
        if self.level == CENTRE:
            return Q(**{f"{p}centre_id": self.centre_id}) if self.centre_id else Q()
        if self.level == DEPARTMENT:
            return Q(**{f"{p}department_id__in": self.department_ids}) | Q(**{f"{p}team_id__in": self.team_ids})
        if self.level == TEAM:
            return Q(**{f"{p}team_id__in": self.team_ids})
        return Q(**{f"{p}pk": self.user_id})

    def people(self) -> QuerySet[User]:
        return User.objects.filter(self.people_q(), is_active=True)

    def can_act_on_person(self, person: User) -> bool:
        if person.pk == self.user_id:
            return True
        if self.level == CENTRE:
            return self.centre_id is None or person.centre_id == self.centre_id
        if self.level == DEPARTMENT:
            return person.department_id in self.department_ids or person.team_id in self.team_ids
        if self.level == TEAM:
            return person.team_id in self.team_ids
        return False

    # -- shops and what belongs to them -------------------------------------------------------
    def shops(self) -> QuerySet[Shop]:
        return Shop.objects.filter(pk__in=self.shop_ids)

    def can_see_shop(self, shop_id: int | None) -> bool:
        return shop_id in self.shop_ids

    def filter_by_shop(self, queryset: QuerySet, field: str = "shop") -> QuerySet:
        """Keep only rows whose ``field`` (a Shop foreign key) is in scope."""
        return queryset.filter(**{f"{field}_id__in": self.shop_ids})

    def teams(self) -> QuerySet[Team]:
        return Team.objects.filter(pk__in=self.team_ids)

    @property
    def is_wider_than_self(self) -> bool:
        return _WIDTH[self.level] > _WIDTH[SELF]


def _level_for(user: User) -> str:
    roles = user.role_codes
    if user.is_superuser or roles & {Role.DIRECTOR, Role.ADMIN}:
        return CENTRE
    if roles & {Role.HEAD, Role.QA}:
        return DEPARTMENT
    if Role.LEAD in roles:
        return TEAM
    return SELF


# -- the scopes already computed, shared by the requests of a process ------------------------------------
# A scope follows from the person's own fields and roles (part of the key: a person read afresh brings
# them) and from the organisation's structure: which teams serve which shops, which shops and teams a
# centre has. A change of that structure (signals in org.models) renews the memo in every process
# through the rules cache's generation (and after rules.cache.MAX_AGE_SECONDS at the latest).
STRUCTURE = "org-structure"


def structure_memo() -> dict:
    """A dict for what follows from the organisation's structure; a new one when it changes."""
    from kefu.rules import cache

    return cache.overrides(0, lambda _slot: {}, namespace=STRUCTURE)


def structure_changed(*, using: str = "default") -> None:
    """Teams, shops or the shops a team serves changed: scopes are computed again."""
    from kefu.rules import cache

    cache.invalidate(0, using, namespace=STRUCTURE)


def scope_for(user: User) -> Scope:
    """The data scope of ``user``, computed once per user object, and per process for as long as the
    organisation's structure stays as it is (one to three small queries the first time)."""
    cached = getattr(user, "_kefu_scope", None)
    if cached is not None:
        return cached
    key = (user.pk, user.is_superuser, user.centre_id, user.department_id, user.team_id, user.role_codes)
    memo = structure_memo()
    scope = memo.get(key)
    if scope is None:
        scope = memo[key] = _compute_scope(user)
    user._kefu_scope = scope
    return scope


def _compute_scope(user: User) -> Scope:
    level = _level_for(user)
    centre_id = user.centre_id
    if level == CENTRE:
        teams = Team.objects.filter(department__centre_id=centre_id) if centre_id else Team.objects.all()
        department_ids = frozenset(teams.values_list("department_id", flat=True))
        shop_qs = Shop.objects.filter(centre_id=centre_id) if centre_id else Shop.objects.all()
        shop_ids = frozenset(shop_qs.values_list("pk", flat=True))
        team_ids = frozenset(teams.values_list("pk", flat=True))
    else:
        if level == DEPARTMENT:
            department_ids = frozenset([user.department_id]) if user.department_id else frozenset()
            teams = Team.objects.filter(department_id__in=department_ids)
        else:
            department_ids = frozenset()
            teams = Team.objects.filter(pk=user.team_id) if user.team_id else Team.objects.none()
        # one query: each team with each shop it serves (None for a team that serves none)
        pairs = list(teams.values_list("pk", "shops"))
        team_ids = frozenset(team_id for team_id, _shop in pairs)
        shop_ids = frozenset(shop_id for _team, shop_id in pairs if shop_id is not None)
    scope = Scope(
        user_id=user.pk,
        level=level,
        centre_id=centre_id,
        department_ids=department_ids,
        team_ids=team_ids,
        shop_ids=shop_ids,
    )
    return scope
