"""Fill (or refill) the daily KPI aggregates of a period from the raw records — after an upgrade, a bulk import or
for the benchmark data. Safe to run again: each chunk of days is replaced in one transaction."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kefu.performance.aggregates import refresh_days


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


class Command(BaseCommand):
    help = "Recompute the daily KPI aggregates (AgentDay) of a period from the records, chunk by chunk, with progress."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=_date, help="First day (default: 13 months ago).")
        parser.add_argument("--to", dest="date_to", type=_date, help="Last day (default: today).")
        parser.add_argument("--chunk", type=int, default=7, help="Days recomputed together (default 7).")

    def handle(self, *args, date_from=None, date_to=None, chunk=7, **options):
        today = timezone.localdate()
        date_to = date_to or today
        date_from = date_from or (date_to - dt.timedelta(days=396))
        if date_to < date_from:
            raise CommandError("--to is before --from.")
        if chunk < 1:
            raise CommandError("--chunk must be at least 1.")
        days = [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]
        started = time.perf_counter()
        rows = 0
        for index in range(0, len(days), chunk):
            part = days[index:index + chunk]
            rows += refresh_days(part)
            done = index + len(part)
            self.stdout.write(f"  {done}/{len(days)} days (to {part[-1]:%Y-%m-%d}): {rows} rows, "
                              f"{time.perf_counter() - started:.1f} s")
        self.stdout.write(self.style.SUCCESS(
            f"KPI aggregates rebuilt for {date_from:%Y-%m-%d} – {date_to:%Y-%m-%d}: {len(days)} days, {rows} rows "
            f"in {time.perf_counter() - started:.1f} s"))
