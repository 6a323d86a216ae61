"""The lead board's columns (R-TIC-5 stuck, near or past the time limit, escalated, supervised), read per
owner from the open tickets' indexes (tickets 0006, 0008, 0009; bench/notes/board.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from kefu.tickets.access import tickets_in_scope
from kefu.tickets.choices import OPEN_STATUSES, Level, Status
from kefu.tickets.models import Ticket

BOARD_CARDS = 10  # cards per board column on the first render; the column says "10+" and offers more
BOARD_MORE_CARDS = 50  # a column's "more" shows up to this many cards ("50+" beyond)

# what a board card prints (views_board.card_html) and the deadline needs (sla.next_deadline)
BOARD_FIELDS = ("id", "number", "title", "type", "priority", "severity", "status", "escalation_level", "sla_state",
                "supervised", "paused_at", "first_responded_at", "first_response_due", "resolution_due",
                "last_action_at", "owner_id", "shop_id", "owner__username", "owner__display_name", "shop__name")


def _team_people(user, scope) -> list[tuple]:
    """A lead's team (scope.people_q(), the inactive too): (id, name, username, active, agent?) by username. One
    query serving :func:`board_owners` and :func:`assignable_agents`, kept on the person object (one request)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from kefu.org.models import UserRole
    from kefu.org.roles import Role

    rows = getattr(user, "_kefu_board_people", None)
    if rows is None:
        agent = Exists(UserRole.objects.filter(user_id=OuterRef("pk"), role=Role.AGENT))
        rows = user._kefu_board_people = list(
            get_user_model().objects.filter(scope.people_q()).annotate(agent=agent).order_by("username")
            .values_list("pk", "display_name", "username", "is_active", "agent"))
    return rows


def board_owners(user) -> list[int] | None:
    """A lead's board: the ids of the people whose tickets it watches (the team's and the lead's own;
    the team's shops' unassigned tickets too). None for heads and directors (everything in scope)."""
    from kefu.org.scope import TEAM, scope_for

    scope = scope_for(user)
    if scope.level != TEAM:
        return None
    return sorted({row[0] for row in _team_people(user, scope)} | {user.pk})


def assignable_agents(user) -> list[tuple[int, str]]:
    """(id, name) of the active agents in the person's scope, by username: the board's shared assign form. A
    lead's come from the same query as the board's owners (:func:`_team_people`)."""
    from kefu.org.roles import Role
    from kefu.org.scope import TEAM, scope_for
    from kefu.org.selectors import people_in_scope

    scope = scope_for(user)
    if scope.level == TEAM:
        return [(pk, name or username) for pk, name, username, active, agent in _team_people(user, scope)
                if active and agent]
    rows = people_in_scope(user).filter(roles__role=Role.AGENT).distinct().order_by("username").prefetch_related(
        None).values_list("pk", "display_name", "username")
    return [(pk, name or username) for pk, name, username in rows]


def _sort_sql(order: tuple[str, ...], alias: str) -> str:
    return ", ".join(f'{alias}."{f[1:]}" DESC' if f.startswith("-") else f'{alias}."{f}" ASC' for f in order)


_OWNER_SLOT = -7_919_131  # an owner id no one has: where each branch's owner goes in the compiled branch


