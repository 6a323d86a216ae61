"""The server's ceiling, creation against it, and the memory of each worker (``manage.py bench_server``,
issue 13).

gunicorn serves ``kefu.wsgi`` with N sync workers (default 4), DEBUG off, on the database in
``DATABASE_URL`` (the bench data set); client threads (default 8) send requests for S seconds each:

1. **ceiling** — ``GET /api/v1/ping``: the token lookup and a tiny JSON answer, nothing written. No API
   request can be served faster by these workers: its throughput is the ceiling.
2. **create** — ``POST /api/v1/tickets`` with the tokens of 20 bench agents (each creates in a shop of
   their team; the ticket is theirs). The created tickets are deleted afterwards (only those: other
   benchmarks may write to the same database at the same time).
3. **mixed** — ping, creation, the agent's open list, a ticket's detail and a customer search in turn;
   then the memory of each worker is read from /proc: RSS (what the target speaks of), PSS (shared pages
   divided among the processes sharing them) and USS (the worker's own pages).

Each configuration runs once without and once with ``--preload`` (the application loaded in the master
before the workers are forked). Results: bench/out/server.json.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.db import connection

OUT_DIR = Path(__file__).resolve().parent / "out"
REPO = Path(__file__).resolve().parent.parent
RATIO_TARGET = 0.60  # creation ≥ 60 % of the ceiling (issue 13)
RSS_TARGET_MIB = 120.0  # resident memory per worker after a mixed run (issue 13)
TITLE_MARK = "压测server"  # the titles of the tickets this benchmark creates (and deletes)
PREFIX = "bench-"
APP_NAME = "kefu-bench-server"
SEARCH_TERMS = ["王伟", "建国", "zs", "lm", "1234", "5678", "丽华", "wj"]


@dataclass
class Caller:
    username: str
    secret: str
    shop: str
    ticket_ids: list[int]


@dataclass
class Phase:
    name: str
    seconds: float
    answers: dict[int, int]
    per_s: float
    median_ms: float
    p95_ms: float
    by_kind: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    load: str = ""
    server_cpu_ms: float | None = None  # CPU of the workers and their PostgreSQL backends per answer


def _log(out, message: str) -> None:
    if out is not None:
        out.write(message + "\n")
        out.flush()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- the callers -------------------------------------------------------------------------------------------
def bench_callers(n: int = 20) -> list[Caller]:
    """``n`` bench agents spread over the bench organisation, each with a new API token, a shop of their
    team and a few of their tickets. Reads the organisation; writes only the tokens."""
    from kefu.org.models import Shop, User
    from kefu.org.tokens import issue_token
    from kefu.tickets.models import Ticket

    agents = list(User.objects.filter(username__startswith=PREFIX + "agent-", is_active=True, team__isnull=False)
                  .order_by("username"))
    if not agents:
        raise RuntimeError("No bench agents in this database: run `manage.py bench_tickets` first.")
    step = max(1, len(agents) // n)
    callers = []
    for agent in agents[::step][:n]:
        shop = Shop.objects.filter(teams=agent.team_id).order_by("code").values_list("code", flat=True).first()
        # the generated tickets (the oldest): tickets other benchmarks create meanwhile may be deleted again
        ids = list(Ticket.objects.filter(owner_id=agent.pk).order_by("pk").values_list("pk", flat=True)[:10])
        if shop is None or not ids:
            continue
        _token, secret = issue_token(user=agent, name="bench_server")
        callers.append(Caller(agent.username, secret, shop, ids))
    if not callers:
        raise RuntimeError("No bench agent owns tickets in a shop of their team.")
    return callers


def drop_tokens() -> int:
    from kefu.org.models import ApiToken

    return ApiToken.objects.filter(name="bench_server", user__username__startswith=PREFIX).delete()[0]


def delete_created(after_id: int) -> int:
    """Delete the tickets this benchmark created (ids above ``after_id``, its title mark) and their rows."""
    from kefu.tickets.models import Ticket

    ids = list(Ticket.objects.filter(pk__gt=after_id, title__startswith=TITLE_MARK).values_list("pk", flat=True))
    if not ids:
        return 0
    with connection.cursor() as cur:
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            for rel in Ticket._meta.related_objects:
                if rel.many_to_many:  # another model's many-to-many field to tickets: its through table
                    table, column = rel.through._meta.db_table, rel.field.m2m_reverse_name()
                else:
                    table, column = rel.related_model._meta.db_table, rel.field.column
                if table == Ticket._meta.db_table:
                    continue
                cur.execute(f'DELETE FROM {table} WHERE "{column}" = ANY(%s)', [chunk])  # noqa: S608
            for m2m in Ticket._meta.many_to_many:
                through = m2m.remote_field.through._meta.db_table
                cur.execute(f"DELETE FROM {through} WHERE from_ticket_id = ANY(%s) OR to_ticket_id = ANY(%s)",  # noqa: S608
                            [chunk, chunk])
            cur.execute("DELETE FROM tickets_ticket WHERE id = ANY(%s)", [chunk])
    return len(ids)


# -- the server --------------------------------------------------------------------------------------------
def server_env(redis_url: str) -> dict[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise RuntimeError("DATABASE_URL must name the PostgreSQL bench database.")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_TEST")}
    env.update(DEBUG="0", SECRET_KEY="bench-only-" + "x" * 40, ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=url,
               LOG_LEVEL="WARNING", REDIS_URL=redis_url, HUEY_NAME="kefu-bench-server",
               PGAPPNAME=APP_NAME)  # libpq: names the workers' backends in pg_stat_activity (server_cpu)
    return env


def start_server(*, port: int, workers: int, preload: bool, env: dict[str, str], extra: tuple[str, ...] = (),
                 app: str = "kefu.wsgi:application") -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "gunicorn"), app, "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *(["--preload"] if preload else []), *extra]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,  # noqa: S603 - ours
                              stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped: " + server.stderr.read().decode()[-2000:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            if len(worker_pids(server.pid)) == workers:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def worker_pids(master: int) -> list[int]:
    try:
        return sorted(int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split())
    except OSError:
        return []


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private clean + dirty) of a process in MiB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in {"Rss", "Pss", "Private_Clean", "Private_Dirty"}:
            out[key] = int(rest.split()[0]) / 1024
    return {"rss": round(out["Rss"], 1), "pss": round(out["Pss"], 1),
            "uss": round(out["Private_Clean"] + out["Private_Dirty"], 1)}


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its threads included), seconds; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(master: int) -> dict[int, float]:
    """CPU seconds used so far by each gunicorn worker and each of their PostgreSQL backends (found by
    their application name; the server runs on this machine), by process id. Unlike the rates, this does
    not depend much on what else the machine is doing: the load-insensitive cost of a request."""
    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
        backends = [row[0] for row in cur.fetchall()]
    return {p: _cpu_seconds(p) for p in (*worker_pids(master), *backends)}


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two :func:`server_cpu` readings (``after``: the last reading of each process
    seen, taken every half second): a process new since the first counts whole; one gone (a database
    connection closed after its maximum age) counts up to its last reading."""
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items())


