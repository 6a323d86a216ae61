"""Drop the ``LIKE`` index Django adds beside the unique ticket number on PostgreSQL (issue 13, session 8).

Nothing searches ticket numbers by prefix (the keyword search matches a whole number through ``UPPER(number)``,
0002), so ``tickets_ticket_number_5f958fbb_like`` (``varchar_pattern_ops``) was never scanned on the benchmark
(0 scans, 67 MB on 2,000,000 tickets) while every new ticket paid for writing it. The unique index stays.
Reversing the migration builds it again. Nothing to do on SQLite; no model state changes."""

from django.db import migrations

NAME = "tickets_ticket_number_5f958fbb_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


def build(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} "
                              "ON tickets_ticket (number varchar_pattern_ops)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0009_desk_indexes"),
    ]

    operations = [
        migrations.RunPython(drop, build, elidable=False),
    ]
