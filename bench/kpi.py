"""KPI speed on the ticket benchmark data (``manage.py bench_kpi``, issue 12 "Speed").

Data: the bench organisation and its 2,000,000 tickets (``bench_tickets``: 500 agents in 50 teams, 100 shops,
5,000,000 customer follow-ups), with the daily KPI aggregates filled by ``manage.py kpi_rebuild`` (13 months).
Nothing is written except the aggregates of the days a read finds out of date, and API tokens for the client.

Measured as ``bench-director`` (the whole centre: 500 agents, 50 teams, 100 shops), median and 95th percentile
of N runs after warm-up, load average beside each, ``DEBUG`` off:

(a) ``kpi.compute(director, level=agent|team|shop)`` for the last full month (aggregates up to date: the read
    path as a dashboard takes it — one query for the days' state, one grouped sum); target < 100 ms;
(b) the same for this month so far (today's aggregates recomputed once the max age has passed: the runs that
    hit it show in the 95th percentile and the maximum);
(c) ``GET /api/v1/kpi?level=agent&…&page_size=500`` (500 items) and ``level=team`` through the Django test
    client with an API token; target < 100 ms;
(d) the KPI page ``GET /performance/kpi/?…`` (table of 500 agents, charts, targets) logged in as the director;
(e) for comparison: the same month recounted from the raw records (``compute(..., recount=True)``) and the
    job's work, a refresh of today for everyone (``aggregates.refresh_days([today])``);
(f) ticket creation (``tickets.services.create_ticket`` by an agent, each call in a transaction rolled back so
    that nothing is left behind): what the aggregates add to it (nothing is fired at creation).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

OUT = Path(__file__).resolve().parent / "out" / "kpi.json"
TARGET_MS = 100.0
DIRECTOR = "bench-director"


class Rollback(Exception):
    pass


def timed(name: str, fn: Callable[[int], Any], *, runs: int, warmup: int = 3, target_ms: float | None = None,
          out=None, note: str = "") -> dict:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    result = {
        "name": name, "runs": runs, "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, math.ceil(0.95 * runs) - 1)], 2), "min_ms": round(samples[0], 2),
        "max_ms": round(samples[-1], 2), "target_ms": target_ms, "loadavg": [f"{x:.2f}" for x in os.getloadavg()],
        "note": note,
    }
    result["ok"] = None if target_ms is None else result["median_ms"] < target_ms
    if out is not None:
        flag = "" if result["ok"] is None else ("  ok" if result["ok"] else "  MISSED")
        out.write(f"  {name:<58} median {result['median_ms']:9.2f} ms  p95 {result['p95_ms']:9.2f} ms  "
                  f"({runs} runs, load {' '.join(result['loadavg'])}){flag}\n")
        out.flush()
    return result


def run(*, runs: int = 20, create_runs: int = 1000, recount_runs: int = 3, only: str = "", out=None) -> dict:
    from kefu.org.models import User
    from kefu.org.tokens import issue_token
    from kefu.performance import aggregates, kpi
    from kefu.performance.models import AgentDay, KpiDay

    wanted = {w for w in only.split(",") if w}

    def want(name: str) -> bool:
        return not wanted or name in wanted

    director = User.objects.get(username=DIRECTOR)
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = ((first - dt.timedelta(days=1)).replace(day=1), first - dt.timedelta(days=1))
    results: list[dict] = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]

    def fresh():
        return User.objects.get(pk=director.pk)

    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        kpi.compute(fresh(), level="agent", date_from=last_month[0], date_to=today)  # bring every day up to date
        if want("compute"):
            for level in kpi.LEVELS:
                results.append(timed(
                    f"compute {level}, {last_month[0]:%Y-%m} (aggregates)",
                    lambda i, level=level: kpi.compute(fresh(), level=level, date_from=last_month[0],
                                                       date_to=last_month[1]),
                    runs=runs, target_ms=TARGET_MS, out=out))
            results.append(timed(
                f"compute agent, {first:%Y-%m} so far (today refreshed at max age)",
                lambda i: kpi.compute(fresh(), level="agent", date_from=first, date_to=today),
                runs=runs, target_ms=TARGET_MS, out=out))
        if want("api"):
            _token, secret = issue_token(user=director, name="bench-kpi")
            api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
            for level in ("agent", "team"):
                url = (f"/api/v1/kpi?level={level}&date_from={last_month[0]}&date_to={last_month[1]}"
                       f"&page_size=500")
                assert api.get(url).status_code == 200
                results.append(timed(f"GET /api/v1/kpi level={level}, {last_month[0]:%Y-%m}",
                                     lambda i, url=url: api.get(url), runs=runs, target_ms=TARGET_MS, out=out))
        if want("page"):
            page = Client()
            page.force_login(director)
            url = f"/performance/kpi/?level=agent&date_from={last_month[0]}&date_to={last_month[1]}"
            assert page.get(url).status_code == 200
            results.append(timed(f"GET /performance/kpi/ agent, {last_month[0]:%Y-%m}", lambda i: page.get(url),
                                 runs=runs, target_ms=TARGET_MS, out=out))
            url = f"/performance/kpi/?level=team&date_from={last_month[0]}&date_to={last_month[1]}"
            results.append(timed(f"GET /performance/kpi/ team, {last_month[0]:%Y-%m}", lambda i: page.get(url),
                                 runs=runs, target_ms=TARGET_MS, out=out))
        if want("recount"):
            results.append(timed(
                f"compute agent, {last_month[0]:%Y-%m} recounted from the records",
                lambda i: kpi.compute(fresh(), level="agent", date_from=last_month[0], date_to=last_month[1],
                                      recount=True),
                runs=recount_runs, warmup=1, out=out, note="for comparison: what every read cost before"))
            results.append(timed("refresh today for everyone (the job, each minute)",
                                 lambda i: aggregates.refresh_days([today]), runs=recount_runs, warmup=1, out=out))
        if want("create"):
            results.append(measure_create(create_runs, out=out))
    data = {
        "when": timezone.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "agentday_rows": AgentDay.objects.count(),
        "kpi_days": KpiDay.objects.count(),
        "results": results,
    }
    OUT.parent.mkdir(exist_ok=True)
    if wanted and OUT.exists():  # a partial run keeps the other measurements of the file
        names = {r["name"] for r in results}
        data["results"] = [r for r in json.loads(OUT.read_text()).get("results", []) if r["name"] not in names] + results
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return data


def measure_create(runs: int, *, out=None) -> dict:
    """``create_ticket`` by a typical bench agent in one of their team's shops, each call rolled back."""
    from kefu.org.models import User
    from kefu.tickets import services as tickets

    agent = User.objects.get(username="bench-agent-0101")
    shop = agent.team.shops.order_by("pk").first()

    def create(i: int) -> None:
        try:
            with transaction.atomic():
                tickets.create_ticket(actor=agent, shop=shop, type="consultation", channel="hotline",
                                      title=f"空调不制冷 {i}")
                raise Rollback
        except Rollback:
            pass

    return timed("create_ticket (rolled back)", create, runs=runs, warmup=20, out=out,
                 note="each call in a transaction rolled back: no commit (fsync) in the figure")
