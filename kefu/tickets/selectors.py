"""Reading tickets: lists for each desk, the timeline, dashboards — always within scope."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, Count, F, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import Expression
from django.utils import timezone

from kefu.core.keyset import Cursor, Keyset, KeysetPage, page_of
from kefu.tickets.access import tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES, Level, Status, TaskStatus
from kefu.tickets.models import (
    Callback,
    Compensation,
    DepartmentTask,
    Escalation,
    RecoveryAction,
    Ticket,
    TicketEvent,
)


def for_list(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return qs.select_related("owner", "shop", "customer")


@dataclass
class TicketFilters:
    q: str = ""
    status: str = ""
    type: str = ""
    channel: str = ""
    priority: str = ""
    owner: str = ""  # username, "me", or "none" (queue)
    shop: str = ""
    sla_state: str = ""
    supervised: bool | None = None
    escalated: bool | None = None
    open_only: bool = False
    assigned_only: bool = False  # leave out the unassigned (the desk shows them in its queue panel)


TICKET_NUMBER = re.compile(r"^KF\d{8}-\d+$", re.IGNORECASE)
PHONE_TYPED = re.compile(r"^[\d\s+\-/().]+$")


def keyword_condition(q: str, *, gated: bool = True) -> Q:
    """A keyword: a ticket number, a caller's phone in any notation, or words of the title or description
    (where an order number, a courier number or a date may be written too).

    ``gated`` adds the grams index condition (PostgreSQL), which finds few matches quickly; a search
    with many matches is answered faster without it, by walking the list order's index
    (:class:`TicketList`)."""
    from kefu.core.phones import normalize_phone
    from kefu.core.search import grams_match

    exact = None
    if TICKET_NUMBER.match(q):
        exact = Q(number=q.upper())
    else:
        digits = normalize_phone(q) if PHONE_TYPED.match(q) else ""
        if len(digits) >= 7:
            # caller matching in any notation: the caller's number or one of the customer's numbers
            from kefu.customers.models import CustomerPhone

            # the customers' ids as a list, not a subquery: PostgreSQL then ORs index scans
            customer_ids = list(CustomerPhone.objects.filter(number=digits).order_by("customer_id")
                                .values_list("customer_id", flat=True)[:1000])
            exact = Q(caller_phone=digits) | Q(customer_id__in=customer_ids)
    text = Q(title__contains=q) | Q(description__contains=q)
    gate = grams_match("tickets_ticket", ["title", "description"], q) if gated else None
    if exact is None:
        return text if gate is None else gate & text
    if gate is None:
        return exact | text
    # exact OR (gate AND text) as (exact OR gate) AND (exact OR text): PostgreSQL answers the first
    # factor from the indexes and does not compute kefu_grams() again per fetched row
    return (exact | gate) & (exact | text)


# the orders a ticket list pages through "after this ticket" (keyset pagination, kefu.core.keyset):
# nearest resolution time limit first (tickets without one last), or the newest first
ORDERS = {
    "sla": Keyset("sla", "resolution_due", nullable=True),
    "recent": Keyset("recent", "created_at", descending=True),
}


class TicketList:
    """A ticket list that pagination (the API's and the pages' Paginator) slices and counts.

    Without a keyword it is the plain queryset. With one, the count stops at
    ``settings.KEFU_SEARCH_COUNT_CAP`` ("1000+", :attr:`capped`): an exact count of 90,000 tickets
    that mention 退款 costs a visit to every one of them, and nobody pages through them. A keyword
    with fewer matches is answered from the grams index and its matches sorted; one with more
    matches is common enough that walking the list order's index and checking each ticket's text
    finds a page sooner than sorting them all (bench/README.md)."""

    def __init__(self, user, filters: TicketFilters, *, order_by: tuple | None = None, order: str = "sla",
                 prepare=for_list, count_cap: int | None = None, lean: bool = False):
        self.user = user
        self.filters = filters
        # list_tickets(lean=True) and the page in one statement (IdIn); not for a keyword search, whose
        # statements are shaped for the grams indexes (search_scope, keyword_condition)
        self.lean = lean and not filters.q
        self.keyset = ORDERS[order]
        self.order_by = order_by or self.keyset.order_by()
        self.prepare = prepare
        self.count_cap = count_cap  # a list (not only a search) may count up to this many and say "N+"
        self.capped = False
        self._count: int | None = None
        self._filtered: dict[bool, QuerySet[Ticket]] = {}

    def _matching(self, *, gated: bool) -> QuerySet[Ticket]:
        # built once per form: a phone number's customers are looked up while building it
        if gated not in self._filtered:
            self._filtered[gated] = list_tickets(self.user, self.filters, gated=gated, lean=self.lean)
        return self._filtered[gated]

    def queryset(self, *, gated: bool = True) -> QuerySet[Ticket]:
        return self.prepare(self._matching(gated=gated)).order_by(*self.order_by)

    # what Paginator and ninja's pagination look for
    ordered = True

    def all(self) -> TicketList:
        return self

    def count(self) -> int:
        if self._count is None:
            cap = settings.KEFU_SEARCH_COUNT_CAP if self.filters.q else self.count_cap
            if cap is None:
                self._count = self._matching(gated=True).count()
            else:
                found = self._matching(gated=True).order_by()[: cap + 1].count()
                self.capped = found > cap
                self._count = min(found, cap)
        return self._count

    def known_count(self, count: int) -> None:
        """The count is known already (the desk's tiles counted it): no query for it."""
        self._count = count

    def _many(self) -> bool:
        return bool(self.filters.q) and self.count() >= settings.KEFU_SEARCH_COUNT_CAP

    def page(self, *, after: Cursor | None = None, size: int, offset: int = 0) -> KeysetPage:
        """One page in the list's order (:data:`ORDERS`), after a cursor or from ``offset``, with the cursor
        of the next page: a deep page costs what the first does."""
        matching = self._matching(gated=not self._many()).order_by(*self.order_by)
        # the ids' subquery and the rows in one statement (kefu.core.keyset: inline); not after a cursor, whose
        # statement PostgreSQL plans on every call (custom plans): planning the ids alone costs less
        if self.lean and after is None:
            return page_of(self.keyset, matching, after=after, size=size, offset=offset, inline=True,
                           fetch=lambda ids: self.prepare(Ticket.objects.filter(IdIn(ids)).order_by(*self.order_by)))
        return page_of(self.keyset, matching, after=after, size=size, offset=offset,
                       fetch=lambda ids: self.prepare(Ticket.objects.filter(pk__in=ids)))

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, int | slice):
            raise TypeError("TicketList takes an index or a slice")  # templates try ["name"] first
        return self.queryset(gated=not self._many())[index]

    def __iter__(self):
        return iter(self[: self.count()])


