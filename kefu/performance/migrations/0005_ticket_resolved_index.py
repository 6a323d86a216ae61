"""An index of the resolved tickets by their resolution time, for the daily KPI aggregates (``kpi.measure`` reads
"the tickets resolved on these days"; without it that is a scan of every ticket, each minute for today).

Partial (``resolved_at IS NOT NULL``): a ticket enters it when it is resolved, never when it is created, so ticket
creation writes nothing more (bench/README.md, "create"). It is created here, by the app that reads it, with
plain SQL on the tickets table; the tickets app's models do not declare it (move it to ``Ticket.Meta.indexes``
with a tickets migration if that app ever wants it — same name, ``CREATE INDEX IF NOT EXISTS``)."""

from django.db import migrations

SQL = ("CREATE INDEX IF NOT EXISTS perf_tic_resolved_idx ON tickets_ticket (resolved_at) "
       "WHERE resolved_at IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ("performance", "0004_agent_day"),
        ("tickets", "0005_open_ticket_indexes"),
    ]

    operations = [
        migrations.RunSQL(SQL, reverse_sql="DROP INDEX IF EXISTS perf_tic_resolved_idx"),
    ]