def _first_per_owner(qs: QuerySet[Ticket], order: tuple[str, ...], owners: list[int] | None,
                     n: int, *, per_owner: bool | str = True) -> tuple[str, list]:
    """SQL (and its parameters) giving the first ``n`` tickets of ``qs`` in ``order`` (their sort values
    and ids); with ``owners``, of those people and the unassigned.

    On PostgreSQL, for a lead: a ``UNION ALL`` of "this owner's first n" per owner, read in order from the
    owner's index, plus the unassigned's first n, then the first n of those: the work does not grow with the
    team's backlog (20,000 open tickets) and every branch's plan is the same whatever the owner. The branch is
    compiled once (the owner a parameter put in per branch), not once per owner: compiling a queryset per
    owner and column was a third of the board's Python time. SQLite takes no ordered branches in a
    ``UNION``: there (and without ``per_owner``) a plain ``owner IN (…)``."""
    from django.db import connection

    keys = [f.lstrip("-") for f in order]
    if owners is None or not per_owner or connection.vendor != "postgresql":
        if owners is not None:
            qs = qs.filter(Q(owner_id__in=owners) | Q(owner__isnull=True))
        sql, params = qs.order_by(*order).values_list(*keys)[:n].query.sql_with_params()
        return sql, list(params)
    if per_owner == "lateral":  # one branch to plan: unnest(owners) CROSS JOIN LATERAL (one owner's first n)
        from django.db.models import BooleanField
        from django.db.models.expressions import RawSQL

        mine = qs.filter(RawSQL('"tickets_ticket"."owner_id" = o.owner_id', (), output_field=BooleanField()))
        lateral, lateral_params = mine.order_by(*order).values_list(*keys)[:n].query.sql_with_params()
        queue, queue_params = qs.filter(owner__isnull=True).order_by(*order).values_list(*keys)[:n] \
            .query.sql_with_params()
        names = ", ".join(f'b."{k}"' for k in keys)
        return (f"SELECT c.* FROM (SELECT {names} FROM unnest(%s::bigint[]) AS o(owner_id) CROSS JOIN LATERAL "  # noqa: S608 - compiled querysets
                f"({lateral}) AS b UNION ALL ({queue})) AS c ORDER BY {_sort_sql(order, 'c')} LIMIT {int(n)}",
                [list(owners), *lateral_params, *queue_params])
    branch, branch_params = qs.filter(owner_id=_OWNER_SLOT).order_by(*order).values_list(*keys)[:n] \
        .query.sql_with_params()
    slot = [i for i, p in enumerate(branch_params) if p == _OWNER_SLOT]
    if len(slot) != 1:  # the filter's shape changed: compile each branch
        parts = [qs.filter(owner_id=pk).order_by(*order).values_list(*keys)[:n].query.sql_with_params()
                 for pk in owners]
    else:
        parts = [(branch, [*branch_params[:slot[0]], pk, *branch_params[slot[0] + 1:]]) for pk in owners]
    parts.append(qs.filter(owner__isnull=True).order_by(*order).values_list(*keys)[:n].query.sql_with_params())
    sql = " UNION ALL ".join(f"({part})" for part, _params in parts)
    return (f"SELECT c.* FROM ({sql}) AS c ORDER BY {_sort_sql(order, 'c')} LIMIT {int(n)}",  # noqa: S608 - compiled querysets
            [p for _part, params in parts for p in params])


def _board_queries(scoped: QuerySet[Ticket], *, stuck_before: dt.datetime) -> dict[str, tuple]:
    """Each column's tickets, order and (optionally) whether a lead's column is read per owner. Made of
    ``scoped`` (the person's tickets), constants and ``stuck_before`` only: :func:`_columns_statement` keeps the
    statement compiled from them."""
    open_ = scoped.filter(status__in=OPEN_STATUSES)
    stuck_qs = open_.filter(last_action_at__lte=stuck_before).exclude(status=Status.WAITING, waiting_on="customer")
    return {
        "stuck": (stuck_qs, ("last_action_at", "id"), "lateral"),
        "breaching": (open_.filter(sla_state__in=["warning", "breached"]), ("resolution_due", "id"), "lateral"),
        "escalated": (open_.exclude(escalation_level=Level.AGENT), ("-last_action_at", "-id"), "lateral"),
        # few in the whole centre (hundreds): one walk of tic_supervised_idx, not one per owner
        "supervised": (scoped.filter(supervised=True).exclude(status=Status.CLOSED), ("-last_action_at", "-id"),
                       False),
    }


COLUMNS = ("stuck", "breaching", "escalated", "supervised")

# a moment no ticket has: where the stuck column's "last action before" goes in a kept statement
_CUTOFF_SLOT = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)
_STATEMENTS: dict[tuple, tuple[str, int]] = {}
_STATEMENTS_KEPT = 256


def _compile_columns(scoped: QuerySet[Ticket], owners: list[int] | None, *, stuck_before: dt.datetime, n: int,
                     keys: list[str]) -> tuple[str, list]:
    queries = _board_queries(scoped, stuck_before=stuck_before)
    parts, params = [], []
    for i, column in enumerate(keys):
        qs, order, *per_owner = queries[column]
        sql, part_params = _first_per_owner(qs, order, owners, n, per_owner=not per_owner or per_owner[0])
        parts.append(f"SELECT {i} AS k, c.id, row_number() OVER (ORDER BY {_sort_sql(order, 'c')}) AS pos "  # noqa: S608 - compiled querysets; values are parameters
                     f"FROM ({sql}) AS c")
        params += part_params
    return " UNION ALL ".join(parts) + " ORDER BY 1, 3", params


