"""Quality inspection speed targets on the ticket benchmark data (``manage.py bench_quality``, issue 11).

Data: the bench organisation and its tickets (``bench_tickets``: 2 000 000 tickets, 500 agents in 50 teams of
the service department 性能测试客服部); this module adds only quality rows, in a way ``--reuse`` runs again
(nothing of the bench's tickets or customers is changed):

- three QA inspectors and a department head of that department (usernames ``qabench-…``);
- the automatic checks' result of every ticket with a public reply, as the hook leaves it: a ``TicketCheck``
  per ticket, ~12 % of them flagged with one or two ``CheckFlag`` rows (forbidden phrase, greeting missing);
- reviews in the measured month (the last full month) of one ticket each for the first 50 agents, so that
  450 agents are below the monthly quota (``quality.reviews_per_month.min`` = 1).

Measured (median and 95th percentile of N runs after warm-up, load average beside each; ``DEBUG`` off):

(a) the automatic checks on one public reply — the hook path, ``autocheck_services.on_ticket_event`` on a
    ticket of the month with its real timeline (2–6 events, replies in Chinese), each run in a transaction
    rolled back; target < 5 ms;
(b) drawing the month's sample for the 500 agents (quota 1, stratified by type and channel, risk-weighted):
    ``selectors.sample`` as the inspector's desk calls it, as a QA inspector (scope: the department's 100
    shops), a different seed each run; target < 2 s;
(c) the inspector's desk: ``GET /quality/desk/?month=…`` through the Django test client as the QA inspector,
    for the measured month and for this month, and its selectors (quota, flagged list, recent reviews);
    target < 100 ms. The desk shows the sample through its own HTMX request (``/quality/desk/sample/``),
    measured too: with a new seed each run (drawn: against the sample's 2 s) and again with one seed (the draw
    kept by the first visit, ``kefu.quality.sample_selectors``: against the desk's 100 ms).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from bench import generate as gen
from bench.customers import Bench, machine_info

OUT_DIR = Path(__file__).resolve().parent / "out"
PREFIX = "qabench-"
TARGETS_MS = {"autocheck": 5.0, "sample": 2000.0, "desk": 100.0}
REVIEWED_AGENTS = 50
FLAGGED_PERCENT = 12


def _log(out, message: str) -> None:
    if out is not None:
        out.write(message + "\n")
        out.flush()


def measured_month(today: dt.date) -> dt.date:
    """The last full month (the desk's heaviest month: every agent's tickets of a whole month)."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass
class QualityPeople:
    qa: list[Any]
    head: Any


@transaction.atomic
def ensure_people(org: gen.BenchOrg) -> QualityPeople:
    from kefu.org.models import User, UserRole
    from kefu.org.roles import Role

    department_id = org.agents[0].department_id
    wanted = [(f"{PREFIX}qa-{n:02d}", f"性能质检{n:02d}", Role.QA) for n in (1, 2, 3)]
    wanted.append((f"{PREFIX}head", "性能部长", Role.HEAD))
    existing = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    unusable = make_password(None)
    User.objects.bulk_create([User(username=u, display_name=d, centre_id=org.centre_id, department_id=department_id,
                                   password=unusable, email=f"{u}@example.com")
                              for u, d, _r in wanted if u not in existing])
    people = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    have = set(UserRole.objects.filter(user__in=people.values()).values_list("user_id", "role"))
    UserRole.objects.bulk_create([UserRole(user=people[u], role=r) for u, _d, r in wanted
                                  if (people[u].pk, r) not in have])
    return QualityPeople(qa=[people[w[0]] for w in wanted[:3]], head=people[f"{PREFIX}head"])


