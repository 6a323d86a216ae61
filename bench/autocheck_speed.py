"""The automatic checks on one public reply, timed in a small process of their own (issue 11; the bench
process of ``bench_quality`` carries a large heap that inflates the figure; bench/notes/quality.md).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.autocheck_speed [--runs 300] [--sql] [--profile]

Takes 200 tickets of the last full month with at least two public replies and runs the hook
(``autocheck_services.on_ticket_event``) on them in turn, each run inside a transaction that is rolled back
(the bench data stays as it is). Two cases:

- **changed**: the first check of the ticket in the transaction (the bench's stored result differs: the
  result row is written, flags raised or cleared, an audit row written — the heavier case);
- **unchanged**: the same ticket checked again in the same transaction (a reply that changes neither the
  score nor the flags: nothing to write).

The transaction is the caller's (a savepoint inside, as in the bench); printed per case: the median and p95
wall-clock time, the median time inside SQL (around every statement, ``connection.execute_wrapper``), the
median CPU time of this process, the statements per run and the median time of each statement.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
from collections import defaultdict


def _setup() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()


class SqlTimer:
    def __init__(self):
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - start, sql))


def _label(sql: str) -> str:
    words = re.sub(r'"s\d+_x\d+"', '"s…"', " ".join(sql.split()))  # savepoint names
    return words[:90]


def ticket_ids(limit: int = 200) -> list[int]:
    import datetime as dt

    from django.db import connection

    from kefu.quality import selectors
    from kefu.quality.selectors import this_month

    month = (this_month() - dt.timedelta(days=1)).replace(day=1)
    start, end = selectors.month_bounds(month)
    with connection.cursor() as cur:
        cur.execute("""SELECT e.ticket_id FROM tickets_ticketevent e
                       JOIN tickets_ticket t ON t.id = e.ticket_id
                       WHERE t.created_at >= %s AND t.created_at < %s AND e.kind = 'reply' AND e.public
                       GROUP BY e.ticket_id HAVING count(*) >= 2 ORDER BY e.ticket_id LIMIT %s""",
                    [start, end, limit])
        return [r[0] for r in cur.fetchall()]


def measure(ids: list[int], runs: int, warmup: int, *, profile: cProfile.Profile | None = None) -> dict:
    from django.db import connection, transaction

    from kefu.quality.autocheck_services import on_ticket_event

    cases = {"changed": defaultdict(list), "unchanged": defaultdict(list)}
    for i in range(warmup + runs):
        ticket_id = ids[i % len(ids)]
        with transaction.atomic():
            for case in ("changed", "unchanged"):
                timer = SqlTimer()
                with connection.execute_wrapper(timer):
                    if profile is not None and i >= warmup:
                        profile.enable()
                    start, cpu = time.perf_counter(), time.process_time()
                    on_ticket_event(ticket_id=ticket_id)
                    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                    if profile is not None:
                        profile.disable()
                if i < warmup:
                    continue
                c = cases[case]
                c["wall"].append(wall)
                c["cpu"].append(cpu)
                c["sql"].append(sum(s for s, _q in timer.queries))
                c["n"].append(len(timer.queries))
                for n, (spent, sql) in enumerate(timer.queries):
                    c[f"q{n:02d} {_label(sql)}"].append(spent)
            transaction.set_rollback(True)
    return cases


def report(cases: dict, load: str) -> None:
    for case, c in cases.items():
        wall = sorted(c["wall"])
        print(f"{case:>9}: median {1000 * statistics.median(wall):6.2f} ms  "
              f"p95 {1000 * wall[min(len(wall) - 1, int(0.95 * len(wall)))]:6.2f} ms  "
              f"sql {1000 * statistics.median(c['sql']):5.2f} ms  cpu {1000 * statistics.median(c['cpu']):5.2f} ms  "
              f"statements {statistics.median(c['n']):.0f} (max {max(c['n'])})  runs {len(wall)}  load {load}")
        for key in sorted(k for k in c if k.startswith("q")):
            values = c[key]
            print(f"           {1000 * statistics.median(values):6.3f} ms  ×{len(values):<4} {key[4:]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)
    _setup()
    from django.test.utils import override_settings

    ids = ticket_ids()
    with override_settings(DEBUG=False):
        profile = cProfile.Profile() if args.profile else None
        cases = measure(ids, args.runs, args.warmup, profile=profile)
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"{len(ids)} tickets, {args.runs} runs after {args.warmup} warm-up")
    report(cases, load)
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
