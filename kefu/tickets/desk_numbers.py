"""An agent's desk numbers in one statement, compiled once per process (issue 13: the desk under 25 ms).

The desk's tiles (open, breached and warning tickets of the person: ``counts.desk_counts``) and its on-duty
toggle (on shift, on a break since, the toggle: ``assignment.desk_state``) were two to four queries, and
compiling the ORM's subqueries cost more than running them (~3 ms of CPU for the toggle's one query, ~0.1 ms
in PostgreSQL). Here they are one ORM query over the person's row, compiled once per database with markers in
place of the person and the moment; each call puts them in the markers' places and runs the SQL (~0.3 ms).
``tests/test_desk_state.py`` compares the answers with ``workforce.selectors.duty``, ``is_on_duty`` and
``counts.my_counts`` case by case."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kefu.tickets.choices import OPEN_STATUSES
from kefu.tickets.models import AgentAvailability, Ticket

# the markers the statement is compiled with (no person has a negative id; no moment of interest is in 1999)
_PERSON = -424_242_424
_NOW = dt.datetime(1999, 12, 31, 23, 59, 58, 123_456, tzinfo=dt.UTC)


def _query(person_id: int, now: dt.datetime):
    """The person's row with: a published shift covering ``now`` not freed by leave (duty.current_shift), the
    start of their newest open break whose shift is not over (duty.open_break), their toggle on
    (assignment.is_on_duty) and their open tickets counted (all, breached, warning: counts.desk_counts)."""
    from kefu.workforce.models import AwayPeriod, Shift

    shift = Shift.objects.filter(status=Shift.Status.PUBLISHED, person_id=OuterRef("pk"), leave__isnull=True,
                                 start_at__lte=now, end_at__gt=now)
    open_break = (AwayPeriod.objects.filter(Q(shift__isnull=True) | Q(shift__end_at__gt=now),
                                            person_id=OuterRef("pk"), end_at__isnull=True)
                  .order_by("-start_at").values("start_at")[:1])
    toggle = AgentAvailability.objects.filter(person_id=OuterRef("pk"), on_duty=True)
    mine = Ticket.objects.filter(owner_id=OuterRef("pk"), status__in=OPEN_STATUSES).order_by()

    def count(**condition):
        # COUNT(*) of the person's open tickets: counted from tic_owner_sla_idx alone (tickets 0009)
        counted = mine.filter(**condition).values("owner_id").annotate(n=Count("*")).values("n")
        return Coalesce(Subquery(counted), 0)

    return get_user_model().objects.filter(pk=person_id).values(
        on_shift=Exists(shift), break_since=Subquery(open_break), toggle=Exists(toggle),
        open=count(), breached=count(sla_state="breached"), warning=count(sla_state="warning"))


@functools.cache
def _statement(alias: str) -> tuple[str, tuple, tuple]:
    """The SQL and its parameters, with the places of the person's id and of the moment among them."""
    connection = connections[alias]
    sql, params = _query(_PERSON, _NOW).query.get_compiler(alias).as_sql()
    now = connection.ops.adapt_datetimefield_value(_NOW)
    slots = tuple("person" if p == _PERSON else "now" if p == now else "" for p in params)
    if slots.count("person") != 1 or slots.count("now") != 3:  # the markers must be found, each in its place
        raise RuntimeError(f"desk_numbers: unexpected parameters {params!r}")
    return sql, tuple(params), slots


def _moment(value) -> dt.datetime | None:
    if isinstance(value, str):  # SQLite: text in UTC
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def desk_numbers(person, *, now: dt.datetime) -> tuple[dict[str, int], dict]:
    """``(counts, state)``: the tiles' numbers as ``counts.desk_counts`` gives them and the toggle's state as
    ``assignment.desk_state`` gives it. One query."""
    alias = router.db_for_read(Ticket)
    sql, params, slots = _statement(alias)
    connection = connections[alias]
    moment = connection.ops.adapt_datetimefield_value(now)
    values = [person.pk if s == "person" else moment if s == "now" else p for p, s in zip(params, slots, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description]
    found = dict(zip(names, row, strict=True)) if row is not None else {}
    counts = {key: int(found.get(key) or 0) for key in ("open", "breached", "warning")}
    on_shift, since = bool(found.get("on_shift")), _moment(found.get("break_since"))
    on_break = since is not None
    minutes = max(0, int((now - since).total_seconds() // 60)) if on_break else 0
    # the toggle counts only off shift and off a break (an agent at work is on shift)
    taking = not on_break and (on_shift or bool(found.get("toggle")))
    return counts, {"on_break": on_break, "break_since": since, "break_minutes": minutes, "on_shift": on_shift,
                    "taking": taking}