def ensure_checks(out=None) -> dict[str, int]:
    """A TicketCheck per bench ticket with a public reply (~12 % flagged) and the flags: INSERT … SELECT,
    skipped for tickets that already have one."""
    import time

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM quality_ticketcheck")
        before = cur.fetchone()[0]
        if before < 1_000_000:
            _log(out, "automatic check results for every ticket with a public reply …")
            cur.execute(f"""
                INSERT INTO quality_ticketcheck (ticket_id, centre_id, agent_id, score, flagged, results, checked_at)
                SELECT t.id, s.centre_id, t.owner_id,
                       CASE WHEN (t.id * 2654435761) %% 100 < {FLAGGED_PERCENT} THEN 70 ELSE 100 END,
                       (t.id * 2654435761) %% 100 < {FLAGGED_PERCENT}, '{{}}'::jsonb,
                       COALESCE(t.resolved_at, t.first_responded_at, t.created_at + interval '10 minutes')
                FROM tickets_ticket t JOIN org_shop s ON s.id = t.shop_id
                WHERE s.code LIKE %s AND EXISTS (SELECT 1 FROM tickets_ticketevent e
                                                 WHERE e.ticket_id = t.id AND e.kind = 'reply' AND e.public)
                ON CONFLICT (ticket_id) DO NOTHING""", [f"{gen.PREFIX}%"])  # noqa: S608 - constants only
            cur.execute("""
                INSERT INTO quality_checkflag (check_result_id, kind, detail, raised_at)
                SELECT c.id, 'forbidden', '不知道', c.checked_at FROM quality_ticketcheck c
                WHERE c.flagged AND c.ticket_id % 3 <> 0
                  AND NOT EXISTS (SELECT 1 FROM quality_checkflag f WHERE f.check_result_id = c.id)""")
            cur.execute("""
                INSERT INTO quality_checkflag (check_result_id, kind, detail, raised_at)
                SELECT c.id, 'greeting', '', c.checked_at FROM quality_ticketcheck c
                WHERE c.flagged AND c.ticket_id % 2 = 0
                  AND NOT EXISTS (SELECT 1 FROM quality_checkflag f WHERE f.check_result_id = c.id
                                  AND f.kind = 'greeting')""")
            cur.execute("VACUUM (ANALYZE) quality_ticketcheck")  # the visibility map: index-only scans
            cur.execute("VACUUM (ANALYZE) quality_checkflag")
        cur.execute("SELECT count(*), count(*) FILTER (WHERE flagged) FROM quality_ticketcheck")
        checks, flagged = cur.fetchone()
        cur.execute("SELECT count(*) FROM quality_checkflag")
        flags = cur.fetchone()[0]
    _log(out, f"  {checks:,} check results, {flagged:,} flagged, {flags:,} flags "
              f"({time.perf_counter() - started:.1f} s)")
    return {"ticketcheck": checks, "flagged": flagged, "checkflag": flags}


