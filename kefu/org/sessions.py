"""Database sessions (``SESSION_ENGINE = "kefu.org.sessions"``), read with one statement written out once.

Django's database store builds and compiles the same ORM query for every request that carries a session
cookie, which cost more CPU than running it (~0.65 against ~0.27 ms; bench/notes/request.md). Everything
else — writing, expiry, ``flush`` on logout, ``cycle_key`` on login — is Django's. With a cache shared by
every worker (Redis), ``kefu.org.sessions_cached`` reads the session from the cache first.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone
from django.utils.dateparse import parse_datetime


@functools.cache
def _session_sql(alias: str, table: str) -> str:
    quote = connections[alias].ops.quote_name
    return (f"SELECT {quote('session_data')}, {quote('expire_date')} FROM {quote(table)} "  # noqa: S608
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s")


def _aware(value) -> dt.datetime:
    """``expire_date`` as the database cursor gives it (SQLite: text, or naive in UTC), made aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


class FastReadMixin:
    """``_get_session_from_db`` as Django's (the session, or None and the key forgotten), in plain SQL."""

    def _get_session_from_db(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(_session_sql(alias, model._meta.db_table),
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=_aware(row[1]))


class SessionStore(FastReadMixin, db.SessionStore):
    pass