# -- the load ----------------------------------------------------------------------------------------------
Request = tuple[str, str, str, bytes | None, dict[str, str], int]  # kind, method, path, body, headers, status


def ping_request(callers: list[Caller], w: int, n: int) -> Request:
    caller = callers[(w + n * 7) % len(callers)]
    return "ping", "GET", "/api/v1/ping", None, {"Authorization": f"Bearer {caller.secret}"}, 200


def create_request(callers: list[Caller], w: int, n: int) -> Request:
    caller = callers[(w + n * 7) % len(callers)]
    body = json.dumps({"type": "consultation", "channel": "hotline", "shop": caller.shop,
                       "title": f"{TITLE_MARK}{w}-{n} 咨询保修政策", "description": "客户来电咨询延保服务",
                       "caller_phone": f"139{w:04d}{n % 10000:04d}"}).encode()
    return ("create", "POST", "/api/v1/tickets", body,
            {"Authorization": f"Bearer {caller.secret}", "Content-Type": "application/json"}, 201)


def mixed_request(callers: list[Caller], w: int, n: int) -> Request:
    caller = callers[(w + n * 7) % len(callers)]
    auth = {"Authorization": f"Bearer {caller.secret}"}
    kind = (w + n) % 5
    if kind == 0:
        return ping_request(callers, w, n)
    if kind == 1:
        return create_request(callers, w, n)
    if kind == 2:
        return "list", "GET", "/api/v1/tickets?owner=me&open_only=true", None, auth, 200
    if kind == 3:
        return "detail", "GET", f"/api/v1/tickets/{caller.ticket_ids[n % len(caller.ticket_ids)]}", None, auth, 200
    term = SEARCH_TERMS[n % len(SEARCH_TERMS)]
    return "customer search", "GET", "/api/v1/customers?" + urlencode({"q": term}), None, auth, 200