@transaction.atomic
def ensure_reviews(org: gen.BenchOrg, people: QualityPeople, month: dt.date) -> int:
    """One review in ``month`` for each of the first ``REVIEWED_AGENTS`` agents (their first ticket of the
    month), scored by the bench QA inspectors on the default scorecard; kept when there already."""
    from kefu.quality import selectors, services
    from kefu.quality.models import Review, ReviewScore
    from kefu.tickets.models import Ticket

    start, end = selectors.month_bounds(month)
    done = set(Review.objects.filter(inspector__username__startswith=PREFIX, created_at__gte=start,
                                     created_at__lt=end).values_list("agent_id", flat=True))
    card = selectors.default_scorecard()
    items = list(card.items.all())
    made = 0
    for n, agent in enumerate(org.agents[:REVIEWED_AGENTS]):
        if agent.pk in done:
            continue
        ticket = (Ticket.objects.filter(owner_id=agent.pk, created_at__gte=start, created_at__lt=end)
                  .order_by("created_at").first())
        if ticket is None:
            continue
        points = {i.code: i.weight - (n % 3) * (i.weight // 5) for i in items if not i.critical}
        score, failed = services.total(points, set())
        review = Review.objects.create(
            centre_id=org.centre_id, ticket=ticket, agent=agent, team_id=agent.team_id,
            inspector=people.qa[n % len(people.qa)], scorecard=card, score=score, original_score=score,
            failed=failed, comment="性能测试质检", created_at=ticket.created_at + dt.timedelta(days=2))
        ReviewScore.objects.bulk_create([ReviewScore(review=review, item=i, points=points.get(i.code, 0))
                                         for i in items])
        made += 1
    return made


@dataclass
class QualityBench(Bench):
    people: QualityPeople | None = None
    month: dt.date | None = None
    sample_runs: int = 15
    extra: dict[str, Any] = field(default_factory=dict)

    def explain_one(self, name: str, fn) -> None:
        with CaptureQueriesContext(connection) as ctx:
            fn(0)
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or ("quality_" not in sql and "tickets_" not in sql):
                continue
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
            self.plans.append(f"### {name}\n{sql}\n\n{plan}\n")

    # -- (a) the automatic checks on a reply --------------------------------------------------------------
    def autocheck(self) -> None:
        from kefu.quality import selectors
        from kefu.quality.autocheck_services import on_ticket_event
        from kefu.tickets.models import Ticket

        start, end = selectors.month_bounds(self.month)
        with connection.cursor() as cur:
            cur.execute("""SELECT e.ticket_id FROM tickets_ticketevent e
                           JOIN tickets_ticket t ON t.id = e.ticket_id
                           WHERE t.created_at >= %s AND t.created_at < %s AND e.kind = 'reply' AND e.public
                           GROUP BY e.ticket_id HAVING count(*) >= 2 ORDER BY e.ticket_id LIMIT 200""",
                        [start, end])
            ids = [r[0] for r in cur.fetchall()]
        replies = (Ticket.objects.filter(pk__in=ids).count(), len(ids))
        self.log(f"(a) the automatic checks on one public reply (hook path), over {replies[1]} tickets with ≥ 2 "
                 "public replies, each run rolled back")

        def run(i: int) -> None:
            with transaction.atomic():
                on_ticket_event(ticket_id=ids[i % len(ids)])
                transaction.set_rollback(True)

        self.timed("automatic checks on one public reply (hook)", "autocheck", run,
                   target_ms=TARGETS_MS["autocheck"])

    # -- (b) the month's sample ----------------------------------------------------------------------------
    def sample(self) -> None:
        from kefu.quality import selectors

        qa = self.people.qa[0]
        below = len(selectors.below_quota(qa, self.month))
        self.log(f"(b) the sample of {self.month:%Y-%m} for the QA inspector's 500 agents ({below} below quota)")
        sizes: list[int] = []

        def run(i: int) -> int:
            user = type(qa).objects.get(pk=qa.pk)
            drawn = selectors.sample(user, self.month, seed=f"bench-{i}")
            sizes.append(len(drawn))
            return len(drawn)

        runs, self.runs = self.runs, self.sample_runs
        warmup, self.warmup = self.warmup, 1
        try:
            self.timed(f"drawing the month's sample ({self.month:%Y-%m}, 500 agents)", "sample", run,
                       target_ms=TARGETS_MS["sample"])
        finally:
            self.runs, self.warmup = runs, warmup

    # -- (c) the inspector's desk ----------------------------------------------------------------------------
    def desk(self) -> None:
        from kefu.quality import autocheck_selectors, selectors

        qa = self.people.qa[0]
        client = Client()
        client.force_login(qa)
        this = selectors.this_month()
        self.log("(c) the inspector's desk as a QA inspector of the department (100 shops, 500 agents)")
        for label, month in ((f"{self.month:%Y-%m}", self.month), (f"{this:%Y-%m} (this month)", this)):
            url = f"/quality/desk/?month={month:%Y-%m}"

            def page(i: int, url=url) -> None:
                response = client.get(url)
                assert response.status_code == 200, response.status_code  # noqa: S101 - a bench check

            self.timed(f"desk page GET {url} [{label}]", "desk", page, target_ms=TARGETS_MS["desk"])

        url = f"/quality/desk/sample/?month={self.month:%Y-%m}"

        def sample_page(i: int) -> None:
            response = client.get(f"{url}&seed=bench-{i}")
            assert response.status_code == 200, response.status_code  # noqa: S101 - a bench check

        runs, warmup, self.runs, self.warmup = self.runs, self.warmup, self.sample_runs, 1
        try:
            self.timed(f"desk's sample (HTMX) GET {url}&seed=… (a new seed each run: drawn)", "sample", sample_page,
                       target_ms=TARGETS_MS["sample"])
        finally:
            self.runs, self.warmup = runs, warmup

        def kept_page(i: int) -> None:  # the same seed: the draw kept by the first visit (sample_selectors)
            response = client.get(f"{url}&seed=bench-kept")
            assert response.status_code == 200, response.status_code  # noqa: S101 - a bench check

        self.timed(f"desk's sample (HTMX) GET {url}&seed=bench-kept (the kept draw)", "desk", kept_page,
                   target_ms=TARGETS_MS["desk"])

        def fresh():
            return type(qa).objects.get(pk=qa.pk)

        self.timed("desk selector: quota (500 agents)", "desk",
                   lambda i: len(selectors.quota(fresh(), self.month)), target_ms=TARGETS_MS["desk"])
        self.timed("desk selector: flagged tickets not reviewed (50)", "desk",
                   lambda i: len(autocheck_selectors.flagged_tickets(fresh())), target_ms=TARGETS_MS["desk"])
        self.timed("desk selector: recent reviews (10)", "desk",
                   lambda i: len(list(selectors.reviews(fresh())[:10])), target_ms=TARGETS_MS["desk"])


def run_measurements(bench: QualityBench, *, only: str = "") -> dict[str, int]:
    wanted = {w.strip() for w in only.split(",") if w.strip()} or {"autocheck", "sample", "desk"}
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    queries: dict[str, int] = {}
    with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts):
        for name in ("autocheck", "sample", "desk"):
            if name in wanted:
                getattr(bench, name)()
    return queries


def write_results(bench: QualityBench, meta: dict[str, Any]) -> Path:
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / "quality.json"
    data = {**meta, "machine": machine_info(), "loadavg_end": os.getloadavg(),
            "results": [{**r.__dict__, "ok": r.ok} for r in bench.results]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    if bench.plans:
        (OUT_DIR / "explain_quality.txt").write_text("\n".join(bench.plans))
    return path


def table(bench: QualityBench) -> str:
    lines = ["| measurement | median | p95 | runs | target | verdict | load avg (1 min) |", "|---|---|---|---|---|---|---|"]
    for r in bench.results:
        load = r.note.rsplit("load average ", 1)[-1].split(" ")[0] if "load average" in r.note else ""
        verdict = "ok" if r.ok else "MISSED"
        lines.append(f"| {r.name} | {r.median_ms:.2f} ms | {r.p95_ms:.2f} ms | {r.runs} | < {r.target_ms:.0f} ms "
                     f"| {verdict} | {load} |")
    return "\n".join(lines)


def today() -> dt.date:
    return timezone.localdate()
