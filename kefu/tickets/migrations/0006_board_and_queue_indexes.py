"""Indexes of the lead board (per owner: stuck, escalated) and of the desk's queue panel (issue 13).

Built with CREATE INDEX CONCURRENTLY on PostgreSQL: the tickets table (millions of rows) keeps taking
new tickets while they are built."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """CONCURRENTLY where the database has it (PostgreSQL), a plain CREATE INDEX elsewhere (SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


OPEN = ("new", "in_progress", "waiting")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0005_open_ticket_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="ticket",
            index=models.Index(condition=models.Q(("status__in", OPEN)), fields=["owner", "last_action_at", "id"],
                               name="tic_owner_action_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="ticket",
            index=models.Index(condition=models.Q(("status__in", OPEN), models.Q(("escalation_level", "agent"),
                                                                                 _negated=True)),
                               fields=["owner", "last_action_at", "id"], name="tic_escalated_idx"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="ticket",
            index=models.Index(condition=models.Q(("owner__isnull", True), ("status__in", OPEN)),
                               fields=["created_at", "id"], name="tic_queue_order_idx"),
        ),
    ]
