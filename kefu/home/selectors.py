"""What each role's home page counts. Every number comes from the database, within scope.

Later domains (customers, tickets, workforce) add their cards here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit import selectors as audit_selectors
from kefu.bizcalendar import selectors as calendar_selectors
from kefu.core.navigation import is_department_staff
from kefu.customers import access as customer_access
from kefu.customers import selectors as customer_selectors
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.rules import selectors as rules_selectors
from kefu.tickets import access as ticket_access
from kefu.tickets import counts as ticket_counts
from kefu.tickets import selectors as ticket_selectors
from kefu.tickets import sla
from kefu.tickets.choices import OPEN_STATUSES
from kefu.tickets.choices import Status as TicketStatus


@dataclass
class Card:
    """A tile. ``alert`` is the colour it takes when its number is above zero: "danger" (overdue,
    breached — red), "warning" (near a limit — amber); neutral otherwise."""

    label: str
    value: int | str
    icon: str
    url: str = ""
    testid: str = ""
    alert: str = ""

    @property
    def tone(self) -> str:
        return self.alert if self.alert and isinstance(self.value, int) and self.value > 0 else ""


def primary_role(user) -> str:
    """The role whose home page the person sees first (the highest they hold)."""
    roles = user.role_codes
    for role in (Role.ADMIN, Role.DIRECTOR, Role.HEAD, Role.QA, Role.LEAD, Role.AGENT):
        if role in roles:
            return role
    return Role.ADMIN if user.is_superuser else Role.AGENT


def cards_for(user) -> list[Card]:
    if is_department_staff(user):
        return department_staff_cards(user)
    scope = scope_for(user)
    role = primary_role(user)
    today = timezone.localdate()
    cards = [
        Card(_("Shops I serve") if role == Role.AGENT else _("Shops in my scope"), len(scope.shop_ids),
             "ti-building-store", testid="card-shops"),
    ]
    if role == Role.AGENT:
        cards.append(Card(_("My team"), str(user.team or "—"), "ti-users-group", testid="card-team"))
        cards.append(Card(_("Working day today") , _("Yes") if calendar_selectors.is_working_day(today) else _("No"),
                          "ti-calendar", testid="card-workday"))
    else:
        cards.append(Card(_("People in my scope"), scope.people().count(), "ti-users", "/org/people/",
                          testid="card-people"))
        cards.append(Card(_("Teams in my scope"), len(scope.team_ids), "ti-users-group", testid="card-teams"))
    cards.extend(ticket_cards(user, role))
    cards.extend(customer_cards(user, role, today))
    if role in {Role.HEAD, Role.DIRECTOR, Role.ADMIN}:
        cards.append(Card(_("Audit events today"), audit_selectors.count_today(user), "ti-list-search",
                          "/audit/", testid="card-audit"))
        cards.append(Card(_("Failed logins today"), audit_selectors.count_today(user, action="login_failed"),
                          "ti-lock-exclamation", "/audit/?action=login_failed", testid="card-failed-logins",
                          alert="warning"))
    if role == Role.ADMIN:
        cards.append(Card(_("Rule settings changed from default"),
                          rules_selectors.count_overrides(centre_id=user.centre_id), "ti-adjustments", "/rules/",
                          testid="card-rules"))
    return cards


def customer_cards(user, role: str, today) -> list[Card]:
    """Follow-ups due today and overdue: one's own for agents, the team's for leads and above."""
    if role in {Role.AGENT, Role.LEAD}:
        owner_ids = [user.pk] if role == Role.AGENT else customer_selectors.team_owner_ids(user)
        counts = customer_selectors.due_counts(owner_ids, today)
        url = "/customers/my-day/" if role == Role.AGENT else "/customers/team-due/"
        return [
            Card(_("Follow-ups due today"), counts["due"], "ti-checklist", url, testid="card-due"),
            Card(_("Follow-ups overdue"), counts["overdue"], "ti-alarm", url, testid="card-overdue", alert="danger"),
        ]
    if role in {Role.QA}:
        return []
    counts = customer_selectors.scope_counts(user, today)
    return [
        Card(_("Customers"), counts["customers"], "ti-address-book", "/customers/", testid="card-customers"),
        Card(_("Follow-ups overdue"), counts["overdue"], "ti-alarm", "/customers/?overdue=true",
             testid="card-overdue", alert="danger"),
        Card(_("VIPs at churn risk"), counts["at_risk"], "ti-trending-down", "/customers/?churn_risk=true",
             testid="card-churn", alert="warning"),
    ]


def ticket_cards(user, role: str) -> list[Card]:
    """The agent's own tickets and callbacks; the scope's open, breached and escalated tickets for leads
    and above; the department's handed-over tasks for people of other departments."""
    cards: list[Card] = []
    tasks = ticket_counts.department_task_count(user)
    if tasks["open"]:
        cards.append(Card(_("Tasks for my department"), tasks["open"], "ti-truck-delivery", "/tickets/tasks/",
                          testid="card-dept-tasks"))
        if tasks["overdue"]:
            cards.append(Card(_("Tasks past due"), tasks["overdue"], "ti-alarm", "/tickets/tasks/",
                              testid="card-dept-tasks-overdue", alert="danger"))
    if role == Role.AGENT:
        mine = ticket_counts.my_counts(user)
        cards += [
            Card(_("My open tickets"), mine["open"], "ti-ticket", "/tickets/", testid="card-my-tickets"),
            Card(_("My tickets past the time limit"), mine["breached"], "ti-alarm", "/tickets/?sla_state=breached",
                 testid="card-my-breached", alert="danger"),
            Card(_("Near the time limit"), mine["warning"], "ti-clock-exclamation", "/tickets/?sla_state=warning",
                 testid="card-my-warning", alert="warning"),
            Card(_("Callbacks to make"), mine["callbacks"], "ti-phone-call", "/tickets/callbacks/",
                 testid="card-my-callbacks"),
        ]
    elif role in {Role.LEAD, Role.HEAD, Role.DIRECTOR}:
        scope = ticket_counts.scope_counts(user)
        cards += [
            Card(_("Open tickets"), scope["open"], "ti-ticket", "/tickets/", testid="card-open-tickets"),
            Card(_("Past the time limit"), scope["breached"], "ti-alarm", "/tickets/?sla_state=breached",
                 testid="card-breached", alert="danger"),
            Card(_("Near the time limit"), scope["warning"], "ti-clock-exclamation", "/tickets/?sla_state=warning",
                 testid="card-warning", alert="warning"),
            Card(_("Escalated"), scope["escalated"], "ti-arrow-big-up-lines", "/tickets/board/",
                 testid="card-escalated", alert="warning"),
            Card(_("Unassigned"), scope["queue"], "ti-inbox", "/tickets/", testid="card-queue"),
        ]
        if scope["approvals"]:
            cards.append(Card(_("Compensations to approve"), scope["approvals"], "ti-coin-yuan", "/tickets/board/",
                              testid="card-approvals", alert="warning"))
    return cards


