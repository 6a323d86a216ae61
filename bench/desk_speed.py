"""Server time of the desk pages, in-process (issue 13; bench/notes/desk.md).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.desk_speed --user agent0001 \
        --path /tickets/ --path /tickets/board/ --path '/api/v1/tickets?owner=me&open_only=true&page_size=25'

Each path is requested through Django's test client (``force_login``, ``DEBUG`` off), after warm-up
calls, ``--runs`` times; printed: the median and p95 of the whole request, the median time spent in
SQL (measured around every query's execution), the median CPU time of this process (Python: views,
templates; less disturbed by other processes than the wall-clock time on a loaded machine), the number of queries and the answer's size.
``--profile`` prints the cProfile of ``--runs`` calls (cumulative time, top ``--top`` functions);
``--sql`` the queries of one call with their times.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time


def _setup() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()


class SqlTimer:
    """``connection.execute_wrapper``: the time and text of every query."""

    def __init__(self):
        self.seconds = 0.0
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            self.queries.append((spent, sql))


def measure(client, path: str, *, runs: int, warmup: int) -> dict:
    from django.db import connection

    for _ in range(warmup):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)  # noqa: S101 - a benchmark's check
    totals, sqls, nqueries, cpus = [], [], [], []
    size = 0
    for _ in range(runs):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            totals.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        sqls.append(timer.seconds)
        nqueries.append(len(timer.queries))
        size = len(response.content)
    totals.sort()
    return {"path": path, "median_ms": 1000 * statistics.median(totals),
            "p95_ms": 1000 * totals[min(len(totals) - 1, int(0.95 * len(totals)))],
            "sql_ms": 1000 * statistics.median(sqls), "cpu_ms": 1000 * statistics.median(cpus), "queries": max(nqueries), "kib": size / 1024}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--path", action="append", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args(argv)
    _setup()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    user = get_user_model().objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    with override_settings(DEBUG=False):
        for path in args.path:
            if args.sql:
                timer = SqlTimer()
                with connection.execute_wrapper(timer):
                    client.get(path)
                for spent, sql in timer.queries:
                    print(f"{1000 * spent:7.2f} ms  {sql[:600]}")
            if args.profile:
                for _ in range(args.warmup):
                    client.get(path)
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(args.runs):
                    client.get(path)
                profile.disable()
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
                print(out.getvalue())
                continue
            r = measure(client, path, runs=args.runs, warmup=args.warmup)
            with open("/proc/loadavg") as f:
                load = f.read().split()[0]
            print(f"{args.user:>12} {r['path']:<60} median {r['median_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
                  f"sql {r['sql_ms']:5.1f} ms  python cpu {r['cpu_ms']:5.1f} ms  {r['queries']:3d} queries  {r['kib']:6.1f} KiB  load {load}")


if __name__ == "__main__":
    main()
