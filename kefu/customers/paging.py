"""Keyset paging of the customer lists ("after this customer").

The due list (R-CUS-6), "my day" and the customer list/search are ordered by ``(next_due, grade, id)``.
A cursor names the last row a page showed; the next page is the rows after it in that order, asked for
as one row comparison ``(next_due, grade, id) > (…)`` that the ``(owner, next_due, grade)`` index
serves: page 20 costs what page 1 does (no OFFSET), and rows sharing a due date and grade are neither
repeated nor skipped, because the id breaks every tie.

A cursor is opaque to clients: base64url of ``["2026-12-05", "B", 123]``. One that does not decode is
a 422 naming the field it came in (R-ERR), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from kefu.core.errors import FieldError, InvalidInput
from kefu.customers.choices import GRADES

DUE_ORDER = ("next_due", "grade", "id")
"""The order every keyset-paged customer list uses (R-CUS-6: most overdue first, then A before E)."""

CURSOR_MAX_LENGTH = 200
BIGINT_MAX = 2**63 - 1  # ids (kefu.core.api.BIGINT_MAX; not imported: selectors use this module)
CURSOR_HELP = ("Keyset paging: the `next` of the previous answer; the answer then holds the rows after that "
               "customer in the list's order (next_due, grade, id), whatever `page` says. Deep pages cost what "
               "the first one does; `page`/`page_size` stay for compatibility.")

Key = tuple[dt.date, str, int]


PAGE_MAX = 2**31 - 1  # kefu.core.api.PAGE_MAX


def encode_cursor(key: Key, page: int | None = None) -> str:
    """``page``: the number of the page the rows after ``key`` make (the API's answers say it)."""
    next_due, grade, pk = key
    raw = json.dumps([next_due.isoformat(), grade, pk] + ([page] if page else []), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str = "after") -> Key:
    """The key a cursor names; :class:`InvalidInput` naming ``field`` if it is not one of ours."""
    return decode_cursor_page(cursor, field=field)[0]


def decode_cursor_page(cursor: str, *, field: str = "after") -> tuple[Key, int | None]:
    """The key a cursor names and the number of the page after it (None in a cursor without one)."""
    try:
        if len(cursor) > CURSOR_MAX_LENGTH:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        next_due, grade, pk, *rest = json.loads(raw)
        key = (dt.date.fromisoformat(next_due), grade, pk)
        if grade not in GRADES or type(pk) is not int or not 1 <= pk <= BIGINT_MAX:
            raise ValueError
        page = rest[0] if len(rest) == 1 else None
        if len(rest) > 1 or (rest and (type(page) is not int or not 2 <= page <= PAGE_MAX)):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(_("The request has invalid fields."), errors=[
            FieldError(field, _("Not a position in this list: use the “next” value of the previous page."))
        ]) from None
    return key, page


def cursor_of(row: Any, page: int | None = None) -> str:
    """The cursor after ``row``: a Customer, or a due-list item (``customer_id``)."""
    pk = getattr(row, "customer_id", None) or row.pk
    return encode_cursor((row.next_due, row.grade, pk), page)


def after(qs: QuerySet, key: Key) -> QuerySet:
    """The rows of ``qs`` (ordered by :data:`DUE_ORDER`) that come after ``key``: one row comparison,
    which SQLite (3.15+) and PostgreSQL both understand and PostgreSQL's btree indexes serve."""
    table = qs.model._meta.db_table
    columns = ", ".join(f'"{table}"."{c}"' for c in DUE_ORDER)
    return qs.filter(RawSQL(f"({columns}) > (%s, %s, %s)", list(key),  # noqa: S611 - our own column names
                            output_field=BooleanField()))


def page_after(qs: QuerySet, key: Key | None, size: int) -> tuple[list, str | None]:
    """A page of ``size`` rows after ``key`` (from the start if None) and the cursor of the next page
    (None on the last one): ``size + 1`` rows are read to know whether there is a next page."""
    if key is not None:
        qs = after(qs, key)
    rows = list(qs.order_by(*DUE_ORDER)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (cursor_of(rows[-1]) if more and rows else None)
