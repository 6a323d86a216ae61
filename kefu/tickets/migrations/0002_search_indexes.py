"""Search indexes for millions of tickets (bench/README.md), PostgreSQL only: SQLite has no GIN
indexes and its small databases do not need them, so this migration does nothing there.

- ``kefu_grams(text)`` (also created by customers 0002; ``CREATE OR REPLACE`` keeps both in step):
  the characters and character pairs of a text. Chinese keywords are often two characters
  (退款, 漏水), too short for pg_trgm's trigrams; a GIN index over these grams narrows
  ``title LIKE '%退款%' OR description LIKE '%退款%'`` to the rows holding every pair of the keyword.
- ``UPPER(number)`` for ``number__iexact``, so that the keyword search's OR of number, phone and
  text can be answered by a BitmapOr of three indexes instead of a scan.

No model state changes (RunPython), so ``makemigrations --check`` stays clean.
"""

from django.db import migrations

from kefu.core.search import create_grams_indexes, drop_indexes

INDEXES = {
    "tic_text_grams_idx": "ON tickets_ticket USING gin (kefu_grams(title::text || ' ' || description))",
    "tic_number_upper_idx": "ON tickets_ticket (UPPER(number::text))",
}


def forwards(apps, schema_editor):
    create_grams_indexes(schema_editor, INDEXES)


def backwards(apps, schema_editor):
    drop_indexes(schema_editor, INDEXES)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