def drive(*, port: int, threads: int, seconds: float, make: Callable[[int, int], Request],
          warmup: float = 2.0, name: str = "", cpu: Callable[[], dict[int, float]] | None = None) -> Phase:
    """``threads`` client threads send ``make(w, n)`` requests (a new connection each: gunicorn's sync
    workers close it after the answer) for ``seconds``, after ``warmup`` seconds not counted."""
    answers: dict[int, int] = {}
    latencies: list[float] = []
    kinds: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = [0.0]
    counting = [False]

    def worker(w: int) -> None:
        n = 0
        while time.perf_counter() < stop_at[0]:
            kind, method, path, body, headers, expected = make(w, n)
            n += 1
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
                status = response.status
            except OSError as exc:
                status, payload = 0, str(exc).encode()
            elapsed = (time.perf_counter() - t0) * 1000
            if not counting[0]:
                continue
            with lock:
                answers[status] = answers.get(status, 0) + 1
                if status == expected:
                    latencies.append(elapsed)
                    kinds.setdefault(kind, []).append(elapsed)
                elif len(errors) < 5:
                    errors.append(f"{kind} {status}: {payload[:200]!r}")

    def run(duration: float) -> float:
        started = time.perf_counter()
        stop_at[0] = started + duration
        pool = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        return time.perf_counter() - started

    if warmup:
        run(warmup)
    counting[0] = True
    cpu_before = cpu() if cpu else {}
    seen: dict[int, float] = dict(cpu_before)
    sampling = threading.Event()

    def sample() -> None:  # every half second: a backend closed meanwhile is missed for half a second at most
        from django.db import connections

        try:
            while not sampling.wait(0.5):
                seen.update(cpu())
        finally:
            connections.close_all()

    sampler = threading.Thread(target=sample) if cpu else None
    if sampler:
        sampler.start()
    elapsed = run(seconds)
    if sampler:
        sampling.set()
        sampler.join()
        seen.update(cpu())
    cpu_spent = cpu_between(cpu_before, seen) if cpu else None
    latencies.sort()
    ok = len(latencies)
    return Phase(
        name=name, seconds=round(elapsed, 2), answers=dict(sorted(answers.items())), per_s=round(ok / elapsed, 1),
        median_ms=round(statistics.median(latencies), 2) if latencies else 0.0,
        p95_ms=round(latencies[max(0, int(0.95 * ok) - 1)], 2) if latencies else 0.0,
        by_kind={k: round(statistics.median(v), 2) for k, v in sorted(kinds.items())},
        errors=errors, load=loadavg(),
        server_cpu_ms=round(1000 * cpu_spent / sum(answers.values()), 2) if cpu_spent and answers else None)


