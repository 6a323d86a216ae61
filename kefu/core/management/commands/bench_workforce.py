"""``manage.py bench_workforce``: generate a year of shifts for 500 agents in 20 teams on PostgreSQL and measure
the workforce speed targets (a team's week roster, a leave request checked and saved). See bench/README.md.
Writes bench/out/workforce.json (and bench/out/explain_workforce.txt with ``--explain``).
"""

from __future__ import annotations

import os
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = ("Generate a year of shifts and leave for 500 agents on PostgreSQL and measure the week roster and a "
            "leave request (bench/README.md). Needs DATABASE_URL pointing at a dedicated database.")

    def add_arguments(self, parser):
        parser.add_argument("--reuse", action="store_true", help="Keep the shifts already there.")
        parser.add_argument("--runs", type=int, default=300, help="Repetitions per measurement (default 300).")
        parser.add_argument("--max-seconds", type=float, default=60.0,
                            help="Stop a measurement after this long (at least 20 runs).")
        parser.add_argument("--only", default="", help="Comma-separated subset of roster,leave.")
        parser.add_argument("--generate-only", action="store_true")
        parser.add_argument("--explain", action="store_true",
                            help="Also write EXPLAIN (ANALYZE, BUFFERS) to bench/out/explain_workforce.txt.")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL only: set DATABASE_URL to a dedicated PostgreSQL "
                               "database.")
        from bench import workforce as wfm

        call_command("migrate", interactive=False, verbosity=0)
        if wfm.foreign_shifts():
            raise CommandError("This database holds shifts the benchmark did not generate. It replaces the bench "
                               "people's shifts and leave, so it refuses to run here: use a dedicated database.")
        org = wfm.ensure_org()
        today = timezone.localdate()
        generation: dict = {}
        have = wfm.counts()
        if opts["reuse"] and have["workforce_shift"]:
            self.stdout.write(f"Reusing {have['workforce_shift']:,} shifts.")
        else:
            self.stdout.write(f"Generating a year of shifts for {len(org.agents)} agents in {len(org.teams)} teams …")
            generation = wfm.generate(org=org, today=today, out=self.stdout)
            self.stdout.write(f"Generated in {generation['seconds']:.0f} s: {generation['counts']}")
        if opts["generate_only"]:
            return
        bench = wfm.WorkforceBench(org=None, on=today, runs=opts["runs"], max_seconds=opts["max_seconds"],
                                   explain=opts["explain"], out=self.stdout, wfm=org)
        started = time.perf_counter()
        queries = wfm.run_measurements(bench, only=opts["only"])
        meta = {
            "when": timezone.now().isoformat(timespec="seconds"),
            "data": wfm.counts(),
            "generation": generation,
            "queries_per_call": queries,
            "loadavg": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "machine": wfm.machine_info(),
            "measuring_seconds": round(time.perf_counter() - started, 1),
        }
        path = wfm.write_results(bench, meta)
        self.stdout.write("\n" + bench.table())
        self.stdout.write(f"\nQueries per call: {queries}")
        self.stdout.write(f"Load average: {meta['loadavg']}")
        self.stdout.write(f"\nResults: {path}")
