"""The workforce list pages and API lists run as many queries for 30 rows as for 3 (no N+1), and stay under a
ceiling: the roster, my schedule, the approval inbox, violations; GET /shifts, /leave-requests (also the inbox),
/violations. Rows are written directly (their rules are tested elsewhere); some shifts are freed by approved
leave, some leave is decided and some violations hang off a shift, so every related name a row shows is read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.workforce.models import LeaveRequest, Shift, Violation, shift_moments
from kefu.workforce.tests.conftest import MONDAY, at

PAGE_CEILING = 16
API_CEILING = 10


def _shift(person, day: dt.date, hour: int, shift_type, leave=None) -> Shift:
    start, end = dt.time(hour), dt.time(hour + 1)
    start_at, end_at = shift_moments(day, start, end)
    return Shift(person=person, team_id=person.team_id, date=day, shift_type=shift_type, kind="custom", start=start,
                 end=end, start_at=start_at, end_at=end_at, leave=leave)


def _leave(person, n: int, *, status: str = "pending", decided_by=None) -> LeaveRequest:
    start_at = at(MONDAY, 0) + dt.timedelta(days=30 + n)
    return LeaveRequest(person=person, kind="personal", start_at=start_at, end_at=start_at + dt.timedelta(days=1),
                        days=1, reason=f"事假{n}", status=status, approver_role="head", filed_by=person,
                        decided_by=decided_by)


class Rows:
    """Adds ``n`` more rows of one kind each call; numbering goes on so rows never repeat."""

    def __init__(self, demo, shift_types):
        self.demo = demo
        self.shift_types = shift_types
        self.made = 0
        u = demo.users
        self.freeing = LeaveRequest.objects.create(
            person=u["agent1"], kind="sick", start_at=at(MONDAY, 0) - dt.timedelta(days=60),
            end_at=at(MONDAY, 0) - dt.timedelta(days=59), reason="病假", status="approved", approver_role="head",
            filed_by=u["agent1"], decided_by=u["head1"])

    def _next(self, n: int) -> range:
        first = self.made
        self.made += n
        return range(first, first + n)

    def team_week(self, n: int) -> None:
        """Shifts of 一班's agents in this week (the roster, GET /shifts); every fifth freed by leave."""
        people = [self.demo.users[u] for u in ("agent1", "agent2", "agent3")]
        types = list(self.shift_types.values())
        Shift.objects.bulk_create([
            _shift(people[i % 3], MONDAY + dt.timedelta(days=(i // 3) % 7), 6 + 2 * (i // 21), types[i % 3],
                   leave=self.freeing if i % 5 == 0 else None) for i in self._next(n)])

    def my_fortnight(self, n: int) -> None:
        """agent1's shifts in the fortnight my schedule shows, and as much leave of theirs."""
        agent1 = self.demo.users["agent1"]
        types = list(self.shift_types.values())
        numbers = self._next(n)
        Shift.objects.bulk_create([
            _shift(agent1, MONDAY + dt.timedelta(days=i % 14), 6 + 3 * (i // 14), types[i % 3],
                   leave=self.freeing if i % 4 == 0 else None) for i in numbers])
        head = self.demo.users["head1"]
        LeaveRequest.objects.bulk_create([
            _leave(agent1, i, status="approved" if i % 2 else "pending", decided_by=head if i % 2 else None)
            for i in numbers])

    def pending_leave(self, n: int) -> None:
        """Pending (and some decided) leave of the department's agents: the inbox and GET /leave-requests."""
        people = [self.demo.users[f"agent{k}"] for k in range(1, 7)]
        head = self.demo.users["head1"]
        LeaveRequest.objects.bulk_create([
            _leave(people[i % 6], i, status="approved" if i % 7 == 3 else "pending",
                   decided_by=head if i % 7 == 3 else None) for i in self._next(n)])

    def violations(self, n: int) -> None:
        """Violations of 一班's agents recorded by lead1, every third of them on a shift."""
        people = [self.demo.users[u] for u in ("agent1", "agent2", "agent3")]
        numbers = list(self._next(n))
        types = list(self.shift_types.values())
        shifts = Shift.objects.bulk_create([
            _shift(people[i % 3], MONDAY - dt.timedelta(days=1 + i), 9, types[0]) for i in numbers if i % 3 == 0])
        on_shift = iter(shifts)
        Violation.objects.bulk_create([
            Violation(person=people[i % 3], kind="late", rule="R-WFM-5", evidence=f"迟到{i}",
                      shift=next(on_shift) if i % 3 == 0 else None, recorded_by=self.demo.users["lead1"])
            for i in numbers])


CASES = [
    # (name, role, url, rows, ceiling, what the answer shows: an HTML marker counted, or the API count)
    ("roster page", "lead", f"/workforce/roster/?week={MONDAY}", "team_week", PAGE_CEILING,
     ('data-testid="shift', None)),
    ("my schedule page", "agent", f"/workforce/me/?week={MONDAY}", "my_fortnight", PAGE_CEILING,
     ('data-testid="shift', None)),
    ("approval inbox page", "head", "/workforce/approvals/", "pending_leave", PAGE_CEILING,
     ('data-testid="approval-row"', None)),
    ("violations page", "lead", "/workforce/violations/", "violations", PAGE_CEILING, ("迟到", None)),
    ("GET /shifts", "lead", f"/api/v1/shifts?date_from={MONDAY}&date_to={MONDAY + dt.timedelta(days=6)}",
     "team_week", API_CEILING, (None, "count")),
    ("GET /leave-requests", "head", "/api/v1/leave-requests", "pending_leave", API_CEILING, (None, "count")),
    ("GET /leave-requests?inbox=true", "head", "/api/v1/leave-requests?inbox=true", "pending_leave", API_CEILING,
     (None, "count")),
    ("GET /violations", "lead", "/api/v1/violations", "violations", API_CEILING, (None, "count")),
]


def _shown(response, how) -> int | None:
    marker, key = how
    if marker:
        return response.content.decode().count(marker)
    if key:
        return response.json()[key]
    return None


@pytest.mark.parametrize(("name", "role", "url", "rows", "ceiling", "how"), CASES, ids=[c[0] for c in CASES])
def test_workforce_lists_do_not_grow_in_queries_with_rows(demo, clients, clock, shift_types,
                                                          django_assert_max_num_queries, name, role, url, rows,
                                                          ceiling, how):
    maker = Rows(demo, shift_types)
    add = getattr(maker, rows)
    client = clients(role)
    add(3)
    assert client.get(url).status_code == 200  # warm: session, rule cache
    with CaptureQueriesContext(connection) as three:
        small = client.get(url)
    assert small.status_code == 200
    shown_small = _shown(small, how)
    add(27)
    with django_assert_max_num_queries(min(len(three.captured_queries), ceiling)):
        large = client.get(url)
    assert large.status_code == 200
    shown_large = _shown(large, how)
    if shown_small is not None:  # the new rows are really on the page / in the answer (the inbox: pending only)
        assert shown_large >= shown_small + 20, (shown_small, shown_large)
    assert len(three.captured_queries) <= ceiling, [q["sql"][:120] for q in three.captured_queries]
