"""Reading the customer archive: search, filters, due lists, timeline — always within scope."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.utils import timezone

from kefu.core.phones import normalize_phone
from kefu.core.search import grams_condition, starts_with, unprepared
from kefu.customers import paging
from kefu.customers.access import customers_in_scope
from kefu.customers.choices import Importance, Urgency
from kefu.customers.grading import CustomerRules, days_overdue, load_rules, urgency_bounds
from kefu.customers.models import (
    CareTask,
    Customer,
    CustomerPhone,
    CustomerTag,
    FollowUp,
    GradeChange,
    Order,
    PoolEvent,
)
from kefu.org.scope import CENTRE, DEPARTMENT, scope_for

_LATIN = re.compile(r"^[a-zA-Z]+$")
_DIGITS = re.compile(r"^[\d\s\-+]{3,}$")


def annotate_classes(qs: QuerySet[Customer], rules: CustomerRules, today: dt.date) -> QuerySet[Customer]:
    """Urgency and importance computed in SQL from next_due and expected_amount (R-CUS-2): never stale."""
    whens = []
    for level in (Urgency.URGENT, Urgency.SOON, Urgency.NOT_URGENT):
        _, upper = urgency_bounds(rules, level, today)
        whens.append(When(next_due__lte=upper, then=Value(level.value)))
    return qs.annotate(
        urgency=Case(*whens, default=Value(Urgency.LATER.value), output_field=CharField()),
        importance=Case(
            When(expected_amount__gte=rules.importance_threshold, then=Value(Importance.IMPORTANT.value)),
            default=Value(Importance.ORDINARY.value), output_field=CharField(),
        ),
    )


def for_list(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """What a list row shows, in a fixed number of queries whatever the row count."""
    return qs.select_related("owner", "shop").prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.only("customer_id", "number", "position")),
        # tags in the order they were entered, on every database (unordered, SQLite gave the (customer, tag)
        # index's order and PostgreSQL mostly the order of entry)
        Prefetch("tags", queryset=CustomerTag.objects.only("customer_id", "tag").order_by("id")),
    )


# What a row of the API's customer list shows (kefu.customers.api.CustomerOut), the cursor and the pool countdown
# read: the other ~20 columns of a customer (notes, address, preferences …) are neither fetched nor converted
# (the director's 50-row pages, bench/notes/customers.md session 8)
API_ROW_FIELDS = (
    "id", "version", "shop", "owner", "name", "email", "grade", "grade_proposed", "grade_reason",
    "need_status", "deal_status", "value_tier", "value_score", "churn_risk", "churn_reasons",
    "expected_close_date", "expected_amount", "birthday", "last_followup_at", "next_due", "countdown_from",
)


def for_api_rows(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """:func:`for_list` for the API's list: only the columns a row shows, and no join. The owner's name and
    the shop's code come with the phones and tags (:func:`attach_row_details`) for the page's rows only:
    joined in the page's statement, PostgreSQL joined every match before sorting and keeping 51 — for the
    director's 780 matches of 李茗 a nested loop reading all 555 people per match (117 ms of 117)."""
    return qs.only(*API_ROW_FIELDS)


