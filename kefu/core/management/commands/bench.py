"""``manage.py bench``: generate a large customer archive on PostgreSQL and measure the speed targets.

See bench/README.md. Writes bench/out/results.json (and bench/out/explain.txt with ``--explain``).
"""

from __future__ import annotations

import datetime as dt
import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = ("Generate customers and follow-ups on PostgreSQL and measure the due list, the customer search "
            "and the xlsx import (bench/README.md). Needs DATABASE_URL pointing at a dedicated database.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--followups", type=int, default=5_000_000)
        parser.add_argument("--agents", type=int, default=200)
        parser.add_argument("--reuse", action="store_true",
                            help="Keep the data set already there when it has the requested size.")
        parser.add_argument("--runs", type=int, default=200, help="Repetitions per measurement (default 200).")
        parser.add_argument("--max-seconds", type=float, default=60.0,
                            help="Stop a measurement after this long (at least 20 runs).")
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--skip-import", action="store_true")
        parser.add_argument("--generate-only", action="store_true")
        parser.add_argument("--explain", action="store_true",
                            help="Also write EXPLAIN (ANALYZE, BUFFERS) of every query to bench/out/explain.txt.")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark runs on PostgreSQL only: the targets are about PostgreSQL with a million customers "
                "(its query plans and indexes, e.g. pg_trgm and pattern-ops indexes that SQLite does not have), and "
                "the data is generated with PostgreSQL's generate_series and COPY. Set DATABASE_URL to a dedicated "
                "PostgreSQL database, e.g. DATABASE_URL=postgres://kefu:…@127.0.0.1:5432/kefu_bench make bench."
            )
        if opts["customers"] < 1000 or opts["agents"] < 1 or opts["followups"] < 0:
            raise CommandError("Use at least 1000 customers, 1 agent and 0 follow-ups.")

        from bench import customers as measure
        from bench import generate as gen

        call_command("migrate", interactive=False, verbosity=0)
        foreign = gen.foreign_customers()
        if foreign:
            raise CommandError(
                f"This database holds {foreign:,} customers that the benchmark did not generate. It replaces all "
                "customers and follow-ups, so it refuses to run here: point DATABASE_URL at a dedicated database."
            )

        marker = measure.OUT_DIR / "generation.json"
        have = gen.counts()
        reuse = (opts["reuse"] and have["customers_customer"] == opts["customers"]
                 and have["customers_followup"] == opts["followups"])
        generation: dict = {}
        if reuse:
            if marker.exists():
                generation = json.loads(marker.read_text())
            self.stdout.write(f"Reusing the data set: {have['customers_customer']:,} customers, "
                              f"{have['customers_followup']:,} follow-ups.")
            org = gen.ensure_org(opts["agents"])
        else:
            if opts["reuse"]:
                self.stdout.write("--reuse: the database does not hold a data set of that size; generating.")
            self.stdout.write(f"Generating {opts['customers']:,} customers and {opts['followups']:,} follow-ups "
                              f"for {opts['agents']} agents …")
            generation = gen.generate(customers=opts["customers"], followups=opts["followups"],
                                      agents=opts["agents"], out=self.stdout)
            org = gen.ensure_org(opts["agents"])
            self.stdout.write(f"Generated in {generation['seconds']:.0f} s: "
                              + ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in generation["counts"].items()))
            problems = gen.check_sample(size=300)
            generation["sample_check"] = problems[:20] or "300 random customers agree with the app's rules"
            if problems:
                self.stderr.write("Sample check found problems:\n  " + "\n  ".join(problems[:20]))
            measure.OUT_DIR.mkdir(exist_ok=True)
            marker.write_text(json.dumps(generation, ensure_ascii=False, indent=2))
        if opts["generate_only"]:
            return

        on = dt.date.fromisoformat(generation["date"]) if generation.get("date") else timezone.localdate()
        bench = measure.Bench(org=org, on=on, runs=opts["runs"], max_seconds=opts["max_seconds"],
                              explain=opts["explain"], out=self.stdout)
        started = time.perf_counter()
        measure.run_measurements(bench, skip_import=opts["skip_import"], import_rows=opts["import_rows"])
        meta = {
            "when": timezone.now().isoformat(timespec="seconds"),
            "due_date": on.isoformat(),
            "data": {"customers": opts["customers"], "followups": opts["followups"], "agents": opts["agents"],
                     "shops": len(org.shops), "teams": len(org.teams), "counts": gen.counts()},
            "generation": generation,
            "machine": measure.machine_info(),
            "server": measure.server_info(),
            "measuring_seconds": round(time.perf_counter() - started, 1),
        }
        path = measure.write_results(bench, meta)
        self.stdout.write("\n" + bench.table())
        self.stdout.write(f"\nResults: {path}" + (f" and {path.parent / 'explain.txt'}" if bench.plans else ""))