# a scope of up to this many shops is searched through tic_shop_grams_idx (tickets 0007); a wider one (a
# director's 100 shops) through tic_text_grams_idx with a filter by shop: the (shop, grams) index reads
# the keyword's entries once per shop (1.1 s for the director's 100 shops and a common word, 0.2 s with
# the grams index alone; bench/notes/search.md)
SHOP_GRAMS_MAX_SHOPS = 10


def search_scope(user) -> QuerySet[Ticket]:
    """The tickets a keyword search looks through: those of :func:`~kefu.tickets.access.tickets_in_scope`,
    in a form whose keyword condition PostgreSQL reads together with the shops from one index.

    The scope is "a shop of the caller's scope OR a task for the caller's department". With that OR,
    PostgreSQL cannot read the shops and the keyword from ``tic_shop_grams_idx`` (tickets 0007): it reads
    every match of the keyword in the centre and filters them by shop (an agent's 退款: 339,000 rows read
    for 10,000 kept; bench/notes/search.md). The service centre's departments hand tasks to others and
    hold none: for their people the scope is their shops alone (an indexed lookup says so, once per
    request's user), the same tickets. A department that holds tasks, and a scope of more than
    :data:`SHOP_GRAMS_MAX_SHOPS` shops, keep the OR."""
    from kefu.org.scope import scope_for

    shop_ids = scope_for(user).shop_ids
    if len(shop_ids) > SHOP_GRAMS_MAX_SHOPS or _department_holds_tasks(user):
        return tickets_in_scope(user)
    return Ticket.objects.filter(shop_id__in=shop_ids)


def _department_holds_tasks(user) -> bool:
    """Whether the caller's department holds a department task (memoised on the user object: a request's).
    Not prepared on the server: its generic plan guesses every task is the department's (the tasks all
    belong to a few departments) and scans the 160,000 tasks for a department that holds none (60–180 ms
    on the benchmark; kefu.core.search.unprepared)."""
    if not user.department_id:
        return False
    held = getattr(user, "_kefu_department_holds_tasks", None)
    if held is None:
        from kefu.core.search import unprepared

        with unprepared():
            held = DepartmentTask.objects.filter(department_id=user.department_id).exists()
        user._kefu_department_holds_tasks = held
    return held