def attach_row_details(customers: list[Customer]) -> list[Customer]:
    """Sets ``phone_numbers`` (in the phones' order: position, id), ``tag_names`` (in the order they were
    entered, as :func:`for_list` reads them), ``shop_code`` and ``owner_username`` on each customer, read
    in one statement for the whole page (UNION ALL of the four tables): one round trip instead of two
    prefetches and two joins, and no model instance or related manager per phone, tag, shop or owner."""
    for customer in customers:
        customer.phone_numbers, customer.tag_names = [], []
        customer.owner_username = None
    if not customers:
        return customers
    by_id = {c.pk: c for c in customers}
    ids = list(by_id)
    shop_ids = sorted({c.shop_id for c in customers})
    owner_ids = sorted({c.owner_id for c in customers if c.owner_id is not None}) or [0]
    phone, tag = CustomerPhone._meta.db_table, CustomerTag._meta.db_table
    shop = Customer._meta.get_field("shop").related_model._meta.db_table
    person = Customer._meta.get_field("owner").related_model._meta.db_table
    lists = (ids, ids, shop_ids, owner_ids)
    if connection.vendor == "postgresql":  # one parameter each: one statement (and prepared plan) for any page
        among, params = ["= ANY(%s)"] * 4, list(lists)
    else:
        among = ["IN (" + ", ".join(["%s"] * len(values)) + ")" for values in lists]
        params = [value for values in lists for value in values]
    sql = (f"SELECT 0 AS kind, customer_id AS of, number, position, id FROM {phone} "  # noqa: S608 - our tables
           f"WHERE customer_id {among[0]} "
           f"UNION ALL SELECT 1, customer_id, tag, 0, id FROM {tag} WHERE customer_id {among[1]} "
           f"UNION ALL SELECT 2, id, code, 0, id FROM {shop} WHERE id {among[2]} "
           f"UNION ALL SELECT 3, id, username, 0, id FROM {person} WHERE id {among[3]} "
           "ORDER BY kind, position, id")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    codes, usernames = {}, {}
    for kind, of, text, *_order in rows:
        if kind == 0:
            by_id[of].phone_numbers.append(text)
        elif kind == 1:
            by_id[of].tag_names.append(text)
        else:
            (codes if kind == 2 else usernames)[of] = text
    for customer in customers:
        customer.shop_code = codes.get(customer.shop_id)
        customer.owner_username = usernames.get(customer.owner_id)
    return customers


def search(qs: QuerySet[Customer], q: str, *, gated: bool = True) -> QuerySet[Customer]:
    """Name (Chinese characters, or pinyin initials/full pinyin: "zs" finds 张三), phone tail digits,
    tags and words in notes. On PostgreSQL the name/notes arms go through the grams index
    (:mod:`kefu.core.search`, bench/README.md). ``gated=False``: the same matches without the grams
    condition, for a query that walks the list's order index and checks each customer (a term with
    thousands of matches, :class:`CustomerList`): the planner then cannot prefer the grams index."""
    q = (q or "").strip()
    if not q:
        return qs
    if _DIGITS.match(q):
        digits = normalize_phone(q) or re.sub(r"\D", "", q)
        tail, start = starts_with("reversed_number", digits[::-1]), starts_with("number", digits)
        if tail is None or start is None:
            tail, start = Q(reversed_number__startswith=digits[::-1]), Q(number__startswith=digits)
        return qs.filter(pk__in=CustomerPhone.objects.filter(tail | start).values("customer_id"))
    gate = grams_condition(["name", "notes"], q, upper=True) if gated else None
    if _LATIN.match(q):
        lowered = q.lower()
        prefixes = [starts_with("name_initials", lowered), starts_with("name_pinyin", lowered),
                    starts_with(Upper("email"), q.upper())]
        if None in prefixes:
            prefixes = [Q(name_initials__startswith=lowered), Q(name_pinyin__startswith=lowered),
                        Q(email__istartswith=lowered)]
        others = prefixes[0] | prefixes[1] | prefixes[2]
        name = Q(name__icontains=q)
        if gate is None:
            return qs.filter(others | name)
        # others OR (gate AND name), written as (others OR gate) AND (others OR name): the first factor
        # is a BitmapOr of four indexes, so PostgreSQL does not compute kefu_grams() again per fetched row
        return qs.filter(others | gate).filter(others | name)
    text = Q(name__contains=q) | Q(notes__contains=q)
    tag_ids = CustomerTag.objects.filter(tag=q).values("customer_id")
    if gate is None:
        return qs.filter(text | Q(pk__in=tag_ids))
    if not is_a_tag(q):  # the usual case: a name fragment, answered from the GIN index alone
        return qs.filter(gate & text)
    # q is also a tag: both arms as id subqueries, never kefu_grams() per row
    return qs.filter(Q(pk__in=tag_ids) | Q(pk__in=Customer.objects.filter(gate & text).values("pk")))


