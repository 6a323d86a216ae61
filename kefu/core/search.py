"""Substring search that PostgreSQL can answer from an index, for Chinese text.

Chinese search terms are often two characters (建国, 退款): too short for pg_trgm's trigrams. The
``kefu_grams(text)`` function of the customers 0002 migration gives every character and character pair
of a text; a GIN index over it (customers and tickets 0002) narrows ``LIKE '%建国%'`` to the rows holding
every pair of the term, and the LIKE then checks those rows exactly. SQLite has no such index: there
:func:`grams_match` returns None and callers keep the plain condition.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

# the SQL function behind the GIN indexes; run by the migrations that create them (CREATE OR REPLACE)
GRAMS_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION kefu_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
-- about 25 µs a call: a high cost keeps the planner from computing it for every row an index returns
-- (it then prefers the GIN index over these grams to a btree index on the shop plus a filter)
COST 10000 AS $$
    -- every character and every character pair (the last "pair" is the last character again);
    -- duplicates are left in: GIN stores each key of a row once anyway
    SELECT ARRAY(SELECT substr(t, i, n) FROM generate_series(1, char_length(t)) AS i, (VALUES (1), (2)) AS v(n))
$$
"""


def create_grams_indexes(schema_editor, indexes: dict[str, str]) -> None:
    """Migrations: the grams function and ``indexes`` (name → definition), PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GRAMS_FUNCTION_SQL)
    for name, definition in indexes.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop_indexes(schema_editor, names) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def query_grams(q: str) -> list[str]:
    """The grams a text containing ``q`` must hold: its character pairs (its character if it is one)."""
    if len(q) == 1:
        return [q]
    return sorted({q[i:i + 2] for i in range(len(q) - 1)})


def grams_match(table: str, columns: list[str], q: str, *, upper: bool = False) -> Q | None:
    """``kefu_grams(col1 || ' ' || col2 …) @> grams(q)``, written exactly as the index expression of the
    0002 migrations so that PostgreSQL uses the GIN index. None where there is no such index."""
    if connection.vendor != "postgresql" or not q:
        return None
    text = " || ' ' || ".join(f'"{table}"."{column}"::text' for column in columns)
    if upper:
        text = f"UPPER({text})"
        q = q.upper()
    return Q(RawSQL(f"kefu_grams({text}) @> %s::text[]", [query_grams(q)],  # noqa: S611 - our own names
                    output_field=BooleanField()))
