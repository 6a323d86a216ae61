"""``manage.py bench_server``: the server's ceiling (an authenticated no-op), ticket creation against it and
the memory of each gunicorn worker, on the bench database (bench/server.py, issue 13).
Writes bench/out/server.json."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = ("Start gunicorn on the bench database and measure the ceiling (GET /api/v1/ping), creation "
            "(POST /api/v1/tickets) and each worker's memory after a mixed run, without and with --preload.")

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=8, help="Client threads (default 8).")
        parser.add_argument("--seconds", type=float, default=15.0, help="Seconds per measured phase.")
        parser.add_argument("--repeats", type=int, default=3, help="Ceiling and creation runs (median taken).")
        parser.add_argument("--port", type=int, default=8790)
        parser.add_argument("--redis-url", default="redis://127.0.0.1:6380/11",
                            help="Redis for the server's Huey queue and cache.")
        parser.add_argument("--preload", choices=["both", "yes", "no"], default="both")
        parser.add_argument("--gunicorn-arg", action="append", default=[],
                            help="Another gunicorn argument (repeatable), e.g. --gunicorn-arg=--config=...")
        parser.add_argument("--app", default="kefu.wsgi:application", help="The WSGI application gunicorn serves.")
        parser.add_argument("--out", default="", help="Write here instead of bench/out/server.json.")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("Runs on the PostgreSQL bench database only: set DATABASE_URL.")
        from bench import server

        started = time.perf_counter()
        data = server.run(workers=opts["workers"], threads=opts["threads"], seconds=opts["seconds"],
                          repeats=opts["repeats"], port=opts["port"], redis_url=opts["redis_url"],
                          preload=opts["preload"], extra=tuple(opts["gunicorn_arg"]), app=opts["app"],
                          out=self.stdout)
        data["when"] = timezone.now().isoformat(timespec="seconds")
        data["measuring_seconds"] = round(time.perf_counter() - started, 1)
        if opts["out"]:
            from pathlib import Path

            path = Path(opts["out"])
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            path = server.write(data)
        self.stdout.write(f"Results: {path}")