def is_a_tag_query(q: str) -> QuerySet[CustomerTag]:
    return CustomerTag.objects.filter(tag=q).values("pk")[:1]


def is_a_tag(q: str) -> bool:
    """Is ``q`` somebody's tag? Asked without a prepared statement: the generic plan PostgreSQL switches a
    prepared statement to after five runs scanned all ~500,000 tag rows for a term that is no tag (0.2–0.3 s,
    issue 13), where planned for the term it reads the (tag, customer) index (0.1 ms). No shape of this
    question has a generic plan that is good for both a rare and a common tag."""
    with unprepared():
        return bool(list(is_a_tag_query(q)))


@dataclass
class CustomerFilters:
    q: str = ""
    grade: str = ""
    tier: str = ""
    owner: str = ""  # username, or "none" for the pool
    shop: str = ""
    overdue: bool | None = None
    urgency: str = ""
    importance: str = ""
    deal_status: str = ""
    need_status: str = ""
    tag: str = ""
    churn_risk: bool | None = None


def searches_by_id(user) -> bool:
    """Is the caller's scope wide (a department or the whole centre: heads, QA, directors)? Their search
    is asked as ``id IN (the term's matches)``: written next to the scope's ``shop_id IN (…100 shops)``,
    PostgreSQL intersected the term's index with the shop index, reading a million shop entries
    (0.1–0.4 s) to remove nothing (bench/notes/customers.md, session 7). For a team's few shops that
    intersection is the fast plan and stays."""
    return scope_for(user).level in (DEPARTMENT, CENTRE)


def list_customers(user, filters: CustomerFilters, *, today: dt.date | None = None,
                   walk: bool = False) -> QuerySet[Customer]:
    """The caller's customers matching ``filters``, in the list's order (next_due, grade, id).
    ``walk=True``: the same customers, asked so that PostgreSQL walks the order's index and checks each
    customer against the term until a page is full (:class:`CustomerList`, for terms with thousands of
    matches in a wide scope)."""
    today = today or timezone.localdate()
    rules = load_rules(user.centre_id)
    qs = annotate_classes(customers_in_scope(user), rules, today)
    if walk:
        qs = search(qs, filters.q, gated=False)
    elif filters.q.strip() and searches_by_id(user):
        qs = qs.filter(pk__in=search(Customer.objects.all(), filters.q).values("pk"))
    else:
        qs = search(qs, filters.q)
    if filters.grade:
        qs = qs.filter(grade__in=filters.grade.split(","))
    if filters.tier:
        qs = qs.filter(value_tier__in=filters.tier.split(","))
    if filters.owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif filters.owner:
        qs = qs.filter(owner__username=filters.owner)
    if filters.shop:
        qs = qs.filter(shop__code=filters.shop)
    if filters.overdue is True:
        qs = qs.filter(next_due__lt=today, owner__isnull=False)
    elif filters.overdue is False:
        qs = qs.filter(next_due__gte=today)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    if filters.importance:
        qs = qs.filter(importance=filters.importance)
    if filters.deal_status:
        qs = qs.filter(deal_status=filters.deal_status)
    if filters.need_status:
        qs = qs.filter(need_status=filters.need_status)
    if filters.tag:
        qs = qs.filter(pk__in=CustomerTag.objects.filter(tag=filters.tag).values("customer_id"))
    if filters.churn_risk is not None:
        qs = qs.filter(churn_risk=filters.churn_risk)
    if filters.q.strip() and not walk and connection.vendor == "postgresql":
        # the same order, as an expression no index delivers: a search's matches are found from the search
        # indexes and sorted. Otherwise the generic plan of a prepared search (after five runs) walked the
        # (next_due, grade, id) index checking every customer for a phone tail that a hundred have.
        return qs.order_by(Func(F("next_due"), template="(%(expressions)s + 0)", output_field=DateField()),
                           "grade", "id")
    return qs.order_by("next_due", "grade", "id")


