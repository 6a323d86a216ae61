"""Indexes that only PostgreSQL builds, for migrations of any app.

``postgresql_index(name, definition)`` is a migration operation that builds the index with
CREATE INDEX CONCURRENTLY (the table keeps taking writes while it is built, so the migration must be
``atomic = False``) and drops it the same way when the migration is reversed. It does nothing on SQLite,
and it changes no model state, so ``makemigrations --check`` stays clean."""

from __future__ import annotations

from django.db import migrations


def postgresql_index(name: str, definition: str) -> migrations.RunPython:
    """``definition`` is what follows the index name, e.g. ``"ON tickets_ticket (owner_id) WHERE …"``."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
