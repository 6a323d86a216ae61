"""What each role's home page counts. Every number comes from the database, within scope.

Later domains (customers, tickets, workforce) add their cards here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.audit import selectors as audit_selectors
from kefu.bizcalendar import selectors as calendar_selectors
from kefu.core.navigation import is_department_staff
from kefu.customers import access as customer_access
from kefu.customers import selectors as customer_selectors
from kefu.org.roles import Role
from kefu.org.scope import scope_for
from kefu.performance import kpi, scoring
from kefu.performance import selectors as performance_selectors
from kefu.quality import selectors as quality_selectors
from kefu.rules import selectors as rules_selectors
from kefu.tickets import access as ticket_access
from kefu.tickets import counts as ticket_counts
from kefu.tickets import selectors as ticket_selectors
from kefu.tickets import sla
from kefu.tickets import wallboard as ticket_board
from kefu.tickets.choices import OPEN_STATUSES
from kefu.tickets.choices import Status as TicketStatus
from kefu.workforce import selectors as workforce_selectors
from kefu.workforce.selectors import ladder as ladder_selectors
from kefu.workforce.selectors import swaps as swap_selectors


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
        scope = _scope_counts(user)
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


def _scope_counts(user) -> dict[str, int]:
    """The scope's ticket counts, read once per request (the tiles and the "waiting for you" list share them)."""
    cached = getattr(user, "_home_scope_counts", None)
    if cached is None:
        cached = user._home_scope_counts = ticket_counts.scope_counts(user)
    return cached


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


# -- what needs the head's / director's attention, the lead's team, the agent's day (issue 12) ------------

@dataclass
class Attention:
    """One line of a manager's "needs you" list, coloured by urgency: "danger" (red), "warning" (amber) or
    "" (nothing waiting)."""

    key: str
    label: str
    value: int | str
    url: str = ""
    detail: str = ""
    tone: str = ""


def _url(name: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)
    return start, start + dt.timedelta(days=1)


def report_due(user, today: dt.date) -> tuple[dt.date, int]:
    """The next monthly report due date (``performance.monthly_report_due_day`` of this month, or next month's once
    it has passed) and the days left."""
    due_day = rules_selectors.get_rules(REPORT_DUE_DAY, centre_id=user.centre_id)[REPORT_DUE_DAY]
    due = today.replace(day=due_day)
    if due < today:
        due = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=due_day)
    return due, (due - today).days


REPORT_DUE_DAY = "performance.monthly_report_due_day"
BELOW = ("amber", "red")


def teams_below_target(user, today: dt.date) -> list[dict]:
    """The teams of ``user``'s scope with a KPI of this month below its target (amber or red, R-KPI-1): the
    team's own target when it has one, else the centre's (``targets``: the target used per KPI)."""
    rows = kpi.compute(user, level="team", date_from=_month_start(today), date_to=today)
    book = scoring.targets_for(user, rows, level="team", on=_month_start(today))
    out = []
    for row in rows:
        states = {name: book.status(row, name) for name in kpi_targets()}
        below = [name for name, state in states.items() if state in BELOW]
        if below:
            out.append({"team": row.name, "kpis": below, "red": any(states[n] == "red" for n in below),
                        "targets": {n: book.target(row, n) for n in below},
                        "values": {n: scoring.on_100(n, getattr(row, n)) for n in below}})
    return out


def _below_text(team: dict) -> str:
    """"一班 (FCR 60 < 75, QA 70 < 85)": each KPI under its target with the value and the target used."""
    parts = [f"{KPI_NAMES.get(k, k)} {_under(team['values'][k])} < {team['targets'][k]}" for k in team["kpis"]]
    return f"{team['team']} ({', '.join(parts)})"


def _under(value: float) -> str:
    """A value under its target as shown beside it: whole when whole, else one decimal rounded down (89.96 →
    "89.9"; rounding to the nearest would read "90 < 90")."""
    tenths = math.floor(value * 10 + 1e-6)  # 0.57 × 100 is 56.999…: still 57
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def kpi_targets() -> tuple[str, ...]:
    return ("fcr_rate", "sla_rate", "callback_rate", "csat", "qa_score", "followups_on_time_rate")