class CustomerList:
    """The customer list/search for the API's pages (:class:`kefu.customers.api.PageOrAfter`): sliced and
    counted without visiting every match.

    With a term, the count stops at ``settings.KEFU_SEARCH_COUNT_CAP`` ("1000+", :attr:`capped`), as the
    ticket search does: the director's pinyin initials "wy" match 22,000 customers, and counting them
    all visits every one. A term with at least that many matches in a wide scope (:func:`searches_by_id`)
    is answered by walking the (next_due, grade, id) index in order and checking each customer until a
    page is full (a few thousand rows) instead of fetching and sorting every match; fewer matches are
    found from the search indexes and sorted. Both give the same rows in the same order."""

    ordered = True

    def __init__(self, user, filters: CustomerFilters, *, prepare=for_list, today: dt.date | None = None,
                 queryset: QuerySet[Customer] | None = None, walk: bool | None = None,
                 count: tuple[int, bool] | None = None, rows=None):
        """``rows``: applied to the list of each slice read (e.g. :func:`attach_row_details`)."""
        self.user = user
        self.filters = filters
        self.prepare = prepare
        self.today = today
        self.rows = rows
        self._qs = queryset
        self._walk = walk
        self._count = count[0] if count else None
        self.capped = count[1] if count else False
        self._built: dict[bool, QuerySet[Customer]] = {}

    def _queryset(self, *, walk: bool) -> QuerySet[Customer]:
        """Built once per form: the count and the page share it (and its one "is the term a tag?" question)."""
        if self._qs is not None:
            return self._qs
        if walk not in self._built:
            self._built[walk] = list_customers(self.user, self.filters, today=self.today, walk=walk)
        return self._built[walk]

    def all(self) -> CustomerList:
        return self

    def count(self) -> int:
        if self._count is None:
            qs = self._queryset(walk=False).order_by()
            if self.filters.q.strip():
                cap = settings.KEFU_SEARCH_COUNT_CAP
                found = qs.values("pk")[: cap + 1].count()
                self.capped = found > cap
                self._count = min(found, cap)
            else:
                self._count = qs.count()
        return self._count

    def walks(self) -> bool:
        """Is the page read by walking the list order's index (a term with very many matches)?"""
        if self._walk is None:
            self._walk = (bool(self.filters.q.strip()) and connection.vendor == "postgresql"
                          and searches_by_id(self.user) and self.count() >= settings.KEFU_SEARCH_COUNT_CAP)
        return self._walk

    def queryset(self) -> QuerySet[Customer]:
        return self.prepare(self._queryset(walk=self.walks()))  # in list_customers' order

    def after(self, key: paging.Key) -> CustomerList:
        """The rest of the list after the cursor key (keyset paging); the count stays the whole list's."""
        rest = paging.after(self.queryset(), key)
        return CustomerList(self.user, self.filters, prepare=self.prepare, today=self.today, queryset=rest,
                            walk=self._walk, count=(self.count(), self.capped), rows=self.rows)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        found = (self._qs if self._qs is not None else self.queryset())[index]
        if self.rows is not None and isinstance(index, slice):
            return self.rows(list(found))
        return found


@dataclass
class DueItem:
    customer_id: int
    name: str
    grade: str
    next_due: dt.date
    days_overdue: int
    owner: str
    value_tier: str
    pool_in_days: int | None = None


def due_customers(owner_ids, on: dt.date) -> QuerySet[Customer]:
    """R-CUS-6: customers whose next_due ≤ ``on``, most overdue first, then by grade (A before E);
    ties broken by id so the order is stable. Served by the (owner, next_due, grade) index."""
    return (
        Customer.objects.filter(owner_id__in=list(owner_ids), next_due__lte=on)
        .select_related("owner")
        .only("id", "name", "grade", "next_due", "owner__username", "owner__display_name", "value_tier",
              "last_followup_at", "created_at", "deal_status", "countdown_from", "owner_id")
        .order_by("next_due", "grade", "id")
    )


