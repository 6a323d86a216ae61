"""The navigation by role (one place). Each entry: label, URL name, roles that see it
(empty = everyone logged in)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.org.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] = frozenset()


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", "ti-home"),
    NavItem(_("My day"), "customers:my_day", "ti-checklist", frozenset({Role.AGENT, Role.LEAD})),
    NavItem(_("Customers"), "customers:list", "ti-address-book"),
    NavItem(_("Team due board"), "customers:team_due", "ti-layout-kanban",
            frozenset({Role.LEAD, Role.HEAD, Role.DIRECTOR})),
    NavItem(_("Customer pool"), "customers:pool", "ti-lifebuoy", frozenset({Role.AGENT, Role.LEAD, Role.HEAD})),
    NavItem(_("People"), "org:people", "ti-users",
            frozenset({Role.LEAD, Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN})),
    NavItem(_("Business calendar"), "bizcalendar:days", "ti-calendar"),
    NavItem(_("Rule settings"), "rules:list", "ti-adjustments", frozenset({Role.ADMIN, Role.HEAD, Role.DIRECTOR})),
    NavItem(_("Audit trail"), "audit:events", "ti-list-search", frozenset({Role.HEAD, Role.DIRECTOR, Role.ADMIN})),
]


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    roles = user.role_codes | ({Role.ADMIN} if user.is_superuser else set())
    return [item for item in NAV_ITEMS if not item.roles or item.roles & roles]