def calendar_warning(user) -> str | None:
    """Administrators are told when next year's official holiday schedule is missing (R-CAL)."""
    if primary_role(user) not in {Role.ADMIN, Role.HEAD, Role.DIRECTOR}:
        return None
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        warning = calendar_selectors.missing_schedule_warning(year)
        if warning:
            return warning
    return None


def department_staff_cards(user) -> list[Card]:
    """物流部/维修部 people: their department's inbox in numbers."""
    tasks = ticket_counts.department_task_count(user)
    return [
        Card(_("Open tasks for my department"), tasks["open"], "ti-truck-delivery", "/tickets/tasks/",
             testid="card-dept-tasks"),
        Card(_("Tasks past due"), tasks["overdue"], "ti-alarm", "/tickets/tasks/", testid="card-dept-tasks-overdue",
             alert="danger"),
    ]


def department_tasks(user, limit: int = 8) -> list:
    """The first open tasks of the person's department, soonest due first (department staff's home)."""
    return list(ticket_selectors.department_inbox(user)[:limit])


def manager_charts(user) -> dict | None:
    """Charts for leads and above: open tickets by status and time-limit state, and follow-ups overdue per
    team, within scope. Two grouped queries."""
    role = primary_role(user)
    if role not in {Role.LEAD, Role.HEAD, Role.DIRECTOR, Role.ADMIN}:
        return None
    tickets = ticket_access.tickets_in_scope(user).filter(status__in=OPEN_STATUSES)
    if role == Role.LEAD:
        tickets = tickets.filter(Q(owner__team_id=user.team_id) | Q(owner__isnull=True))
    rows = tickets.values("status", "sla_state").annotate(n=Count("id")).order_by()
    statuses = list(OPEN_STATUSES)
    status_labels = dict(TicketStatus.choices)
    counts = {(r["status"], r["sla_state"]): r["n"] for r in rows}
    states = [(sla.OK, _("Within the time limit"), "#2fb344"), (sla.WARNING, _("Near the time limit"), "#f59f00"),
              (sla.BREACHED, _("Past the time limit"), "#d63939")]
    tickets_chart = {
        "categories": [str(status_labels.get(s, s)) for s in statuses],
        "series": [{"name": str(label), "color": color, "data": [counts.get((s, state), 0) for s in statuses]}
                   for state, label, color in states],
        "total": sum(counts.values()),
    }
    today = timezone.localdate()
    overdue = (customer_access.customers_in_scope(user).filter(owner__isnull=False, next_due__lt=today)
               .values("owner__team__name").annotate(n=Count("id")).order_by())
    per_team = {r["owner__team__name"] or str(_("No team")): r["n"] for r in overdue}
    for name in scope_for(user).teams().values_list("name", flat=True):
        per_team.setdefault(name, 0)
    teams = sorted(per_team, key=lambda t: (-per_team[t], t))
    return {
        "tickets": tickets_chart,
        "overdue": {"teams": teams, "data": [per_team[t] for t in teams], "total": sum(per_team.values())},
    }