def due_items(customers, on: dt.date, rules: CustomerRules) -> list[DueItem]:
    from kefu.customers.pool import days_until_return

    return [
        DueItem(customer_id=c.pk, name=c.name, grade=c.grade, next_due=c.next_due,
                days_overdue=days_overdue(c.next_due, on), owner=str(c.owner) if c.owner_id else "",
                value_tier=c.value_tier, pool_in_days=days_until_return(rules, c, today=timezone.localdate()))
        for c in customers
    ]


_DUE_PAGE_VALUES = ("id", "name", "grade", "next_due", "value_tier", "deal_status", "countdown_from", "owner_id",
                    "owner__username", "owner__display_name")


def due_page(owner_ids, on: dt.date, rules: CustomerRules, *, after: paging.Key | None = None,
             size: int) -> tuple[list[DueItem], str | None]:
    """A page of the due list (R-CUS-6) after the cursor key ``after`` and the next page's cursor (None on
    the last page): one query whatever the backlog, served by the (owner, next_due, grade) index. The rows
    are read as values, the items as :func:`due_items` makes them: building 51 customers and their owners
    as model instances cost ~3 ms CPU of the "my day" page (bench/notes/floor.md)."""
    from types import SimpleNamespace

    from kefu.customers.pool import days_until_return

    qs = due_customers(owner_ids, on)
    if after is not None:
        qs = paging.after(qs, after)
    today = timezone.localdate()
    items = []
    for row in qs.values(*_DUE_PAGE_VALUES)[: size + 1]:
        customer = SimpleNamespace(**row)  # what days_until_return reads of a customer
        items.append(DueItem(
            customer_id=row["id"], name=row["name"], grade=row["grade"], next_due=row["next_due"],
            days_overdue=days_overdue(row["next_due"], on),
            owner=(row["owner__display_name"] or row["owner__username"]) if row["owner_id"] else "",
            value_tier=row["value_tier"], pool_in_days=days_until_return(rules, customer, today=today)))
    more = len(items) > size
    items = items[:size]
    return items, (paging.cursor_of(items[-1]) if more and items else None)


class DueItemsPage:
    """A due list that pagination can slice and count without materialising every row."""

    def __init__(self, customers: QuerySet[Customer], on: dt.date, rules: CustomerRules):
        self.customers = customers
        self.on = on
        self.rules = rules

    def all(self) -> DueItemsPage:
        return self

    def count(self) -> int:
        return self.customers.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[DueItem]:
        return due_items(self.customers[index], self.on, self.rules)

    def after(self, key: paging.Key) -> DueItemsPage:
        """The rest of the list after the cursor key (keyset paging)."""
        return DueItemsPage(paging.after(self.customers, key), self.on, self.rules)


def team_owner_ids(user) -> list[int]:
    """The people whose due lists a lead (or head, director) may read."""
    return list(scope_for(user).people().values_list("pk", flat=True))


def care_tasks_due(owner_ids, on: dt.date) -> QuerySet[CareTask]:
    """Open care tasks due by ``on`` (R-CUS-9), with what "my day" shows of each: its title, due date and
    customer's name (not the customer's ~40 columns, whose compiling cost ~1 ms a page even with no task)."""
    return (CareTask.objects.filter(owner_id__in=list(owner_ids), due_date__lte=on, done_at__isnull=True)
            .select_related("customer").only("id", "title", "due_date", "owner_id", "customer_id", "customer__name")
            .order_by("due_date", "id"))


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    who: str = ""
    extra: dict[str, Any] | None = None


# Other domains add their entries to the customer timeline without this app importing them: a source
# is ``fn(customer, limit) -> list[TimelineEntry]``, registered in the domain's AppConfig.ready().
TIMELINE_SOURCES: list = []


def register_timeline_source(source) -> None:
    if source not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(source)


