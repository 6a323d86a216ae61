"""Substring search that PostgreSQL can answer from an index, for Chinese text.

Chinese search terms are often two characters (建国, 退款): too short for pg_trgm's trigrams. The
``kefu_grams(text)`` function of the customers 0002 migration gives every character and character pair
of a text; a GIN index over it (customers and tickets 0002) narrows ``LIKE '%建国%'`` to the rows holding
every pair of the term, and the LIKE then checks those rows exactly. SQLite has no such index: there
:func:`grams_match` returns None and callers keep the plain condition.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value
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


class _GramsContain(Func):
    """``kefu_grams(col1::text || ' ' || col2::text …) @> grams``, the columns compiled with the alias the query
    gives the table: unlike :func:`grams_match`'s raw SQL (which names the table), it stays right inside a
    subquery over the same table (``id IN (SELECT U0.id … WHERE kefu_grams(U0.name …))``)."""

    output_field = BooleanField()

    def __init__(self, *columns: str, grams: list[str], upper: bool):
        super().__init__(*(F(c) for c in columns))
        self.grams = grams
        self.upper = upper

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, sql_params = compiler.compile(expression)
            parts.append(f"{sql}::text")
            params.extend(sql_params)
        text = " || ' ' || ".join(parts)
        if self.upper:
            text = f"UPPER({text})"
        return f"kefu_grams({text}) @> %s::text[]", [*params, self.grams]


def grams_condition(columns: list[str], q: str, *, upper: bool = False) -> Q | None:
    """:func:`grams_match` as an expression over the query's own alias of the table (usable in a subquery
    of the same table); the same SQL as the index expression of the 0002 migrations, so PostgreSQL uses
    the GIN index. None where there is no such index (SQLite) or no term."""
    if connection.vendor != "postgresql" or not q:
        return None
    if upper:
        q = q.upper()
    return Q(_GramsContain(*columns, grams=query_grams(q), upper=upper))


class _PrefixRange(Func):
    """``(expr)::text ~>=~ lo AND (expr)::text ~<~ hi``: what PostgreSQL makes of ``LIKE 'lo%'`` for a
    ``*_pattern_ops`` index when it sees the value, written out so a generic plan uses the index too."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        (col, col_params), (lo, lo_params), (hi, hi_params) = (
            compiler.compile(e) for e in self.get_source_expressions())
        return f"(({col})::text ~>=~ {lo} AND ({col})::text ~<~ {hi})", [*col_params, *lo_params, *hi_params]


def starts_with(expression, prefix: str) -> Q | None:
    """``expression`` starts with ``prefix`` (ASCII letters and digits: phone digits, pinyin, e-mail starts),
    as an index range whose *generic* plan still uses the ``varchar_pattern_ops``/``text_pattern_ops``
    index. With server-side prepared statements (``prepare_threshold``), PostgreSQL may switch a statement
    to a generic plan after five runs; a generic ``LIKE $1`` cannot use a btree index and scanned 400 k
    phones or every customer of the scope instead (0.4–0.8 s; bench/notes/customers.md). None on SQLite
    or for other prefixes: callers keep ``__startswith`` there."""
    if connection.vendor != "postgresql" or not prefix or not (prefix.isascii() and prefix.isalnum()):
        return None
    upper_bound = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # 'zs' → 'zt', '4321' → '4322', '9' → ':'
    if isinstance(expression, str):
        expression = F(expression)
    return Q(_PrefixRange(expression, Value(prefix), Value(upper_bound)))


@contextmanager
def unprepared():
    """Statements run inside are not prepared on the server: each is planned for its own values (a custom
    plan). For the few whose generic plan is bad whatever their shape (``settings.DATABASES``:
    ``prepare_threshold``); a no-op on SQLite or without preparation."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    pg = connection.connection
    threshold = getattr(pg, "prepare_threshold", None)
    if threshold is None:
        yield
        return
    pg.prepare_threshold = None
    try:
        yield
    finally:
        pg.prepare_threshold = threshold
