"""Ticket keyword search on real desks, in-process (issue 13, task S; bench/notes/search.md).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.search_speed --runs 20 \
        --user bench-agent-0001 --user bench-lead-11 --user bench-director

For each person and each word set — the common words of ``bench.tickets.KEYWORDS`` (rotating) and the
1 % word 碎屏 — the search is run as the benchmark runs it: ``selector`` is ``TicketList`` (page of 50 +
the capped count, SLA order, as ``bench_tickets``); ``api`` is ``GET /api/v1/tickets?q=`` through Django's
test client (``force_login``, ``DEBUG`` off); ``desk`` is ``GET /tickets/?q=&status=`` (all statuses,
newest first: the desk page's search). ``--warmup`` calls first (at least 6, so that the statements are
prepared on the server and their plans are the ones a long-lived worker uses), then ``--runs`` calls.
Printed per row: the median and p95 wall-clock time, the median time inside SQL (measured around every
query's execution), the median CPU time of this process (the app's Python, not PostgreSQL's), the queries
of one call, the count, and the 1-minute load average.
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import urlencode

RARE = "碎屏"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", action="append")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--mode", action="append", choices=("selector", "api", "desk"))
    parser.add_argument("--words", action="append", choices=("common", "rare"))
    args = parser.parse_args(argv)

    from bench.desk_speed import SqlTimer, _setup

    _setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from bench.tickets import KEYWORDS
    from kefu.tickets import selectors

    users = args.user or ["bench-agent-0001", "bench-agent-0101", "bench-lead-01", "bench-lead-11",
                          "bench-director"]
    modes = args.mode or ["selector", "api"]
    word_sets = {"common": KEYWORDS, "rare": [RARE]}
    User = get_user_model()  # noqa: N806
    with override_settings(DEBUG=False):
        for username in users:
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            for mode in modes:
                for name in args.words or ["common", "rare"]:
                    words = word_sets[name]

                    def call(i: int, words=words, mode=mode, user=user, client=client) -> int:
                        word = words[i % len(words)]
                        if mode == "selector":
                            fresh = User.objects.get(pk=user.pk)
                            tickets = selectors.TicketList(fresh, selectors.TicketFilters(q=word),
                                                           order_by=("resolution_due", "id"))
                            list(tickets[:50])
                            return tickets.count()
                        if mode == "api":
                            response = client.get("/api/v1/tickets?" + urlencode({"q": word}))
                            assert response.status_code == 200, response.content[:300]  # noqa: S101
                            return response.json()["count"]
                        response = client.get("/tickets/?" + urlencode({"q": word, "status": ""}))
                        assert response.status_code == 200, response.status_code  # noqa: S101
                        return 0

                    for i in range(args.warmup):
                        call(i)
                    walls, sqls, cpus, nq, counts = [], [], [], 0, []
                    for i in range(args.runs):
                        timer = SqlTimer()
                        with connection.execute_wrapper(timer):
                            start, cpu = time.perf_counter(), time.process_time()
                            counts.append(call(args.warmup + i))
                            walls.append(time.perf_counter() - start)
                            cpus.append(time.process_time() - cpu)
                        sqls.append(timer.seconds)
                        nq = max(nq, len(timer.queries))
                    walls.sort()
                    with open("/proc/loadavg") as f:
                        load = f.read().split()[0]
                    p95 = walls[min(len(walls) - 1, int(0.95 * len(walls)))]
                    print(f"{username:>17} {mode:<8} {name:<6} median {1000 * statistics.median(walls):7.1f} ms  "
                          f"p95 {1000 * p95:7.1f} ms  sql {1000 * statistics.median(sqls):7.1f} ms  "
                          f"cpu {1000 * statistics.median(cpus):5.1f} ms  {nq} queries  "
                          f"count {min(counts)}–{max(counts)}  load {load}", flush=True)


if __name__ == "__main__":
    main()