def timeline(customer: Customer, *, limit: int = 100) -> list[TimelineEntry]:
    """Everything that happened to the customer, newest first (R-CUS-1): follow-ups, grade changes,
    orders, care tasks, pool events, and what other domains register (tickets)."""
    from django.utils.translation import gettext as _

    tz = timezone.get_current_timezone()

    def at_day(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(12, 0), tzinfo=tz)

    entries: list[TimelineEntry] = []
    for f in FollowUp.objects.filter(customer=customer).select_related("agent").order_by("-at")[:limit]:
        entries.append(TimelineEntry(f.at, "followup", f"{f.get_method_display()} · {f.grade_before}→{f.grade_after}",
                                     f.content + (f" — {f.outcome}" if f.outcome else ""), str(f.agent)))
    for g in GradeChange.objects.filter(customer=customer).select_related("by").order_by("-at")[:limit]:
        entries.append(TimelineEntry(g.at, "grade", _("Grade %(from)s → %(to)s (proposed %(proposed)s)")
                                     % {"from": g.from_grade or "—", "to": g.to_grade, "proposed": g.proposed},
                                     g.reason, str(g.by) if g.by_id else ""))
    for o in Order.objects.filter(customer=customer).order_by("-date")[:limit]:
        entries.append(TimelineEntry(at_day(o.date), "order", _("Order %(no)s · ¥%(amount)s")
                                     % {"no": o.number or o.pk, "amount": o.amount}, "、".join(map(str, o.items))))
    for t in CareTask.objects.filter(customer=customer).order_by("-due_date")[:limit]:
        entries.append(TimelineEntry(at_day(t.due_date), "care", t.title,
                                     _("done") if t.done_at else _("to do")))
    for p in PoolEvent.objects.filter(customer=customer).select_related("actor").order_by("-at")[:limit]:
        entries.append(TimelineEntry(p.at, "pool", p.get_action_display(), p.reason, str(p.actor) if p.actor_id else ""))
    for source in TIMELINE_SOURCES:
        entries.extend(source(customer, limit))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


def customer_detail(customer: Customer, rules: CustomerRules | None = None) -> Customer:
    """The customer with its classifications annotated (one query)."""
    rules = rules or load_rules(customer.shop.centre_id)
    return for_list(annotate_classes(Customer.objects.filter(pk=customer.pk), rules, timezone.localdate())).get()


def followups_on_time_by_agent(user, *, since: dt.date) -> list[dict[str, Any]]:
    """Per agent: follow-ups since ``since`` and how many were on time (done on or before the date due)."""
    from django.db.models import Count

    agents = team_owner_ids(user)
    rows = (
        FollowUp.objects.filter(agent_id__in=agents, at__date__gte=since)
        .values("agent__username", "agent__display_name")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(was_due__isnull=True)
                                                    | Q(was_due__gte=F("at__date"))))
        .order_by("agent__username")
    )
    return list(rows)


def dashboard_data(user, *, today: dt.date, weeks: int = 8) -> dict[str, Any]:
    """Numbers for the customer dashboard's charts, within the caller's scope (a handful of
    aggregate queries whatever the archive's size)."""
    from django.db.models import Count
    from django.db.models.functions import TruncWeek

    from kefu.customers.choices import GRADES, ValueTier

    scoped = customers_in_scope(user)
    grades = dict(scoped.values_list("grade").annotate(n=Count("id")).values_list("grade", "n"))
    tiers = dict(scoped.values_list("value_tier").annotate(n=Count("id")).values_list("value_tier", "n"))
    since = today - dt.timedelta(weeks=weeks)
    weekly = (
        FollowUp.objects.filter(customer__in=scoped.values("pk"), at__date__gte=since)
        .annotate(week=TruncWeek("at"))
        .values("week")
        .annotate(total=Count("id"), late=Count("id", filter=Q(was_due__lt=F("at__date"))))
        .order_by("week")
    )
    week_rows = [{"week": timezone.localdate(r["week"]) if isinstance(r["week"], dt.datetime) else r["week"],
                  "total": r["total"], "late": r["late"]} for r in weekly]
    per_agent = followups_on_time_by_agent(user, since=today - dt.timedelta(days=30))
    return {
        "grades": {"labels": list(GRADES), "values": [grades.get(g, 0) for g in GRADES]},
        "tiers": [{"name": str(label), "value": tiers.get(code, 0)} for code, label in ValueTier.choices],
        "weeks": {"labels": [r["week"].isoformat() for r in week_rows],
                  "late": [r["late"] for r in week_rows],
                  "on_time": [r["total"] - r["late"] for r in week_rows]},
        "agents": {"labels": [r["agent__display_name"] or r["agent__username"] for r in per_agent],
                   "on_time": [r["on_time"] for r in per_agent],
                   "late": [r["total"] - r["on_time"] for r in per_agent]},
        "overdue_now": scoped.filter(owner__isnull=False, next_due__lt=today).count(),
        "total": sum(grades.values()),
        "pool": scoped.filter(owner__isnull=True).count(),
        "at_risk": scoped.filter(churn_risk=True).count(),
    }


