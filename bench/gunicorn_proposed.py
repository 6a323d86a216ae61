"""gunicorn configuration for the "proposed" run of the create benchmark (bench/README.md): each
worker patches two things in kefu.tickets once it has loaded the app, to measure what they cost —

1. ``services._next_number``: the per-day counter row is locked (SELECT … FOR UPDATE) from the start
   of ``create_ticket`` until COMMIT, so every ticket creation in the whole centre waits for the one
   before it. Here the number comes from a PostgreSQL sequence instead (no lock held; numbers
   ``KFyyyymmdd-Bnnnnnn``, bench only).
2. ``api._full``: the create answer runs ``selectors.ticket_detail`` — six prefetch queries (tasks,
   compensations, callbacks, escalations, recovery actions, related) that ``TicketOut`` never reads.
   Here the ticket the service returned is serialised directly (its shop, owner and creator are
   already loaded).

Never used by the application; only by ``manage.py bench_tickets``.
"""

bind = "127.0.0.1:8765"
workers = 4


def post_worker_init(worker):
    from django.db import connection
    from django.utils import timezone

    import kefu.tickets.api as api
    import kefu.tickets.services as services

    def next_number(now):
        with connection.cursor() as cur:
            cur.execute("SELECT nextval('bench_ticket_number_seq')")
            n = cur.fetchone()[0]
        return f"KF{timezone.localdate(now):%Y%m%d}-B{n % 1_000_000:06d}"

    services._next_number = next_number  # noqa: SLF001 - bench experiment
    api._full = lambda ticket: ticket  # noqa: SLF001 - bench experiment
