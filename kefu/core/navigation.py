"""The navigation by role (one place). Each entry: label, URL name, icon, the roles that see it (empty =
everyone logged in) and the menu group it sits in. Entries whose page does not exist are left out."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.org.roles import Role

AGENT_UP = frozenset({Role.AGENT, Role.LEAD, Role.HEAD, Role.DIRECTOR})
LEAD_UP = frozenset({Role.LEAD, Role.HEAD, Role.DIRECTOR})
MANAGERS = frozenset({Role.HEAD, Role.DIRECTOR, Role.ADMIN})


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    icon: str


GROUPS: list[NavGroup] = [
    NavGroup("home", _("Home"), "ti-home"),
    NavGroup("customers", _("Customers"), "ti-address-book"),
    NavGroup("tickets", _("Tickets"), "ti-ticket"),
    NavGroup("knowledge", _("Knowledge"), "ti-book"),
    NavGroup("settings", _("Organisation"), "ti-settings"),
]


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] = frozenset()
    group: str = "home"


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", "ti-home"),
    NavItem(_("My day"), "customers:my_day", "ti-checklist", frozenset({Role.AGENT, Role.LEAD}), "customers"),
    NavItem(_("Customers"), "customers:list", "ti-address-book", group="customers"),
    NavItem(_("Team due board"), "customers:team_due", "ti-layout-kanban", LEAD_UP, "customers"),
    NavItem(_("Customer pool"), "customers:pool", "ti-lifebuoy", frozenset({Role.AGENT, Role.LEAD, Role.HEAD}),
            "customers"),
    NavItem(_("Churn risk"), "customers:churn", "ti-alert-triangle", AGENT_UP, "customers"),
    NavItem(_("Import customers"), "customers:import", "ti-file-import", AGENT_UP | {Role.ADMIN}, "customers"),
    NavItem(_("Customer dashboard"), "customers:dashboard", "ti-chart-pie", LEAD_UP, "customers"),
    NavItem(_("My desk"), "tickets:desk", "ti-headset", AGENT_UP, "tickets"),
    NavItem(_("Lead board"), "tickets:board", "ti-layout-board", LEAD_UP, "tickets"),
    NavItem(_("Department tasks"), "tickets:tasks", "ti-truck-delivery", group="tickets"),
    NavItem(_("Callbacks"), "tickets:callbacks", "ti-phone-call", AGENT_UP, "tickets"),
    NavItem(_("Ticket dashboard"), "tickets:dashboard", "ti-chart-bar", LEAD_UP, "tickets"),
    NavItem(_("Standard replies"), "knowledge:list", "ti-book", group="knowledge"),
    NavItem(_("Approvals"), "knowledge:approvals", "ti-checks", MANAGERS, "knowledge"),
    NavItem(_("Announcements"), "announcements:list", "ti-speakerphone", group="knowledge"),
    NavItem(_("People"), "org:people", "ti-users", frozenset({Role.LEAD, Role.QA}) | MANAGERS, "settings"),
    NavItem(_("Business calendar"), "bizcalendar:days", "ti-calendar", group="settings"),
    NavItem(_("Rule settings"), "rules:list", "ti-adjustments", MANAGERS, "settings"),
    NavItem(_("Audit trail"), "audit:events", "ti-list-search", MANAGERS, "settings"),
]


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    roles = user.role_codes | ({Role.ADMIN} if user.is_superuser else set())
    return [item for item in NAV_ITEMS if not item.roles or item.roles & roles]