class ConstantIn(Expression):
    """``column IN ('a', 'b')`` with the values written into the statement as constants, not parameters: a
    prepared statement's generic plan then knows them (a partial index's condition, a department's row
    count). Only for this module's own values (identifiers and integers, checked); the column is resolved
    like any F(), so the condition stays right inside a subquery (its table renamed U0 …)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, expression, values):
        super().__init__()
        self.expression = expression
        self.values = tuple(values)
        if not self.values or not all(isinstance(v, int) or _IDENTIFIER.fullmatch(str(v)) for v in self.values):
            raise ValueError("ConstantIn takes integers and lower-case identifiers")

    def get_source_expressions(self):
        return [self.expression]

    def set_source_expressions(self, exprs):
        (self.expression,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.expression)
        values = ", ".join(str(int(v)) if isinstance(v, int) else f"'{v}'" for v in self.values)
        return f"{sql} IN ({values})", params


_IDENTIFIER = re.compile(r"[a-z_]+")


class IdIn(Expression):
    """``id = ANY(ARRAY(<subquery>))`` on PostgreSQL (``id IN (<subquery>)`` elsewhere): the subquery (a page's
    ids, ``… ORDER BY … LIMIT n``) is run once, first, and its rows read by their primary key. Written as
    ``id IN (<subquery>)``, PostgreSQL may join the subquery's rows to the table the other way round and, for a
    long list, read the table for minutes (bench/notes/api.md)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, subquery):
        super().__init__()
        self.column = F("pk")
        self.subquery = Subquery(subquery)

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, exprs):
        self.column, self.subquery = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)
        return f"{column} IN {subquery}", (*column_params, *subquery_params)


def list_scope(user) -> QuerySet[Ticket]:
    """The tickets of :func:`~kefu.tickets.access.tickets_in_scope` (the caller's shops, or a task for the
    caller's department) with the department written into the statement as a constant, for lists whose
    statements are prepared on the server. With the department a parameter, the generic plan guesses every
    task is the department's (the 160,000 tasks all belong to one department on the benchmark) and, as soon
    as one listed ticket is outside the shops, reads all of them (30 ms per call); with the constant it reads
    the department's few from their index (bench/notes/api.md)."""
    from kefu.org.scope import scope_for

    q = Q(shop_id__in=scope_for(user).shop_ids)
    if user.department_id:
        tasks = DepartmentTask.objects.filter(ConstantIn(F("department_id"), [int(user.department_id)]))
        q |= Q(pk__in=tasks.values("ticket_id"))
    return Ticket.objects.filter(q)


def open_condition() -> ConstantIn:
    """The open statuses written as constants: a prepared statement's generic plan then knows the condition
    of the partial indexes of open tickets (tic_owner_open_cover_idx, tickets 0009) and is chosen, with no
    planning per call; with the statuses as parameters PostgreSQL plans every call again (1–4 ms)."""
    return ConstantIn(F("status"), [str(s) for s in OPEN_STATUSES])


def list_tickets(user, filters: TicketFilters, *, gated: bool = True, lean: bool = False) -> QuerySet[Ticket]:
    """``lean``: the scope as :func:`list_scope` and the open statuses as :func:`open_condition` (the API's
    list, bench/notes/api.md); the same tickets."""
    if filters.q:
        qs = search_scope(user)
    else:
        qs = list_scope(user) if lean else tickets_in_scope(user)
    if filters.q:
        qs = qs.filter(keyword_condition(filters.q.strip(), gated=gated))
    if filters.status:
        qs = qs.filter(status__in=filters.status.split(","))
    if filters.open_only:
        qs = qs.filter(open_condition()) if lean else qs.filter(status__in=OPEN_STATUSES)
    for name in ("type", "channel", "priority", "sla_state"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{f"{name}__in": value.split(",")})
    if filters.owner == "me":
        qs = qs.filter(owner=user)
    elif filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner:
        qs = qs.filter(owner__username=filters.owner)
    elif filters.assigned_only:
        qs = qs.filter(owner__isnull=False)
    if filters.shop:
        qs = qs.filter(shop__code=filters.shop)
    if filters.supervised is not None:
        qs = qs.filter(supervised=filters.supervised)
    if filters.escalated is not None:
        qs = qs.exclude(escalation_level=Level.AGENT) if filters.escalated else qs.filter(
            escalation_level=Level.AGENT)
    return qs


def my_open_tickets(user) -> QuerySet[Ticket]:
    """An agent's open tickets in time-limit order: the nearest resolution deadline first
    (read in order from the partial index tic_owner_open_idx)."""
    return for_list(Ticket.objects.filter(owner=user, status__in=OPEN_STATUSES)).order_by("resolution_due", "id")


