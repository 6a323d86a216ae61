"""Keyset pagination ("after this row") for long lists: page 20 costs what page 1 does.

A list in a :class:`Keyset` order is sorted by one column and then the id, so that rows sharing the
column's value still have one place each. The next page is the rows *after* the last one shown,
``(value, id) > (last value, last id)`` in that order, written as ``value >= v AND (value > v OR id > i)``:
the database reads it as a range of the list's index (no OFFSET, no rows skipped one by one), and the
second factor only filters the few rows that share the value ``v``. Rows without a value (a nullable
column, sorted last) follow in id order, read by a second query once the others are exhausted.

The cursor a client holds is opaque: URL-safe base64 of ``{"o": order, "v": value, "i": id, "p": page}``.
A cursor that does not decode, or that belongs to another order, is refused with a field error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet

BIGINT_MAX = 2**63 - 1
PAGE_MAX = 2**31 - 1
CURSOR_MAX = 200  # characters: a cursor is about 80


class BadCursor(ValueError):
    """The text given as ``after`` is not a cursor of this list."""


@dataclass(frozen=True)
class Cursor:
    order: str
    value: Any  # the order column's value of the last row shown (None: the rows without one)
    pk: int
    page: int  # the page number the rows after it make (for the page-number fields of answers)

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, dt.datetime) else self.value
        raw = json.dumps({"o": self.order, "v": value, "i": self.pk, "p": self.page}, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Keyset:
    """An order ``field`` (ascending or descending), then ``id`` the same way. ``nullable``: the
    column may be empty; those rows come last."""

    name: str
    field: str
    descending: bool = False
    nullable: bool = False

    def order_by(self) -> tuple:
        if self.descending:
            first = F(self.field).desc(nulls_last=True) if self.nullable else f"-{self.field}"
            return first, "-id"
        first = F(self.field).asc(nulls_last=True) if self.nullable else self.field
        return first, "id"

    def _after(self, value, pk: int) -> Q:
        if self.descending:
            return Q(**{f"{self.field}__lte": value}) & (Q(**{f"{self.field}__lt": value}) | Q(id__lt=pk))
        return Q(**{f"{self.field}__gte": value}) & (Q(**{f"{self.field}__gt": value}) | Q(id__gt=pk))

    def _empty_after(self, pk: int | None) -> Q:
        q = Q(**{f"{self.field}__isnull": True})
        if pk is not None:
            q &= Q(id__lt=pk) if self.descending else Q(id__gt=pk)
        return q

    def rows(self, qs: QuerySet, after: Cursor | None, size: int, fetch=None, *, inline: bool = False) -> list:
        """Up to ``size + 1`` rows of ``qs`` (already in :meth:`order_by`) after the cursor: the extra
        row says whether there is a next page. One query (a second only at the boundary between the
        rows with a value and those without). With ``fetch`` (ids → rows), the page's ids are read first
        from ``qs`` alone and ``fetch`` reads their rows: without the joins of the rows, PostgreSQL walks
        the list's index in order and stops after the page, whatever it guesses the list's length is.
        ``inline``: the ids are not read apart but given to ``fetch`` as the subquery that reads them (one
        statement, ``id IN (SELECT id … LIMIT n)``, planned apart all the same); ``fetch`` then returns
        the rows in the list's order."""
        limit = size + 1
        if fetch is None:
            read = lambda q, n: list(q[:n])  # noqa: E731
        else:
            read = lambda q, n: _by_ids(q, n, fetch, inline=inline)  # noqa: E731
        if after is None:
            return read(qs, limit)
        if after.value is None:
            return read(qs.filter(self._empty_after(after.pk)), limit)
        rows = read(qs.filter(self._after(after.value, after.pk)), limit)
        if self.nullable and len(rows) < limit:
            rows += read(qs.filter(self._empty_after(None)), limit - len(rows))
        return rows

    def cursor_for(self, row, *, page: int) -> Cursor:
        return Cursor(self.name, getattr(row, self.field), row.pk, page)

    def parse(self, text: str) -> Cursor:
        """The cursor in ``text`` (BadCursor when it is none of this order's)."""
        if len(text) > CURSOR_MAX:
            raise BadCursor(text)
        try:
            padded = text + "=" * (-len(text) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise BadCursor(text) from exc
        if not isinstance(data, dict) or data.get("o") != self.name:
            raise BadCursor(text)
        pk, page, value = data.get("i"), data.get("p", 2), data.get("v")
        if not (isinstance(pk, int) and not isinstance(pk, bool) and 1 <= pk <= BIGINT_MAX):
            raise BadCursor(text)
        if not (isinstance(page, int) and not isinstance(page, bool) and 2 <= page <= PAGE_MAX):
            raise BadCursor(text)
        if value is None:
            if not self.nullable:
                raise BadCursor(text)
            return Cursor(self.name, None, pk, page)
        if not isinstance(value, str):
            raise BadCursor(text)
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise BadCursor(text) from exc
        if moment.tzinfo is None:
            raise BadCursor(text)
        try:
            moment = moment.astimezone(dt.UTC)  # an aware moment the database can take (no year 0 or 10000)
        except (ValueError, OverflowError) as exc:
            raise BadCursor(text) from exc
        return Cursor(self.name, moment, pk, page)


def _by_ids(qs: QuerySet, n: int, fetch, *, inline: bool = False) -> list:
    if inline:
        return list(fetch(qs.values("pk")[:n]))
    ids = list(qs.values_list("pk", flat=True)[:n])
    if not ids:
        return []
    rows = {row.pk: row for row in fetch(ids)}
    return [rows[pk] for pk in ids if pk in rows]


@dataclass
class KeysetPage:
    """One page of a keyset list: its rows, its number and the cursor of the next (None: the last)."""

    rows: list
    number: int
    size: int
    next: Cursor | None

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.rows) - 1 if self.rows else 0

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def page_of(keyset: Keyset, qs: QuerySet, *, after: Cursor | None, size: int, offset: int = 0,
            fetch=None, inline: bool = False) -> KeysetPage:
    """The page after ``after`` (or, without one, the rows from ``offset``: page-number paging) with the
    cursor of the next page; ``fetch`` and ``inline`` as :meth:`Keyset.rows` takes them."""
    if after is None and offset:
        if fetch:
            rows = _by_ids(qs[offset:], size + 1, fetch, inline=inline)
        else:
            rows = list(qs[offset : offset + size + 1])
        number = offset // size + 1
    else:
        rows = keyset.rows(qs, after, size, fetch, inline=inline)
        number = after.page if after is not None else 1
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, number, size, keyset.cursor_for(rows[-1], page=number + 1) if more and rows else None)
