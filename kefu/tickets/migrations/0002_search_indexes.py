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

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION kefu_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    -- every character and every character pair (the last "pair" is the last character again);
    -- duplicates are left in: GIN stores each key of a row once anyway
    SELECT ARRAY(SELECT substr(t, i, n) FROM generate_series(1, char_length(t)) AS i, (VALUES (1), (2)) AS v(n))
$$
"""

INDEXES = {
    "tic_text_grams_idx": "ON tickets_ticket USING gin (kefu_grams(title::text || ' ' || description))",
    "tic_number_upper_idx": "ON tickets_ticket (UPPER(number::text))",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GRAMS_FUNCTION)
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
