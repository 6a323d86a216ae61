"""The navigation by role (one place). Each entry: label, URL name, icon, the roles that see it (empty =
everyone logged in) and the menu group it sits in. Entries whose page does not exist are left out."""

import functools
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.org.models import Department
from kefu.org.roles import Role

# People of the departments that take handed-over work (物流部, 维修部): their menu is their task inbox
# and little else. A pseudo-role: they hold the agent role, but not in a customer-service department.
DEPARTMENT_STAFF = "department_staff"

AGENT_UP = frozenset({Role.AGENT, Role.LEAD, Role.HEAD, Role.DIRECTOR})
LEAD_UP = frozenset({Role.LEAD, Role.HEAD, Role.DIRECTOR})
MANAGERS = frozenset({Role.HEAD, Role.DIRECTOR, Role.ADMIN})
SERVICE = frozenset({Role.AGENT, Role.LEAD, Role.QA, Role.HEAD, Role.DIRECTOR, Role.ADMIN})
EVERYONE = SERVICE | {DEPARTMENT_STAFF}


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
    NavGroup("workforce", _("Shifts and leave"), "ti-calendar-time"),
    NavGroup("quality", _("Quality and training"), "ti-clipboard-check"),
    NavGroup("performance", _("Performance and reports"), "ti-chart-line"),
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
    NavItem(_("Customers"), "customers:list", "ti-address-book", SERVICE, group="customers"),
    NavItem(_("Team due board"), "customers:team_due", "ti-layout-kanban", LEAD_UP, "customers"),
    NavItem(_("Customer pool"), "customers:pool", "ti-lifebuoy", frozenset({Role.AGENT, Role.LEAD, Role.HEAD}),
            "customers"),
    NavItem(_("Churn risk"), "customers:churn", "ti-alert-triangle", AGENT_UP, "customers"),
    NavItem(_("Import customers"), "customers:import", "ti-file-import", AGENT_UP | {Role.ADMIN}, "customers"),
    NavItem(_("Customer dashboard"), "customers:dashboard", "ti-chart-pie", LEAD_UP, "customers"),
    NavItem(_("My desk"), "tickets:desk", "ti-headset", frozenset({Role.AGENT, Role.LEAD}), "tickets"),
    NavItem(_("Tickets"), "tickets:desk", "ti-ticket", frozenset({Role.QA, Role.HEAD, Role.DIRECTOR}), "tickets"),
    NavItem(_("Lead board"), "tickets:board", "ti-layout-board", LEAD_UP, "tickets"),
    NavItem(_("Department tasks"), "tickets:tasks", "ti-truck-delivery", EVERYONE, "tickets"),
    NavItem(_("Callbacks"), "tickets:callbacks", "ti-phone-call", AGENT_UP, "tickets"),
    NavItem(_("Ticket dashboard"), "tickets:dashboard", "ti-chart-bar", LEAD_UP, "tickets"),
    NavItem(_("Standard replies"), "knowledge:list", "ti-book", EVERYONE, group="knowledge"),
    NavItem(_("Approvals"), "knowledge:approvals", "ti-checks", MANAGERS, "knowledge"),
    NavItem(_("Announcements"), "announcements:list", "ti-speakerphone", EVERYONE, group="knowledge"),
    NavItem(_("Notifications"), "notifications:list", "ti-bell", frozenset({DEPARTMENT_STAFF}), group="knowledge"),
    NavItem(_("Team roster"), "workforce:roster", "ti-calendar-week", AGENT_UP, "workforce"),
    NavItem(_("My schedule"), "workforce:my_schedule", "ti-calendar-user", AGENT_UP, "workforce"),
    NavItem(_("Ask for leave"), "workforce:leave_new", "ti-beach", AGENT_UP, "workforce"),
    NavItem(_("Leave to approve"), "workforce:approvals", "ti-checkbox", frozenset({Role.HEAD, Role.DIRECTOR}),
            "workforce"),
    NavItem(_("Roll call"), "workforce:rollcall", "ti-user-check", LEAD_UP, "workforce"),
    NavItem(_("Duty log and handover"), "workforce:handover", "ti-arrows-exchange", AGENT_UP, "workforce"),
    NavItem(_("Shift swaps"), "workforce:swaps", "ti-switch-horizontal", AGENT_UP, "workforce"),
    NavItem(_("Shift plan proposal"), "workforce:plan", "ti-wand", LEAD_UP, "workforce"),
    NavItem(_("Attendance board"), "workforce:attendance_board", "ti-report-analytics", LEAD_UP, "workforce"),
    NavItem(_("Violations"), "workforce:violations", "ti-alert-octagon", AGENT_UP, "workforce"),
    NavItem(_("Level ladder"), "workforce:ladder", "ti-stairs-up", AGENT_UP, "workforce"),
    NavItem(_("Approval delegation"), "workforce:delegation", "ti-user-share", LEAD_UP, "workforce"),
    NavItem(_("Inspector's desk"), "quality:desk", "ti-clipboard-check", frozenset({Role.QA, Role.HEAD}), "quality"),
    NavItem(_("My quality"), "quality:mine", "ti-medal", frozenset({Role.AGENT}), "quality"),
    NavItem(_("Team quality"), "quality:team", "ti-chart-dots", LEAD_UP, "quality"),
    NavItem(_("Appeals"), "quality:appeals", "ti-scale", frozenset({Role.HEAD, Role.QA}), "quality"),
    NavItem(_("Calibration"), "quality:calibration", "ti-adjustments-alt", frozenset({Role.QA, Role.HEAD}),
            "quality"),
    NavItem(_("Scorecards"), "quality:scorecards", "ti-list-check", frozenset({Role.QA, Role.HEAD}), "quality"),
    NavItem(_("Weekly QA summary"), "quality:summaries", "ti-report", frozenset({Role.QA}) | LEAD_UP, "quality"),
    NavItem(_("My training"), "training:mine", "ti-school", AGENT_UP, "quality"),
    NavItem(_("Training"), "training:courses", "ti-books", frozenset({Role.QA}) | LEAD_UP, "quality"),
    NavItem(_("Surveys"), "surveys:list", "ti-message-star", frozenset({Role.QA}) | LEAD_UP, "quality"),
    NavItem(_("3E daily log"), "performance:daily_log", "ti-notebook", frozenset({Role.AGENT, Role.LEAD}),
            "performance"),
    NavItem(_("Team daily logs"), "performance:team_logs", "ti-notes", LEAD_UP, "performance"),
    NavItem(_("KPI"), "performance:kpi", "ti-chart-arrows-vertical", AGENT_UP | {Role.QA}, "performance"),
    NavItem(_("Wallboard"), "performance:wallboard", "ti-device-tv", LEAD_UP, "performance"),
    NavItem(_("Reports"), "performance:reports", "ti-report-analytics", LEAD_UP | {Role.ADMIN}, "performance"),
    NavItem(_("KPI targets"), "performance:kpi_targets", "ti-target-arrow", LEAD_UP | {Role.ADMIN}, "performance"),
    NavItem(_("Assessment weights"), "performance:weights", "ti-scale", MANAGERS, "performance"),
    NavItem(_("People"), "org:people", "ti-users", frozenset({Role.LEAD, Role.QA}) | MANAGERS, "settings"),
    NavItem(_("Business calendar"), "bizcalendar:days", "ti-calendar", SERVICE, group="settings"),
    NavItem(_("Rule settings"), "rules:list", "ti-adjustments", MANAGERS, "settings"),
    NavItem(_("Audit trail"), "audit:events", "ti-list-search", MANAGERS, "settings"),
]