def due_counts(owner_ids, on: dt.date) -> dict[str, int]:
    """How many follow-ups of these owners are due by ``on`` and how many of those are overdue."""
    from django.db.models import Count

    # COUNT(next_due), not COUNT(id) (next_due is NOT NULL): the (owner, next_due, grade) index answers it
    # alone (index-only scan), where counting ids read each due customer's heap page (10 ms for 400 due)
    row = Customer.objects.filter(owner_id__in=list(owner_ids), next_due__lte=on).aggregate(
        due=Count("next_due"), overdue=Count("next_due", filter=Q(next_due__lt=on)))
    return {"due": row["due"], "overdue": row["overdue"]}


def scope_counts(user, on: dt.date) -> dict[str, int]:
    from django.db.models import Count

    row = customers_in_scope(user).aggregate(
        customers=Count("id"), overdue=Count("id", filter=Q(next_due__lt=on, owner__isnull=False)),
        at_risk=Count("id", filter=Q(churn_risk=True)))
    return dict(row)


def find_by_phone(user, *, shop_id: int, phone: str) -> Customer | None:
    """Caller matching (R-TIC-1): the customer of this shop with this number, in any notation."""
    number = normalize_phone(phone)
    if not number:
        return None
    return (customers_in_scope(user).filter(shop_id=shop_id, phones__number=number)
            .select_related("owner").order_by("id").first())


def caller_for_new_ticket(user, *, shop_id: int, phone: str) -> Customer | None:
    """:func:`find_by_phone` for a ticket being created: only what the ticket needs of the customer (id,
    shop, value tier), by one statement written out once — integrations create tickets by the hundred
    a second, and building the ORM query cost more than running it."""
    number = normalize_phone(phone)
    if not number or not scope_for(user).can_see_shop(shop_id):
        return None
    found = list(Customer.objects.raw(CALLER_SQL, [shop_id, number]))
    return found[0] if found else None


# the statement of caller_for_new_ticket (id, shop_id, value_tier of the shop's customer with this normalised
# number); ticket creation on PostgreSQL runs it inside its number's statement (one round trip less) and
# builds the customer with caller_from_row
CALLER_SQL = (f"SELECT c.id, c.shop_id, c.value_tier FROM {Customer._meta.db_table} c "  # noqa: S608 - our tables
              f"JOIN {CustomerPhone._meta.db_table} p ON p.customer_id = c.id WHERE c.shop_id = %s AND p.number = %s "
              "ORDER BY c.id LIMIT 1")


def caller_from_row(customer_id: int | None, shop_id: int | None, value_tier: str | None) -> Customer | None:
    """The customer :func:`caller_for_new_ticket` returns, from a row of :data:`CALLER_SQL` (the rest of
    its fields deferred, as a raw query leaves them); None for no row."""
    if customer_id is None:
        return None
    return Customer.from_db(connection.alias, ["id", "shop_id", "value_tier"], [customer_id, shop_id, value_tier])
