"""Search indexes for a million customers (bench/README.md), PostgreSQL only: SQLite has no GIN
indexes and its small databases do not need them, so this migration does nothing there.

- ``kefu_grams(text)``: the characters and character pairs of a text. Chinese search
  terms are often two characters (王伟, 建国), too short for pg_trgm's trigrams, so a GIN index over
  these grams narrows ``name LIKE '%建国%'`` to the rows holding every pair of the term; the LIKE
  then checks them exactly. Upper-cased so that it also serves ``name ILIKE '%tom%'``.
- ``UPPER(email)`` with pattern ops for ``email__istartswith``.

No model state changes (RunPython), so ``makemigrations --check`` stays clean.
"""

from django.db import migrations

from kefu.core.search import create_grams_indexes, drop_indexes

INDEXES = {
    "cus_text_grams_idx": "ON customers_customer USING gin (kefu_grams(UPPER(name::text || ' ' || notes)))",
    "cus_email_upper_idx": "ON customers_customer (UPPER(email::text) text_pattern_ops)",
}


def forwards(apps, schema_editor):
    create_grams_indexes(schema_editor, INDEXES)


def backwards(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