def is_department_staff(user) -> bool:
    """A person of a department that takes handed-over work (物流部, 维修部), with no role beyond agent:
    the task inbox is their page. Read once per user object."""
    cached = getattr(user, "_kefu_department_staff", None)
    if cached is None:
        cached = False
        if user.department_id and not user.is_superuser and not user.team_id \
                and not (user.role_codes - {Role.AGENT}):
            cached = user.department.kind == Department.Kind.OTHER  # one query, team-less agents only
        user._kefu_department_staff = cached
    return cached


def audience(user) -> frozenset[str]:
    """The roles a menu entry is matched against (department staff count as their own audience)."""
    if is_department_staff(user):
        return frozenset({DEPARTMENT_STAFF})
    return frozenset(user.role_codes | ({Role.ADMIN} if user.is_superuser else set()))


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    roles = audience(user)
    seen: set[str] = set()
    items = []
    for item in NAV_ITEMS:
        if (not item.roles or item.roles & roles) and item.url_name not in seen:
            seen.add(item.url_name)
            items.append(item)
    return items


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry as the navbar shows it: the label in one language, the URL resolved."""
    label: str
    url: str
    icon: str
    group: str


@functools.lru_cache(maxsize=512)
def menu(roles: frozenset[str], language: str, urls_key: tuple) -> tuple[MenuEntry, ...]:
    """The entries an audience (:func:`audience`) sees, for the active language and URL configuration
    (``urls_key``: script prefix and urlconf, part of the key only). Computed once per process for each
    (roles, language): every page shows the menu, and resolving ~30 URLs and translating their labels on
    each request cost more than the rest of the navbar."""
    from django.urls import NoReverseMatch, reverse

    seen: set[str] = set()
    entries = []
    for item in NAV_ITEMS:
        if (item.roles and not item.roles & roles) or item.url_name in seen:
            continue
        seen.add(item.url_name)
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append(MenuEntry(str(item.label), url, item.icon, item.group))
    return tuple(entries)


def active_url(entries: tuple[MenuEntry, ...], path: str) -> str | None:
    """The URL of the active entry: the longest one that starts the current path."""
    best = None
    for entry in entries:
        if (path == entry.url or (entry.url != "/" and path.startswith(entry.url))) and \
                (best is None or len(entry.url) > len(best)):
            best = entry.url
    return best