def queue(user) -> QuerySet[Ticket]:
    """Unassigned tickets of the shops in scope, oldest first."""
    return for_list(tickets_in_scope(user).filter(owner__isnull=True, status__in=OPEN_STATUSES)).order_by(
        "created_at", "id")


def board_tickets(user) -> QuerySet[Ticket]:
    """What a lead's board watches (R-ORG-2 "leads see their team"): the team's people's tickets and
    the unassigned ones of the team's shops. Heads and directors: everything in their scope."""
    from kefu.org.scope import TEAM, scope_for

    qs = tickets_in_scope(user)
    scope = scope_for(user)
    if scope.level == TEAM:
        qs = qs.filter(Q(owner__team_id__in=scope.team_ids) | Q(owner__isnull=True) | Q(owner_id=user.pk))
    return qs


def is_stuck(ticket: Ticket, *, hours: int, now: dt.datetime) -> bool:
    """R-TIC-5: open, not waiting on the customer, and no action for ``hours`` or more."""
    return (ticket.status in OPEN_STATUSES
            and not (ticket.status == Status.WAITING and ticket.waiting_on == "customer")
            and ticket.last_action_at <= now - dt.timedelta(hours=hours))


def stuck(user, *, hours: int, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """R-TIC-5: open tickets with no action for ``hours`` or more (waiting on the customer excluded),
    of the caller's board (a lead: their team's and the unassigned ones)."""
    now = now or timezone.now()
    return for_list(
        board_tickets(user).filter(status__in=OPEN_STATUSES, last_action_at__lte=now - dt.timedelta(hours=hours))
        .exclude(status=Status.WAITING, waiting_on="customer")
    ).order_by("last_action_at", "id")


# the lead board's columns: kefu.tickets.board_selectors


def customer_tickets(user, customer_id: int) -> QuerySet[Ticket]:
    """A customer's tickets as the customer knows them: a merged duplicate is not shown, only the
    ticket it was merged into (R-TIC-3: the customer hears about one ticket, from its owner)."""
    return for_list(tickets_in_scope(user).filter(customer_id=customer_id, merged_into__isnull=True)).order_by(
        "-created_at", "-id")


def public_timeline(ticket: Ticket) -> list[TicketEvent]:
    """What the customer heard: the owner's replies (R-TIC-3)."""
    return list(TicketEvent.objects.filter(ticket=ticket, public=True).select_related("actor").order_by("at", "id"))


def timeline(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("at", "id"))


def department_inbox(user, *, include_done: bool = False) -> QuerySet[DepartmentTask]:
    qs = DepartmentTask.objects.filter(department_id=user.department_id).select_related(
        "ticket", "ticket__owner", "department", "created_by", "done_by")
    if not include_done:
        qs = qs.filter(status=TaskStatus.OPEN)
    return qs.order_by("due", "id")


def task_detail(task_id: int) -> DepartmentTask:
    return DepartmentTask.objects.select_related("ticket", "ticket__owner", "department", "done_by").get(pk=task_id)


def tasks_of(ticket: Ticket) -> list[DepartmentTask]:
    """The work handed over on a ticket and its progress (R-TIC-3), oldest first."""
    return list(DepartmentTask.objects.filter(ticket=ticket)
                .select_related("ticket", "ticket__owner", "department", "done_by").order_by("created_at", "id"))


def callback_queue(user) -> QuerySet[Callback]:
    return (Callback.objects.filter(done_at__isnull=True, ticket__in=tickets_in_scope(user).values("pk"))
            .select_related("ticket", "ticket__customer", "assigned_to").order_by("due", "id"))


def pending_compensations(user) -> QuerySet[Compensation]:
    return (Compensation.objects.filter(status="pending", ticket__in=tickets_in_scope(user).values("pk"))
            .select_related("ticket", "requested_by").order_by("requested_at"))


def ticket_detail(ticket: Ticket) -> Ticket:
    return (Ticket.objects.select_related("owner", "shop", "customer", "created_by", "merged_into")
            .prefetch_related(Prefetch("tasks", queryset=DepartmentTask.objects.select_related(
                                  "department", "done_by").order_by("created_at", "id")),
                              Prefetch("compensations", queryset=Compensation.objects.select_related(
                                  "requested_by").order_by("requested_at", "id")),
                              Prefetch("callbacks", queryset=Callback.objects.order_by("created_at", "id")),
                              Prefetch("escalations", queryset=Escalation.objects.select_related("by")),
                              Prefetch("recovery_actions", queryset=RecoveryAction.objects.select_related(
                                  "by").order_by("at", "id")),
                              "related")
            .get(pk=ticket.pk))


def dashboard_data(user, *, today: dt.date, days: int = 14) -> dict:
    from django.db.models.functions import TruncDate

    from kefu.tickets.choices import Channel, TicketType

    since = today - dt.timedelta(days=days - 1)
    scoped = tickets_in_scope(user)
    recent = scoped.filter(created_at__date__gte=since)
    per_day_type = (recent.annotate(day=TruncDate("created_at")).values("day", "type").annotate(n=Count("id")))
    labels = [(since + dt.timedelta(days=i)).isoformat() for i in range(days)]
    by_type: dict[str, dict[str, int]] = {}
    for row in per_day_type:
        by_type.setdefault(row["type"], {})[row["day"].isoformat()] = row["n"]
    channels = dict(recent.values_list("channel").annotate(n=Count("id")).values_list("channel", "n"))
    resolved = scoped.filter(resolved_at__date__gte=since)
    on_time = resolved.filter(resolved_at__lte=F("resolution_due")).count()
    total_resolved = resolved.count()
    causes = (scoped.filter(type="complaint").exclude(root_cause="").values("root_cause")
              .annotate(n=Count("id")).order_by("-n")[:10])
    return {
        "days": labels,
        "types": [{"name": str(label), "data": [by_type.get(code, {}).get(d, 0) for d in labels]}
                  for code, label in TicketType.choices],
        "channels": [{"name": str(label), "value": channels.get(code, 0)} for code, label in Channel.choices],
        "sla": {"on_time": on_time, "late": total_resolved - on_time,
                "pct": round(100 * on_time / total_resolved, 1) if total_resolved else None},
        "causes": [{"name": r["root_cause"], "value": r["n"]} for r in causes],
        "open": scoped.filter(status__in=OPEN_STATUSES).count(),
        "breached": scoped.filter(status__in=OPEN_STATUSES, sla_state="breached").count(),
    }


def resolved_with_customer(user, *, start: dt.datetime, end: dt.datetime) -> list[tuple[int, int, int | None]]:
    """(customer id, ticket id, owner's team id) of the tickets in ``user``'s scope resolved in
    [start, end) that have a customer, the latest ticket per customer — the population surveys sample."""
    rows = (tickets_in_scope(user).filter(resolved_at__gte=start, resolved_at__lt=end, customer__isnull=False)
            .order_by("customer_id", "-resolved_at", "-id")
            .values_list("customer_id", "id", "owner__team_id"))
    seen: set[int] = set()
    out = []
    for customer_id, ticket_id, team_id in rows:
        if customer_id not in seen:
            seen.add(customer_id)
            out.append((customer_id, ticket_id, team_id))
    return out


def callback_satisfaction(user, *, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int | None, int]]:
    """(done at, owner's team id, satisfaction 1–5) of the callbacks in ``user``'s scope done in [start, end):
    CSAT after callback (R-SAT-1)."""
    return list(Callback.objects.filter(done_at__gte=start, done_at__lt=end, satisfaction__isnull=False,
                                        ticket__in=tickets_in_scope(user).values("pk"))
                .order_by("done_at").values_list("done_at", "ticket__owner__team_id", "satisfaction"))


