"""Measurements of the customer archive's speed targets on a generated data set (``manage.py bench``).

1. An agent's due list for a date: the selector exactly as the API calls it (first page of 50 through
   ``DueItemsPage``/``due_items`` plus the count) and the HTTP endpoint ``/api/v1/followups/due``.
2. The customer list with a name search (2-character Chinese substring, pinyin initials, 4 phone
   tail digits) as an agent (their team's shops) and as the centre director (the whole centre):
   ``selectors.list_customers`` + ``for_list`` (page + count) and ``/api/v1/customers?q=…``.
3. Import of 100,000 rows from xlsx: ``importing.start_import`` + ``run_import``.

Every timing repeats the call (after a few warm-up calls) and reports the median and the 95th
percentile; queries rotate through 20 agents and 20 search terms so no single lucky value decides.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench import generate as gen

OUT_DIR = Path(__file__).resolve().parent / "out"
TARGETS_MS = {"due": 50.0, "search": 100.0, "page": 25.0}
IMPORT_TARGET_S = 60.0


@dataclass
class Result:
    name: str
    kind: str  # "due", "search", "import"
    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float
    max_ms: float
    target_ms: float | None
    rows: float | None = None  # average matching rows (the count), for context
    note: str = ""

    @property
    def ok(self) -> bool | None:
        return None if self.target_ms is None else self.median_ms < self.target_ms


@dataclass
class Bench:
    org: gen.BenchOrg
    on: dt.date
    runs: int = 200
    warmup: int = 5
    max_seconds: float = 60.0
    explain: bool = False
    out: Any = None
    results: list[Result] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)

    # -- harness ---------------------------------------------------------------------------------------
    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message + "\n")
            self.out.flush()

    def timed(self, name: str, kind: str, fn: Callable[[int], int | None], *, target_ms: float | None,
              note: str = "") -> Result:
        for i in range(self.warmup):
            fn(i)
        samples: list[float] = []
        rows: list[int] = []
        started = time.perf_counter()
        for i in range(self.runs):
            t0 = time.perf_counter()
            n = fn(i)
            samples.append((time.perf_counter() - t0) * 1000)
            if n is not None:
                rows.append(n)
            if time.perf_counter() - started > self.max_seconds and len(samples) >= 20:
                note = (note + "; " if note else "") + f"stopped after {len(samples)} runs ({self.max_seconds:.0f} s cap)"
                break
        samples.sort()
        load = os.getloadavg()[0]
        note = (note + "; " if note else "") + f"load average {load:.1f} on {os.cpu_count()} CPUs"
        result = Result(
            name=name, kind=kind, runs=len(samples), median_ms=round(statistics.median(samples), 2),
            p95_ms=round(samples[max(0, math.ceil(0.95 * len(samples)) - 1)], 2), min_ms=round(samples[0], 2),
            max_ms=round(samples[-1], 2), target_ms=target_ms,
            rows=round(statistics.mean(rows), 1) if rows else None, note=note,
        )
        self.results.append(result)
        flag = "" if result.ok is None else ("  ok" if result.ok else "  MISSED")
        matched = f", ~{result.rows} rows" if result.rows is not None else ""
        self.log(f"  {name:<58} median {result.median_ms:8.2f} ms  p95 {result.p95_ms:8.2f} ms"
                 f"  ({result.runs} runs{matched}){flag}")
        if self.explain:
            self.explain_one(name, fn)
        return result

    def explain_one(self, name: str, fn: Callable[[int], Any]) -> None:
        """EXPLAIN (ANALYZE, BUFFERS) of every customers query one call of ``fn`` runs."""
        with CaptureQueriesContext(connection) as ctx:
            fn(0)
        for query in ctx.captured_queries:
            sql = query["sql"]
            if "customers_" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
            self.plans.append(f"### {name}\n{sql}\n\n{plan}\n")

    # -- the users --------------------------------------------------------------------------------------
    def agents(self, n: int = 20) -> list:
        step = max(1, len(self.org.agents) // n)
        return self.org.agents[::step][:n]

    @staticmethod
    def fresh(user):
        """A fresh user object per call, as each request gets one (so scope queries count)."""
        from kefu.org.models import User

        return User.objects.get(pk=user.pk)

    @staticmethod
    def client_for(user) -> Client:
        from kefu.org.tokens import issue_token

        _token, secret = issue_token(user=user, name="bench")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    # -- 1. due list ------------------------------------------------------------------------------------
    def due(self) -> None:
        from kefu.customers import selectors
        from kefu.customers.grading import load_rules

        agents = self.agents()
        on = self.on
        self.log(f"due list for {on.isoformat()} (agents rotate over {len(agents)})")

        def selector(i: int) -> int:
            agent = agents[i % len(agents)]
            page = selectors.DueItemsPage(selectors.due_customers([agent.pk], on), on, load_rules(agent.centre_id))
            items = list(page.all()[0:50])
            assert len(items) <= 50
            return page.all().count()

        self.timed("due list: selector (page of 50 + count)", "due", selector, target_ms=TARGETS_MS["due"])

        clients = [self.client_for(a) for a in agents]
        url = f"/api/v1/followups/due?{urlencode({'date': on.isoformat()})}"

        def http(i: int) -> int:
            response = clients[i % len(clients)].get(url)
            assert response.status_code == 200, response.content[:300]
            return response.json()["count"]

        self.timed("due list: GET /api/v1/followups/due (token, JSON)", "due", http, target_ms=TARGETS_MS["due"])

    def my_day_page(self) -> None:
        """The agent's "my day" page (``/customers/my-day/``) rendered in-process by the test Client with
        a session (force_login), as the browser asks for it: first page of rows, counts, care tasks."""
        from kefu.customers.selectors import due_counts

        agents = self.agents()
        on = self.on
        clients = []
        for agent in agents:
            client = Client()
            client.force_login(agent)
            clients.append(client)
        url = f"/customers/my-day/?{urlencode({'date': on.isoformat()})}"
        due = [due_counts([a.pk], on)["due"] for a in agents]
        sizes: list[int] = []

        def page(i: int) -> int:
            response = clients[i % len(clients)].get(url)
            assert response.status_code == 200, response.content[:300]
            sizes.append(len(response.content))
            return due[i % len(due)]

        self.timed("my day page: GET /customers/my-day/ (session, HTML)", "due", page,
                   target_ms=TARGETS_MS["page"],
                   note=f"~{statistics.mean(due):.0f} due customers per agent")
        self.log(f"    HTML per page: median {statistics.median(sizes) / 1024:.0f} KiB")

    # -- 2. search --------------------------------------------------------------------------------------
    def search_terms(self, n: int = 20, seed: int = 7) -> dict[str, list[str]]:
        rng = random.Random(seed)
        pool = gen.name_pool()
        chinese: list[str] = []
        while len(chinese) < n:
            name = rng.choice(pool)[0]
            if len(name) < 2:
                continue
            start = 0 if len(name) == 2 or rng.random() < 0.5 else 1  # 王伟 (surname + given) or 建国 (given)
            term = name[start:start + 2]
            if term not in chinese:
                chinese.append(term)
        initials = []
        while len(initials) < n:
            term = rng.choice(pool)[2]
            if term not in initials:
                initials.append(term)
        digits = [f"{rng.randrange(10_000):04d}" for _ in range(n)]
        return {"chinese": chinese, "initials": initials, "phone": digits}

    def search(self) -> None:
        from kefu.customers import selectors

        terms = self.search_terms()
        agents = self.agents()
        agent_clients = [self.client_for(a) for a in agents]
        director_client = self.client_for(self.org.director)
        labels = {"chinese": "2-char Chinese substring", "initials": "pinyin initials", "phone": "4 phone tail digits"}
        self.log("customer list with a search (terms rotate over 20 of each kind): "
                 + "; ".join(f"{k}: {', '.join(v[:5])} …" for k, v in terms.items()))
        for kind, qs_terms in terms.items():
            for role, users, clients in (("agent", agents, agent_clients),
                                         ("director", [self.org.director], [director_client])):
                def selector(i: int, users=users, qs_terms=qs_terms) -> int:
                    user = self.fresh(users[i % len(users)])
                    qs = selectors.for_list(selectors.list_customers(
                        user, selectors.CustomerFilters(q=qs_terms[i % len(qs_terms)])))
                    list(qs[:50])
                    return qs.count()

                def http(i: int, clients=clients, qs_terms=qs_terms) -> int:
                    response = clients[i % len(clients)].get(
                        "/api/v1/customers?" + urlencode({"q": qs_terms[i % len(qs_terms)]}))
                    assert response.status_code == 200, response.content[:300]
                    return response.json()["count"]

                self.timed(f"search {labels[kind]}, {role}: selector", "search", selector,
                           target_ms=TARGETS_MS["search"])
                self.timed(f"search {labels[kind]}, {role}: GET /api/v1/customers?q=", "search", http,
                           target_ms=TARGETS_MS["search"])

    # -- 3. import --------------------------------------------------------------------------------------
    def import_xlsx(self, rows: int = 100_000) -> None:
        try:
            from kefu.customers import importing
        except ImportError:
            self.log("import: kefu.customers.importing is not there yet — not measured")
            self.results.append(Result("import xlsx", "import", 0, 0, 0, 0, 0, IMPORT_TARGET_S * 1000,
                                       note="importer missing"))
            return
        from django.core.files.uploadedfile import SimpleUploadedFile

        from kefu.customers.models import Customer, ImportJob

        t0 = time.perf_counter()
        content = self.xlsx(importing, rows)
        build_s = time.perf_counter() - t0
        self.log(f"import: {rows:,}-row xlsx built in {build_s:.1f} s ({len(content) / 1e6:.1f} MB); importing as "
                 "the director (shop and owner columns)")
        before = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        upload = SimpleUploadedFile("bench-import.xlsx", content, content_type=importing.XLSX_TYPE)
        t0 = time.perf_counter()
        # start_import queues the Huey task after the commit; we run the job here, timed, instead.
        with mock.patch.object(importing, "run_import_task", lambda job_id: None):
            job = importing.start_import(actor=self.fresh(self.org.director), uploaded_file=upload)
        t1 = time.perf_counter()
        job = importing.run_import(job.pk)
        t2 = time.perf_counter()
        ok = job.status == ImportJob.Status.DONE and job.created_count == rows
        seconds = t2 - t0
        note = (f"status {job.status}, {job.created_count} created, {job.skipped_count} skipped; "
                f"start_import {t1 - t0:.1f} s + run_import {t2 - t1:.1f} s")
        self.results.append(Result(f"import {rows:,} rows from xlsx (start_import + run_import)", "import", 1,
                                   round(seconds * 1000, 1), round(seconds * 1000, 1), round(seconds * 1000, 1),
                                   round(seconds * 1000, 1), IMPORT_TARGET_S * 1000, rows=job.created_count,
                                   note=note if ok else "FAILED: " + note + " " + job.message))
        self.log(f"  import: {seconds:.1f} s ({note}){'  ok' if ok and seconds < IMPORT_TARGET_S else '  MISSED'}")
        removed = remove_customers_after(before)
        self.log(f"  removed the {removed:,} imported customers again")

    def xlsx(self, importing, rows: int, seed: int = 11) -> bytes:
        """A file in the template's layout (its headers, in its order) with ``rows`` valid rows for the
        bench shops, owners among the agents serving each shop, unique phone numbers."""
        from openpyxl import Workbook

        rng = random.Random(seed)
        surnames = [t.rstrip("0123456789") for t in gen.SURNAMES.split()]
        given = list(dict.fromkeys(gen.GIVEN))
        shop_agents: dict[str, list[str]] = {}
        agents_by_team: dict[int, list[str]] = {}
        for agent in self.org.agents:
            agents_by_team.setdefault(agent.team_id, []).append(agent.username)
        codes = {s.pk: s.code for s in self.org.shops}
        for team_id, shop_ids in self.org.team_shops.items():
            for shop_id in shop_ids:
                shop_agents.setdefault(codes[shop_id], []).extend(agents_by_team.get(team_id, []))
        shop_codes = sorted(shop_agents)
        today = self.on
        need_labels = list(importing.NEED_LABELS.values())
        deal_labels = list(importing.DEAL_LABELS.values())
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("客户")
        sheet.append([c.header for c in importing.COLUMNS])
        used_phones: set[str] = set()
        from kefu.core.phones import MOBILE_PREFIXES

        mobile_ranges = sorted(p for p in MOBILE_PREFIXES if len(p) == 3)  # the import refuses others
        for i in range(rows):
            shop = rng.choice(shop_codes)
            phone = ""
            while not phone or phone in used_phones:
                phone = f"{rng.choice(mobile_ranges)}{rng.randrange(10**8):08d}"  # allocated ranges only
            used_phones.add(phone)
            need = rng.choice(need_labels)
            values = {
                "name": rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2)))),
                "phones": phone,
                "email": f"imp{i}@example.com" if rng.random() < 0.3 else None,
                "shop": shop,
                "owner": rng.choice(shop_agents[shop]),
                "need_status": need,
                "deal_status": rng.choice(deal_labels),
                "expected_close_date": today + dt.timedelta(days=rng.randint(1, 300)) if need == "目标" else None,
                "expected_amount": rng.choice([None, 5000, 20000, 150000]),
                "birthday": dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                "gender": rng.choice(["男", "女", None]),
                "region": rng.choice(gen.REGIONS),
                "occupation": rng.choice([None, *gen.OCCUPATIONS]),
                "source_channel": rng.choice(gen.CHANNELS),
                "wechat": None, "address": None,
                "tags": "；".join(rng.sample(gen.TAGS, rng.randint(0, 2))) or None,
                "preferences": None,
                "notes": rng.choice([None, None, None, *gen.NOTES]),
                "grade": None, "grade_reason": None,
            }
            sheet.append([values.get(c.key) for c in importing.COLUMNS])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    # -- output ---------------------------------------------------------------------------------------
    def table(self) -> str:
        lines = [f"{'measurement':<66} {'median':>10} {'p95':>10} {'target':>9}  result",
                 "-" * 106]
        for r in self.results:
            if r.kind == "import":
                median, p95 = f"{r.median_ms / 1000:.1f} s", ""
                target = f"{r.target_ms / 1000:.0f} s"
            else:
                median, p95 = f"{r.median_ms:.1f} ms", f"{r.p95_ms:.1f} ms"
                target = f"{r.target_ms:.0f} ms" if r.target_ms else ""
            verdict = "n/a" if r.runs == 0 else ("ok" if r.ok else "MISSED")
            lines.append(f"{r.name:<66} {median:>10} {p95:>10} {target:>9}  {verdict}")
        return "\n".join(lines)


def remove_customers_after(last_id: int) -> int:
    """Delete the customers with ids above ``last_id`` and what hangs off them (the imported ones)."""
    from kefu.customers.models import Customer

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM customers_customer WHERE id > %s", [last_id])
        n = cur.fetchone()[0]
        if n:
            for rel in Customer._meta.related_objects:
                if rel.related_model._meta.db_table == Customer._meta.db_table:
                    continue
                table = rel.related_model._meta.db_table
                column = rel.field.column
                cur.execute(f'DELETE FROM {table} WHERE "{column}" > %s', [last_id])  # noqa: S608 - model metadata
            cur.execute("DELETE FROM customers_customer WHERE id > %s", [last_id])
            cur.execute("SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), %s)", [max(last_id, 1)])
            cur.execute("VACUUM (ANALYZE) customers_customer")
    return n


def server_info() -> dict[str, Any]:
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]
        info = {"postgresql": version}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "lc_ctype",
                     "max_parallel_workers_per_gather", "jit"):
            cur.execute(f"SHOW {name}")
            info[name] = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('customers_customer')), "
                    "pg_size_pretty(pg_total_relation_size('customers_followup')), "
                    "pg_size_pretty(pg_database_size(current_database()))")
        info["size_customers"], info["size_followups"], info["size_database"] = cur.fetchone()
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                    "('customers_customer', 'customers_customerphone', 'customers_customertag') ORDER BY 1")
        info["indexes"] = dict(cur.fetchall())
    return info


def machine_info() -> dict[str, Any]:
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def write_results(bench: Bench, meta: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / "results.json"
    data = {**meta, "results": [{**r.__dict__, "ok": r.ok} for r in bench.results]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    if bench.plans:
        (OUT_DIR / "explain.txt").write_text("\n".join(bench.plans))
    return path


def run_measurements(bench: Bench, *, skip_import: bool = False, import_rows: int = 100_000) -> None:
    """All measurements, as in production: DEBUG off (no query log), ``testserver`` allowed."""
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        bench.due()
        bench.my_day_page()
        bench.search()
        if not skip_import:
            bench.import_xlsx(import_rows)


def search_speed(*, runs: int = 40, warmup: int = 8, kinds: tuple[str, ...] = ("chinese", "initials", "phone"),
                 out=None) -> list[dict[str, Any]]:
    """Customer search through the API (``GET /api/v1/customers?q=``) as 20 rotating agents and as the
    director, on the bench data already in the database (nothing generated, no ``migrate``): per kind of
    term and role the median and p95 wall-clock, and the load-insensitive parts — the median time inside
    the database calls and the median CPU time of this process per request — with the load average
    (bench/notes/customers.md, session 7). ``warmup`` ≥ 6 so that prepared statements run on the plans
    PostgreSQL keeps after five runs. Run as::

        DATABASE_URL=postgres://… .venv/bin/python manage.py shell -c \
            "import sys; from bench.customers import search_speed; search_speed(out=sys.stdout)"
    """
    from kefu.org.models import User

    agents = list(User.objects.filter(username__startswith=f"{gen.PREFIX}agent-").order_by("username"))
    agents = agents[:: max(1, len(agents) // 20)][:20]
    director = User.objects.get(username=f"{gen.PREFIX}director")
    terms = Bench(org=None, on=None).search_terms()  # type: ignore[arg-type]
    rows: list[dict[str, Any]] = []
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        for kind in kinds:
            for role, users in (("agent", agents), ("director", [director])):
                clients = [Bench.client_for(u) for u in users]
                walls, sqls, cpus, counts, queries = [], [], [], [], []
                for i in range(warmup + runs):
                    q = terms[kind][i % len(terms[kind])]
                    timer = _SqlTimer()
                    with connection.execute_wrapper(timer):
                        t0, c0 = time.perf_counter(), time.process_time()
                        response = clients[i % len(clients)].get("/api/v1/customers?" + urlencode({"q": q}))
                        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                    assert response.status_code == 200, response.content[:300]  # noqa: S101 - a benchmark's check
                    if i >= warmup:
                        walls.append(wall * 1000)
                        sqls.append(timer.seconds * 1000)
                        cpus.append(cpu * 1000)
                        counts.append(response.json()["count"])
                        queries.append(timer.queries)
                walls.sort()
                row = {"kind": kind, "role": role, "runs": runs, "median_ms": round(statistics.median(walls), 1),
                       "p95_ms": round(walls[max(0, math.ceil(0.95 * runs) - 1)], 1),
                       "sql_ms": round(statistics.median(sqls), 1), "cpu_ms": round(statistics.median(cpus), 1),
                       "queries": max(queries), "count": round(statistics.mean(counts)),
                       "load": round(os.getloadavg()[0], 1)}
                rows.append(row)
                if out is not None:
                    out.write(f"{kind:<9} {role:<9} median {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
                              f"SQL {row['sql_ms']:6.1f} ms  CPU {row['cpu_ms']:5.1f} ms  {row['queries']} queries  "
                              f"count ~{row['count']}  load {row['load']}\n")
                    out.flush()
    return rows


class _SqlTimer:
    """``connection.execute_wrapper``: the time spent in database calls and their number."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1

