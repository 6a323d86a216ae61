"""CPU time of a ticket creation against the ceiling (``GET /api/v1/ping``), in process (issue 13;
bench/notes/server.md).

    DATABASE_URL=postgres://…/kefu_bench .venv/bin/python -m bench.create_speed [--runs 300] [--profile]

Both requests go through Django's test client with a bench agent's API token (every middleware, DEBUG
off), after warm-up calls. Printed per request kind: the median wall-clock time, the median CPU time of
this process (Python), the CPU time of its PostgreSQL backend (from /proc/<pid>/stat; the server runs
on this machine), the time inside SQL calls and the number of statements. ``--profile``: the process
CPU split into the phases of a creation (auth, validation, inserts, audit, response) from a cProfile run
(each phase's share of the profiled time applied to the unprofiled CPU time), and the top functions.
The tickets created are deleted afterwards (bench.server.delete_created).
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
from pathlib import Path

# cProfile function names (substring of "file:line(function)") → phase; the first match wins, the
# cumulative time of the outermost match of each phase is counted
PHASES = [
    ("auth", ("tokens.py", "user_for_token")),
    ("validation: body + schema", ("ninja/operation.py", "_get_values")),
    ("validation: shop", ("org/selectors.py", "access_shop")),
    ("validation: caller's customer", ("customers/selectors.py", "caller_for_new_ticket")),  # SQLite only now
    ("validation: scope", ("org/scope.py", "scope_for")),
    ("number (+ id, + caller's customer)", ("tickets/services.py", "_next_number")),
    ("inserts: time limits", ("tickets/sla.py", "set_due_times")),
    ("audit: snapshot + entry", ("audit/services.py", "entry")),
    ("audit: snapshot + entry ", ("audit/services.py", "snapshot")),
    ("inserts: write", ("tickets/services.py", "_insert_together")),
    ("inserts: write (ORM path)", ("tickets/services.py", "_write_new_ticket")),
    ("response", ("ninja/operation.py", "_result_to_response")),
]


def _setup() -> None:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()


def backend_cpu(pid: int) -> float:
    """utime + stime of a PostgreSQL backend, seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class SqlTimer:
    def __init__(self):
        self.seconds = 0.0
        self.count = 0
        self.each: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            self.count += 1
            self.each.append((spent, sql))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--no-flush", action="store_true",
                        help="diagnostic only: this session's commits do not wait for the disk (synchronous_commit "
                             "off), to tell the disk flush's share of a creation's wall time")
    args = parser.parse_args(argv)
    _setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from bench import server
    from kefu.tickets.models import Ticket

    callers = server.bench_callers(4)
    client = Client()
    before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        if args.no_flush:
            cur.execute("SET synchronous_commit = off")  # this benchmark's own session only

    def call(kind: str, n: int):
        _k, method, path, body, headers, expected = (server.ping_request if kind == "ping" else
                                                     server.create_request)(callers, 0, n)
        extra = {"HTTP_AUTHORIZATION": headers["Authorization"]}
        if method == "GET":
            response = client.get(path, **extra)
        else:
            response = client.post(path, data=body, content_type="application/json", **extra)
        assert response.status_code == expected, (kind, response.status_code, response.content[:300])  # noqa: S101

    results = {}
    try:
        with override_settings(DEBUG=False):
            n = 0
            for kind in ("ping", "create"):
                for _ in range(args.warmup):
                    call(kind, n)
                    n += 1
                walls, cpus, pgs, sqls, counts, each = [], [], [], [], [], []
                for _ in range(args.runs):
                    timer = SqlTimer()
                    with connection.execute_wrapper(timer):
                        pg0, cpu0, t0 = backend_cpu(pid), time.process_time(), time.perf_counter()
                        call(kind, n)
                        walls.append(time.perf_counter() - t0)
                        cpus.append(time.process_time() - cpu0)
                        pgs.append(backend_cpu(pid) - pg0)
                    n += 1
                    sqls.append(timer.seconds)
                    counts.append(timer.count)
                    each.append(timer.each)
                results[kind] = {
                    "wall_ms": 1000 * statistics.median(walls), "cpu_ms": 1000 * statistics.mean(cpus),
                    "cpu_median_ms": 1000 * statistics.median(cpus), "pg_cpu_ms": 1000 * statistics.mean(pgs),
                    "sql_ms": 1000 * statistics.median(sqls), "statements": max(counts)}
                print(f"{kind:7} wall {results[kind]['wall_ms']:.2f} ms median; process CPU "
                      f"{results[kind]['cpu_ms']:.2f} ms mean ({results[kind]['cpu_median_ms']:.2f} median); "
                      f"PostgreSQL backend CPU {results[kind]['pg_cpu_ms']:.2f} ms mean; in SQL "
                      f"{results[kind]['sql_ms']:.2f} ms median; {results[kind]['statements']} statements "
                      f"(load {server.loadavg()})")
                for i in range(max(counts)):
                    times = [e[i][0] for e in each if len(e) > i]
                    print(f"    statement {i + 1}: {1000 * statistics.median(times):.2f} ms median  "
                          f"{next(e[i][1] for e in each if len(e) > i)[:110]}")
            if args.profile:
                profile = cProfile.Profile(time.process_time)  # CPU time: waits for the database are not Python
                profile.enable()
                for _ in range(args.runs):
                    call("create", n)
                    n += 1
                profile.disable()
                _phases(profile, results["create"]["cpu_ms"])
                buffer = io.StringIO()
                pstats.Stats(profile, stream=buffer).sort_stats("tottime").print_stats(args.top)
                print(buffer.getvalue())
    finally:
        removed = server.delete_created(before)
        server.drop_tokens()
        print(f"removed the {removed} tickets created")


def _phases(profile: cProfile.Profile, cpu_ms: float) -> None:
    stats = pstats.Stats(profile).stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.values())
    spent: dict[str, float] = {}
    for phase, (file_part, name) in PHASES:
        ct = sum(v[3] for k, v in stats.items() if file_part in k[0] and k[2].startswith(name))
        spent[phase.strip()] = spent.get(phase.strip(), 0.0) + ct
    print(f"creation, process CPU {cpu_ms:.2f} ms, by phase (share of the profiled time):")
    for phase, ct in spent.items():
        print(f"  {phase:32} {cpu_ms * ct / total:5.2f} ms ({100 * ct / total:4.1f} %)")
    rest = total - sum(spent.values())
    print(f"  {'other (framework, middleware)':32} {cpu_ms * rest / total:5.2f} ms ({100 * rest / total:4.1f} %)"
          " — approximate: nested phases (scope inside shop) are counted twice")


if __name__ == "__main__":
    main()