def attention(user, *, now: dt.datetime | None = None) -> list[Attention]:
    """Heads and directors: what waits for them, most urgent in red — approvals (leave, swaps, levels), 督办 and
    escalated tickets, today's breaches, teams below a KPI target, agents below the QA quota, the monthly report's
    due date. A fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    inbox = workforce_selectors.approval_inbox(user)
    waiting = inbox.order_by().aggregate(n=Count("id"), soon=Count("id", filter=Q(start_at__lt=now + dt.timedelta(days=1))))
    leave, leave_soon = waiting["n"], waiting["soon"]
    swaps = swap_selectors.swap_inbox(user).count()
    levels = len(ladder_selectors.applications_to_decide(user))
    counts = _scope_counts(user)
    start, _end = _day_bounds(today)
    breaches = ticket_board.breaches_between(user, start=start, end=now)
    teams = teams_below_target(user, today)
    quota = quality_selectors.below_quota(user, _month_start(today))
    due, days_left = report_due(user, today)

    def tone(n, level="warning"):
        return level if n else ""

    return [
        Attention("leave", _("Leave to approve"), leave, _url("workforce:approvals"),
                  _("%(n)s start within a day") % {"n": leave_soon} if leave_soon else "",
                  "danger" if leave_soon else tone(leave)),
        Attention("swaps", _("Shift swaps to approve"), swaps, _url("workforce:swaps"), "", tone(swaps)),
        Attention("levels", _("Level applications to decide"), levels, _url("workforce:ladder"), "", tone(levels)),
        Attention("supervised", _("Supervised tickets (督办)"), counts["supervised"], "/tickets/board/", "",
                  tone(counts["supervised"], "danger")),
        Attention("escalated", _("Escalated tickets"), counts["escalated"], "/tickets/board/", "",
                  tone(counts["escalated"])),
        Attention("breaches", _("Time limits missed today"), breaches, "/tickets/?sla_state=breached", "",
                  tone(breaches, "danger")),
        Attention("teams_below", _("Teams below a KPI target"), len(teams), _url("performance:kpi"),
                  "; ".join(_below_text(t) for t in teams),
                  "danger" if any(t["red"] for t in teams) else tone(len(teams))),
        Attention("qa_quota", _("Agents below the QA quota"), len(quota), _url("quality:team"),
                  ", ".join(row.name for row in quota[:10]), tone(len(quota))),
        Attention("report_due", _("Days until the monthly report is due"), days_left, _url("performance:reports"),
                  _("due %(day)s") % {"day": due.isoformat()},
                  "danger" if days_left <= REPORT_DANGER_DAYS else "warning" if days_left <= REPORT_WARNING_DAYS else ""),
    ]


KPI_NAMES = {"fcr_rate": gettext_lazy("FCR"), "sla_rate": gettext_lazy("on time"),
             "callback_rate": gettext_lazy("callbacks"), "csat": gettext_lazy("CSAT"),
             "qa_score": gettext_lazy("QA"), "followups_on_time_rate": gettext_lazy("follow-ups")}
REPORT_DANGER_DAYS = 2  # presentation only: when the due date turns red / amber on the home page
REPORT_WARNING_DAYS = 7


@dataclass
class WorkloadRow:
    person_id: int
    username: str
    name: str
    open_tickets: int
    handled: int
    sla_rate: float | None
    filed_today: bool | None  # None: no shift today, nothing to file
    help_requests: int


def team_workload(user, *, today: dt.date | None = None) -> list[WorkloadRow]:
    """A lead's team: open tickets per agent, this month's on-time rate (R-KPI-1 sla_rate), whether the 3E daily
    log of today is filed (people on shift only, R-KPI-3) and open help requests. A fixed number of queries."""
    today = today or timezone.localdate()
    people = list(scope_for(user).people().filter(roles__role__in=[Role.AGENT, Role.LEAD]).exclude(pk=user.pk)
                  .distinct().order_by("username"))
    ids = [p.pk for p in people]
    open_tickets = ticket_board.open_per_owner(user, ids)
    rows = {r.key: r for r in kpi.compute(user, level="agent", date_from=_month_start(today), date_to=today)}
    on_shift = {p.pk for p in performance_selectors.on_shift(user, today)}
    missing = {p.pk for p in performance_selectors.missing(user, today)}
    help_counts: dict[int, int] = {}
    for log in performance_selectors.help_requests(user, since=today - dt.timedelta(days=HELP_DAYS)):
        help_counts[log.person_id] = help_counts.get(log.person_id, 0) + 1
    out = []
    for p in people:
        row = rows.get(p.username)
        out.append(WorkloadRow(p.pk, p.username, str(p), open_tickets.get(p.pk, 0), row.handled if row else 0,
                               row.sla_rate if row else None,
                               (p.pk not in missing) if p.pk in on_shift else None, help_counts.get(p.pk, 0)))
    return out


HELP_DAYS = 7  # presentation only: how far back the lead's home lists open help requests


def open_help_requests(user, *, today: dt.date | None = None, limit: int = 10) -> list:
    today = today or timezone.localdate()
    return list(performance_selectors.help_requests(user, since=today - dt.timedelta(days=HELP_DAYS))[:limit])


@dataclass
class AgentDay:
    plan: str
    plan_date: dt.date | None
    kpi: dict | None


def agent_day(user, *, today: dt.date | None = None) -> AgentDay:
    """An agent's morning: the plan of their last 3E log before today, and their KPI this month in one line."""
    today = today or timezone.localdate()
    day = performance_selectors.my_day(user, today)
    rows = kpi.compute(user, level="agent", date_from=_month_start(today), date_to=today)
    mine = next((r for r in rows if r.key == user.username), None)
    return AgentDay(plan=day.previous.plan if day.previous else "",
                    plan_date=day.previous.date if day.previous else None,
                    kpi=mine.as_dict() if mine else None)