# -- one configuration -------------------------------------------------------------------------------------
def measure_config(*, preload: bool, callers: list[Caller], env: dict[str, str], port: int, workers: int,
                   threads: int, seconds: float, repeats: int, out=None, extra: tuple[str, ...] = (),
                   app: str = "kefu.wsgi:application") -> dict:
    from kefu.tickets.models import Ticket

    label = app + (" --preload" if preload else ", no preload") + (f" {' '.join(extra)}" if extra else "")
    _log(out, f"gunicorn {workers} sync workers, {label}, {threads} client threads, {seconds:.0f} s per phase")
    before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    server = start_server(port=port, workers=workers, preload=preload, env=env, extra=extra, app=app)
    result: dict[str, Any] = {"app": app, "preload": preload, "extra": list(extra), "workers": workers,
                              "threads": threads}
    try:
        master = server.pid
        result["memory_idle"] = {"master": memory(master), "workers": [memory(p) for p in worker_pids(master)]}
        pings, creates = [], []

        def cpu() -> dict[int, float]:
            return server_cpu(master)

        for r in range(repeats):
            pings.append(drive(port=port, threads=threads, seconds=seconds, name="ping", cpu=cpu,
                               make=lambda w, n: ping_request(callers, w, n)))
            _log(out, f"  ceiling (ping) run {r + 1}: {pings[-1].per_s}/s, median {pings[-1].median_ms} ms, "
                      f"server CPU {pings[-1].server_cpu_ms} ms/answer (load {pings[-1].load}) {pings[-1].answers}")
            creates.append(drive(port=port, threads=threads, seconds=seconds, name="create", cpu=cpu,
                                 make=lambda w, n: create_request(callers, w, n)))
            _log(out, f"  create run {r + 1}: {creates[-1].per_s}/s, median {creates[-1].median_ms} ms, "
                      f"server CPU {creates[-1].server_cpu_ms} ms/answer (load {creates[-1].load}) "
                      f"{creates[-1].answers}" + (f" errors: {creates[-1].errors}" if creates[-1].errors else ""))
        ceiling = statistics.median(p.per_s for p in pings)
        create = statistics.median(c.per_s for c in creates)
        # the load of a shared machine changes from one run to the next: each creation run is compared with
        # the ceiling run just before it, and the median of those ratios taken
        pair_ratios = [c.per_s / p.per_s for p, c in zip(pings, creates, strict=True) if p.per_s]
        ping_cpu = [p.server_cpu_ms for p in pings if p.server_cpu_ms]
        create_cpu = [c.server_cpu_ms for c in creates if c.server_cpu_ms]
        cpu_ratio = (statistics.median(ping_cpu) / statistics.median(create_cpu)) if ping_cpu and create_cpu else None
        mixed = drive(port=port, threads=threads, seconds=seconds, name="mixed",
                      make=lambda w, n: mixed_request(callers, w, n))
        _log(out, f"  mixed: {mixed.per_s}/s, medians {mixed.by_kind} (load {mixed.load}) {mixed.answers}"
                  + (f" errors: {mixed.errors}" if mixed.errors else ""))
        after = {"master": memory(master), "workers": [memory(p) for p in worker_pids(master)]}
        rss = [m["rss"] for m in after["workers"]]
        result.update(
            ceiling_per_s=ceiling, create_per_s=create, ratio=round(create / ceiling, 3) if ceiling else None,
            ratio_ok=bool(ceiling) and create / ceiling >= RATIO_TARGET,
            pair_ratios=[round(r, 3) for r in pair_ratios],
            pair_ratio_median=round(statistics.median(pair_ratios), 3) if pair_ratios else None,
            ping_server_cpu_ms=statistics.median(ping_cpu) if ping_cpu else None,
            create_server_cpu_ms=statistics.median(create_cpu) if create_cpu else None,
            cpu_ratio=round(cpu_ratio, 3) if cpu_ratio else None,
            pings=[p.__dict__ for p in pings], creates=[c.__dict__ for c in creates], mixed=mixed.__dict__,
            memory_after_mixed=after, worker_rss_max=max(rss), worker_rss_ok=max(rss) <= RSS_TARGET_MIB,
        )
        _log(out, f"  ceiling {ceiling}/s, creation {create}/s = {100 * create / ceiling:.0f} % "
                  f"(target ≥ {100 * RATIO_TARGET:.0f} %); run by run "
                  + ", ".join(f"{100 * r:.0f} %" for r in pair_ratios)
                  + (f" (median {100 * statistics.median(pair_ratios):.0f} %)" if pair_ratios else ""))
        if cpu_ratio:
            _log(out, f"  server CPU per answer (workers + their PostgreSQL backends): ping "
                      f"{statistics.median(ping_cpu):.2f} ms, creation {statistics.median(create_cpu):.2f} ms: "
                      f"{100 * cpu_ratio:.0f} % as many creations as pings per CPU second")
        _log(out, "  memory after the mixed run (MiB): master " + _mem(after["master"]) + "; workers "
                  + "; ".join(_mem(m) for m in after["workers"]) + f" (target RSS ≤ {RSS_TARGET_MIB:.0f})")
    finally:
        stop_server(server)
        removed = delete_created(before)
        _log(out, f"  removed the {removed:,} tickets created")
    return result


def _mem(m: dict[str, float]) -> str:
    return f"RSS {m['rss']:.0f} / PSS {m['pss']:.0f} / USS {m['uss']:.0f}"


def run(*, workers: int = 4, threads: int = 8, seconds: float = 15.0, repeats: int = 3, port: int = 8790,
        redis_url: str = "redis://127.0.0.1:6380/11", preload: str = "both", extra: tuple[str, ...] = (),
        app: str = "kefu.wsgi:application", out=None) -> dict:
    env = server_env(redis_url)
    callers = bench_callers()
    _log(out, f"{len(callers)} bench agents call the API (tokens issued); load average {loadavg()}")
    modes = {"both": (False, True), "yes": (True,), "no": (False,)}[preload]
    configs = []
    try:
        for mode in modes:
            configs.append(measure_config(preload=mode, callers=callers, env=env, port=port, workers=workers,
                                          threads=threads, seconds=seconds, repeats=repeats, out=out, extra=extra,
                                          app=app))
    finally:
        drop_tokens()
        _drop_queue(redis_url)
    return {"configs": configs, "targets": {"ratio": RATIO_TARGET, "worker_rss_mib": RSS_TARGET_MIB},
            "cpus": os.cpu_count()}


def _drop_queue(redis_url: str) -> None:
    """The Huey tasks the created tickets queued (no consumer runs for this queue name)."""
    try:
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match="*kefu-bench-server*"):
            client.delete(key)
    except Exception:  # noqa: BLE001, S110 - best effort: the queue name is the benchmark's own
        pass


def write(data: dict) -> Path:
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / "server.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return path
