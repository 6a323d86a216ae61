"""What each role's home page counts. Every number comes from the database, within scope.

Later domains (customers, tickets, workforce) add their cards here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit import selectors as audit_selectors
from kefu.bizcalendar import selectors as calendar_selectors
from kefu.customers import selectors as customer_selectors
from kefu.org import selectors as org_selectors
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.rules import selectors as rules_selectors
from kefu.tickets import counts as ticket_counts


@dataclass
class Card:
    label: str
    value: int | str
    icon: str
    url: str = ""
    testid: str = ""


def primary_role(user) -> str:
    """The role whose home page the person sees first (the highest they hold)."""
    roles = user.role_codes
    for role in (Role.ADMIN, Role.DIRECTOR, Role.HEAD, Role.QA, Role.LEAD, Role.AGENT):
        if role in roles:
            return role
    return Role.ADMIN if user.is_superuser else Role.AGENT


def cards_for(user) -> list[Card]:
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
                          "ti-lock-exclamation", "/audit/?action=login_failed", testid="card-failed-logins"))
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
            Card(_("Follow-ups overdue"), counts["overdue"], "ti-alarm", url, testid="card-overdue"),
        ]
    if role in {Role.QA}:
        return []
    counts = customer_selectors.scope_counts(user, today)
    return [
        Card(_("Customers"), counts["customers"], "ti-address-book", "/customers/", testid="card-customers"),
        Card(_("Follow-ups overdue"), counts["overdue"], "ti-alarm", "/customers/?overdue=true",
             testid="card-overdue"),
        Card(_("VIPs at churn risk"), counts["at_risk"], "ti-trending-down", "/customers/?churn_risk=true",
             testid="card-churn"),
    ]


def ticket_cards(user, role: str) -> list[Card]:
    """The agent's own tickets and callbacks; the scope's open, breached and escalated tickets for leads
    and above; the department's handed-over tasks for people of other departments."""
    cards: list[Card] = []
    tasks = ticket_counts.department_task_count(user)
    if tasks["open"]:
        cards.append(Card(_("Tasks for my department"), tasks["open"], "ti-truck-delivery", "/tickets/tasks/",
                          testid="card-dept-tasks"))
    if role == Role.AGENT:
        mine = ticket_counts.my_counts(user)
        cards += [
            Card(_("My open tickets"), mine["open"], "ti-ticket", "/tickets/", testid="card-my-tickets"),
            Card(_("My tickets past the time limit"), mine["breached"], "ti-alarm", "/tickets/?sla_state=breached",
                 testid="card-my-breached"),
            Card(_("Callbacks to make"), mine["callbacks"], "ti-phone-call", "/tickets/callbacks/",
                 testid="card-my-callbacks"),
        ]
    elif role in {Role.LEAD, Role.HEAD, Role.DIRECTOR}:
        scope = ticket_counts.scope_counts(user)
        cards += [
            Card(_("Open tickets"), scope["open"], "ti-ticket", "/tickets/", testid="card-open-tickets"),
            Card(_("Past the time limit"), scope["breached"], "ti-alarm", "/tickets/board/",
                 testid="card-breached"),
            Card(_("Escalated"), scope["escalated"], "ti-arrow-big-up-lines", "/tickets/board/",
                 testid="card-escalated"),
            Card(_("Unassigned"), scope["queue"], "ti-inbox", "/tickets/", testid="card-queue"),
        ]
        if scope["approvals"]:
            cards.append(Card(_("Compensations to approve"), scope["approvals"], "ti-coin-yuan", "/tickets/board/",
                              testid="card-approvals"))
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


def people_by_team_chart(user) -> dict | None:
    """Chart data: people per team and role, for leads and above."""
    if primary_role(user) == Role.AGENT:
        return None
    rows = (
        org_selectors.people_in_scope(user)
        .exclude(team=None)
        .values("team__name", "roles__role")
        .annotate(n=Count("id", distinct=True))
        .order_by("team__name")
    )
    teams: list[str] = []
    series: dict[str, dict[str, int]] = {}
    for row in rows:
        team = row["team__name"]
        if team not in teams:
            teams.append(team)
        role = row["roles__role"] or ""
        series.setdefault(role, {})[team] = row["n"]
    labels = dict(Role.choices)
    return {
        "teams": teams,
        "series": [
            {"name": str(labels.get(role, role)), "data": [counts.get(t, 0) for t in teams]}
            for role, counts in series.items()
        ],
    }