def _columns_statement(scoped: QuerySet[Ticket], owners: list[int] | None, *, stuck_before: dt.datetime, n: int,
                       keys: list[str]) -> tuple[str, list, bool]:
    """The columns' statement (SQL, parameters, and whether it may be prepared): their ids, each with its
    column's index in ``keys`` and its position.

    Compiling it (seven querysets for a lead) was a third of the board's Python time, and planning it ~5 ms of
    its SQL time: on PostgreSQL the statement is kept per process, by what it is made of — the compiled
    ``scoped`` (the scope's shops, the department's tasks: whatever tickets_in_scope filters on), the owners,
    ``n`` and the columns — with all those values written into it as literals (rendered by the driver) and the
    stuck column's moment its only parameter (compiled once with :data:`_CUTOFF_SLOT`). Such a statement may be
    prepared: its generic plan is its custom plan (the same index walks; partial indexes proved from the
    literals), planned once per connection instead of per board. With the values as parameters the generic
    plans were catastrophic (0.2–100 s: no partial index provable, a sequential scan of the department's
    tasks), hence never prepared. SQLite (or a statement whose moment cannot be found) compiles it every time,
    unprepared."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return (*_compile_columns(scoped, owners, stuck_before=stuck_before, n=n, keys=keys), False)
    scope_sql, scope_params = scoped.values_list("pk").query.sql_with_params()
    key = (scope_sql, tuple(scope_params), tuple(owners) if owners is not None else None, n, tuple(keys))
    try:
        kept = _STATEMENTS.get(key)
    except TypeError:  # a parameter that cannot be a key
        kept = None
        key = None
    if kept is None:
        sql, params = _compile_columns(scoped, owners, stuck_before=_CUTOFF_SLOT, n=n, keys=keys)
        slots = sum(1 for p in params if isinstance(p, dt.datetime) and p == _CUTOFF_SLOT)
        literal = connection.ops.compose_sql(sql, params).replace("%", "%%")
        slot = connection.ops.compose_sql("%s", [_CUTOFF_SLOT])
        if key is None or literal.count(slot) != slots or ("stuck" in keys) != (slots > 0):
            return (*_compile_columns(scoped, owners, stuck_before=stuck_before, n=n, keys=keys), False)
        kept = (literal.replace(slot, "%s"), slots)
        if len(_STATEMENTS) >= _STATEMENTS_KEPT:
            _STATEMENTS.clear()
        _STATEMENTS[key] = kept
    sql, slots = kept
    return sql, [stuck_before] * slots, True


def lead_board(user, *, stuck_hours: int, now: dt.datetime | None = None, n: int = BOARD_CARDS,
               columns: tuple[str, ...] | None = None) -> dict[str, list[Ticket]]:
    """The board's four columns (or only ``columns``), up to ``n + 1`` tickets each (the extra one says there
    are more): stuck (R-TIC-5), near or past the time limit, escalated, supervised. Each column is read in its
    order from an index of the open tickets (tickets 0006), per owner for a lead (:func:`_first_per_owner`).
    "stuck", "breaching" and "escalated" read per owner with one LATERAL branch (their per-owner indexes fit
    their filters exactly: tickets 0006, and 0009's tic_owner_breach_idx for "breaching" — without it, its LATERAL
    form was planned as bitmap scan + sort and it took a branch per owner, twice the planning).
    Two queries whatever the number of columns: the columns' ids (one ``UNION ALL``), then their rows
    (only what a card prints, :data:`BOARD_FIELDS`)."""
    from django.db import connection

    now = now or timezone.now()
    owners = board_owners(user)
    keys = [k for k in COLUMNS if columns is None or k in columns]
    ids: dict[str, list[int]] = {key: [] for key in keys}
    if keys:
        from contextlib import nullcontext

        from django.core.exceptions import EmptyResultSet

        from kefu.core.search import unprepared

        try:
            sql, params, may_prepare = _columns_statement(tickets_in_scope(user), owners, n=n + 1, keys=keys,
                                                          stuck_before=now - dt.timedelta(hours=stuck_hours))
        except EmptyResultSet:  # nothing in scope (a team serving no shop, no department): empty columns
            return ids
        with nullcontext() if may_prepare else unprepared(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            for k, pk, _pos in cursor.fetchall():
                ids[keys[k]].append(pk)
    wanted = {pk for column in ids.values() for pk in column}
    rows = {t.pk: t for t in Ticket.objects.filter(pk__in=wanted).select_related("owner", "shop").only(*BOARD_FIELDS)} \
        if wanted else {}
    return {key: [rows[pk] for pk in column if pk in rows] for key, column in ids.items()}