def hourly_volume(*, shop_ids, ranges: list[tuple[dt.datetime, dt.datetime]], tz: dt.tzinfo | None = None) -> dict:
    """Tickets created per shop and local hour within ``ranges`` (pairs of instants), for the workforce's
    staffing advice: ``{(shop_id, date, hour): (tickets, handling seconds, tickets with a handling time)}``.
    One GROUP BY query; merged tickets are left out (their contact is counted once, in the survivor)."""
    from django.db.models import Sum
    from django.db.models.functions import TruncHour

    if not ranges or not shop_ids:
        return {}
    tz = tz or timezone.get_default_timezone()
    window = Q()
    for start, end in ranges:
        window |= Q(created_at__gte=start, created_at__lt=end)
    rows = (Ticket.objects.filter(window, shop_id__in=list(shop_ids), merged_into__isnull=True)
            .annotate(hour=TruncHour("created_at", tzinfo=tz)).values("shop_id", "hour")
            .annotate(n=Count("id"), seconds=Sum("handling_seconds"),
                      handled=Count("id", filter=Q(handling_seconds__gt=0)))
            .order_by())
    out = {}
    for row in rows:
        local = timezone.localtime(row["hour"], tz)
        out[(row["shop_id"], local.date(), local.hour)] = (row["n"], row["seconds"] or 0, row["handled"])
    return out
