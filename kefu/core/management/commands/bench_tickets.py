"""``manage.py bench_tickets``: generate millions of tickets on PostgreSQL and measure the ticket speed
targets (open-ticket list, detail, keyword search, creation through the API). See bench/README.md.
Writes bench/out/tickets.json (and bench/out/explain_tickets.txt with ``--explain``).
"""

from __future__ import annotations

import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = ("Generate tickets on PostgreSQL and measure the open-ticket list, the detail, the keyword search "
            "and creation through the API (bench/README.md). Needs DATABASE_URL pointing at a dedicated database.")

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=2_000_000)
        parser.add_argument("--agents", type=int, default=None,
                            help="Agents owning the tickets (first N bench agents; default 50, or with --reuse the "
                                 "active bench agents already there).")
        parser.add_argument("--reuse", action="store_true",
                            help="Keep the tickets already there when there are as many as requested.")
        parser.add_argument("--runs", type=int, default=200, help="Repetitions per measurement (default 200).")
        parser.add_argument("--max-seconds", type=float, default=60.0,
                            help="Stop a measurement after this long (at least 20 runs).")
        parser.add_argument("--create-seconds", type=float, default=20.0)
        parser.add_argument("--skip-create", action="store_true")
        parser.add_argument("--only", default="",
                            help="Comma-separated subset of open,desk,board,director,detail,search,create.")
        parser.add_argument("--backlog", action="store_true",
                            help="Turn the tickets into real desks in place (bench/tickets_backlog.py): heavy agents "
                                 "(the first --heavy-teams teams) with --heavy-open open tickets each, the others "
                                 "with --typical-open, and a 1 %% search word. Repeatable.")
        parser.add_argument("--heavy-teams", type=int, default=2)
        parser.add_argument("--heavy-open", type=int, default=2000)
        parser.add_argument("--typical-open", type=int, default=50)
        parser.add_argument("--generate-only", action="store_true")
        parser.add_argument("--explain", action="store_true",
                            help="Also write EXPLAIN (ANALYZE, BUFFERS) to bench/out/explain_tickets.txt.")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL only (generate_series, COPY, GIN indexes): set "
                               "DATABASE_URL to a dedicated PostgreSQL database.")
        if opts["agents"] is None:
            opts["agents"] = _existing_agents() if opts["reuse"] else 50
        if opts["tickets"] < 1000 or opts["agents"] < 1:
            raise CommandError("Use at least 1000 tickets and 1 agent.")

        from bench import generate as gen
        from bench import tickets as measure
        from bench import tickets_generate as tgen

        if not opts["reuse"]:
            # not with --reuse: a shared benchmark database gets only the migrations its users apply themselves
            call_command("migrate", interactive=False, verbosity=0)
        if gen.foreign_customers() or tgen.foreign_tickets():
            raise CommandError("This database holds customers or tickets that the benchmark did not generate. It "
                               "replaces all tickets, so it refuses to run here: use a dedicated database.")
        # The organisation of the customer benchmark (200 agents, 40 shops); tickets use its first agents.
        org = gen.ensure_org(max(opts["agents"], 200))
        marker = measure.OUT_DIR / "tickets-generation.json"
        have = tgen.counts()
        generation: dict = {}
        if opts["reuse"]:
            # never regenerate with --reuse (a shared database may hold a few tickets more or less than generated)
            if not have["tickets_ticket"]:
                raise CommandError("--reuse: there are no tickets to reuse; run without --reuse to generate them.")
            if marker.exists():
                generation = json.loads(marker.read_text())
            self.stdout.write(f"Reusing {have['tickets_ticket']:,} tickets ({opts['agents']} agents).")
        else:
            self.stdout.write(f"Generating {opts['tickets']:,} tickets for {opts['agents']} agents …")
            generation = tgen.generate(org=org, tickets=opts["tickets"], agents=opts["agents"], out=self.stdout)
            self.stdout.write(f"Generated in {generation['seconds']:.0f} s: "
                              + ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in generation["counts"].items()))
            measure.OUT_DIR.mkdir(exist_ok=True)
            marker.write_text(json.dumps(generation, ensure_ascii=False, indent=2))
        backlog: dict = {}
        backlog_marker = measure.OUT_DIR / "tickets-backlog.json"
        if opts["backlog"]:
            from bench import tickets_backlog

            self.stdout.write(f"Applying the backlog: teams 1–{opts['heavy_teams']} heavy ({opts['heavy_open']:,} open "
                              f"each), the others {opts['typical_open']:,} open …")
            backlog = tickets_backlog.apply(org=org, agents=opts["agents"], heavy_teams=opts["heavy_teams"], heavy_open=opts["heavy_open"],
                                            typical_open=opts["typical_open"], out=self.stdout)
            measure.OUT_DIR.mkdir(exist_ok=True)
            backlog_marker.write_text(json.dumps(backlog, ensure_ascii=False, indent=2))
            self.stdout.write(f"Backlog applied in {backlog['seconds']:.0f} s. Open tickets:\n"
                              + tickets_backlog.describe(backlog["open_counts"]))
        elif backlog_marker.exists():
            backlog = json.loads(backlog_marker.read_text())
        if opts["generate_only"]:
            return

        bench = measure.TicketBench(org=org, on=timezone.localdate(), runs=opts["runs"],
                                    max_seconds=opts["max_seconds"], explain=opts["explain"], out=self.stdout,
                                    agents_n=opts["agents"], heavy_teams=opts["heavy_teams"])
        started = time.perf_counter()
        unknown = {g.strip() for g in opts["only"].split(",") if g.strip()} - set(measure.ALL_GROUPS)
        if unknown:
            raise CommandError(f"Unknown --only group(s) {', '.join(sorted(unknown))}: use "
                               + ", ".join(measure.ALL_GROUPS) + ".")
        measure.run_measurements(bench, skip_create=opts["skip_create"], create_seconds=opts["create_seconds"],
                                 only=opts["only"])
        meta = {
            "when": timezone.now().isoformat(timespec="seconds"),
            "data": {"tickets": opts["tickets"], "agents": opts["agents"], "counts": tgen.counts()},
            "generation": generation,
            "backlog": backlog,
            "machine": measure.machine_info(),
            "server": measure.server_info(),
            "measuring_seconds": round(time.perf_counter() - started, 1),
        }
        path = measure.write_results(bench, meta)
        self.stdout.write("\n" + bench.table())
        self.stdout.write(f"\nResults: {path}")




def _existing_agents() -> int:
    """The active agents of the bench organisation already in the database (50 when there are none): reusing
    a data set generated for 500 agents must not deactivate 300 of them (``ensure_org``)."""
    from bench import generate as gen
    from kefu.org.models import User

    n = User.objects.filter(username__startswith=f"{gen.PREFIX}agent-", is_active=True).count()
    return n or 50
