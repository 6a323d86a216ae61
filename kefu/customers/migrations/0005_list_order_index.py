"""The customer list's order as an index, PostgreSQL only (issue 13, bench/notes/customers.md session 7).

``(next_due, grade, id)`` is the order of the customer list and search (R-CUS-6). A search term that
matches thousands of the caller's customers (the director's pinyin initials "wy": 22,000) is answered by
walking this index in order and checking each customer against the term until a page is full, instead
of fetching and sorting every match. Built with CREATE INDEX CONCURRENTLY: the customer table keeps
taking writes meanwhile. No model state changes (RunPython), so ``makemigrations --check`` stays clean;
SQLite's small databases do not need it.
"""

from django.db import migrations

NAME = "cus_list_order_idx"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} "
                          "ON customers_customer (next_due, grade, id)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0004_amount_range_checks"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
