"""``manage.py bench_kpi``: the KPI dashboard's speed on the benchmark data (issue 12): ``kpi.compute`` by level,
``GET /api/v1/kpi`` and the KPI page for a month of 500 agents from the daily aggregates, the recount and the
job's refresh for comparison, and ticket creation. Writes bench/out/kpi.json. Run ``kpi_rebuild`` first."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Measure the KPI dashboard on the benchmark data (PostgreSQL; run kpi_rebuild first). Writes bench/out/kpi.json."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="Runs per measurement (default 20).")
        parser.add_argument("--create-runs", type=int, default=1000, help="Ticket creations measured (default 1000).")
        parser.add_argument("--recount-runs", type=int, default=3, help="Runs of the slow recount and refresh.")
        parser.add_argument("--only", default="", help="Comma-separated subset of compute,api,page,recount,create.")

    def handle(self, *args, runs=20, create_runs=1000, recount_runs=3, only="", **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL only: set DATABASE_URL to the benchmark database.")
        from bench import kpi as bench

        data = bench.run(runs=runs, create_runs=create_runs, recount_runs=recount_runs, only=only, out=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{len(data['results'])} measurements written to {bench.OUT}"))
