"""Indexes of the month's sample (issue 11, measured on 2 M tickets: bench/notes/quality.md):

- the flagged automatic-check results by ticket (partial: only flagged rows), for the sample's "flagged" risk;
- on PostgreSQL, the reopenings among the tickets' events (partial: transitions back to in progress, a small
  index), for the sample's "reopened" risk — without it every draw read all 8 M events. Built CONCURRENTLY so
  that tickets keep being answered meanwhile (hence a non-atomic migration)."""

from django.db import migrations, models

REOPEN_INDEX = "qa_reopen_event"


def create_reopen_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {REOPEN_INDEX} ON tickets_ticketevent (ticket_id) "
        "WHERE kind = 'transition' AND (data -> 'to') = '\"in_progress\"'::jsonb")


def drop_reopen_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {REOPEN_INDEX}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("quality", "0005_check_rule_version"),
        ("tickets", "0005_open_ticket_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticketcheck",
            index=models.Index(condition=models.Q(("flagged", True)), fields=["ticket"], name="qa_check_flagged_ticket"),
        ),
        migrations.RunPython(create_reopen_index, drop_reopen_index, elidable=False),
    ]
