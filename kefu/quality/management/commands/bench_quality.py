"""``manage.py bench_quality``: the quality inspection speed targets on the ticket benchmark data (issue 11):
the automatic checks on a reply, the month's sample for 500 agents and the inspector's desk. See bench/quality.py.
Writes bench/out/quality.json (and bench/out/explain_quality.txt with ``--explain``).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = ("Measure the quality inspection speed targets on the ticket benchmark data (bench_tickets first). "
            "Adds QA inspectors, check results and reviews of the bench; --reuse keeps those already there.")

    def add_arguments(self, parser):
        parser.add_argument("--reuse", action="store_true",
                            help="Keep the quality rows already there (they are only added where missing anyway).")
        parser.add_argument("--runs", type=int, default=200, help="Repetitions of the fast measurements.")
        parser.add_argument("--sample-runs", type=int, default=15, help="Repetitions of the sample (default 15).")
        parser.add_argument("--max-seconds", type=float, default=60.0,
                            help="Stop a measurement after this long (at least 20 runs).")
        parser.add_argument("--only", default="", help="Comma-separated subset of autocheck,sample,desk.")
        parser.add_argument("--explain", action="store_true",
                            help="Also write EXPLAIN (ANALYZE, BUFFERS) to bench/out/explain_quality.txt.")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL only: set DATABASE_URL to the benchmark database.")
        from bench import generate as gen
        from bench import quality as qb
        from bench import tickets_generate as tgen
        from kefu.org.models import User

        if not tgen.counts().get("tickets_ticket"):
            raise CommandError("No bench tickets: run bench_tickets first.")
        agents = User.objects.filter(username__startswith=f"{gen.PREFIX}agent-", is_active=True).count() or 500
        org = gen.ensure_org(agents)
        today = timezone.localdate()
        month = qb.measured_month(today)
        started = time.perf_counter()
        people = qb.ensure_people(org)
        data = qb.ensure_checks(self.stdout)
        data["reviews_added"] = qb.ensure_reviews(org, people, month)
        self.stdout.write(f"Quality data ready in {time.perf_counter() - started:.0f} s: {data}")
        bench = qb.QualityBench(org=org, on=today, runs=opts["runs"], max_seconds=opts["max_seconds"],
                                explain=opts["explain"], out=self.stdout, people=people, month=month,
                                sample_runs=opts["sample_runs"])
        qb.run_measurements(bench, only=opts["only"])
        path = qb.write_results(bench, {"when": timezone.now().isoformat(timespec="seconds"), "data": data,
                                        "agents": len(org.agents), "month": f"{month:%Y-%m}"})
        self.stdout.write(qb.table(bench))
        self.stdout.write(f"Results: {path}")
