"""The authentication backend: Django's ``ModelBackend`` (passwords, ``is_active``, permissions), except that
the person of a session is read with their roles in one statement.

Every logged-in request reads its person (``request.user``) and nearly every one their roles
(``User.role_codes``: menus, scopes, access policies); read separately they were two queries on every page
and API call (bench/notes/request.md). The person is still read afresh on every request, so a deactivated
person loses access, and a changed role or password takes effect, on their very next request.
"""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from kefu.org.models import User, UserRole

LEGACY_BACKEND = "django.contrib.auth.backends.ModelBackend"
"""The backend sessions made before this one was installed name (see ``kefu.org.middleware``)."""


def role_codes_of(aggregated: str | None) -> frozenset[str]:
    """The roles of a person from ``kefu_roles`` (their codes joined by commas, NULL for none)."""
    return frozenset(filter(None, (aggregated or "").split(",")))


def roles_column(vendor: str, user_alias: str = "u") -> str:
    """A column ``kefu_roles``: the person's role codes joined by commas (NULL when they have none)."""
    aggregate = "string_agg" if vendor == "postgresql" else "group_concat"
    return (f"(SELECT {aggregate}(r.role, ',') FROM {UserRole._meta.db_table} r "  # noqa: S608 - our own table
            f"WHERE r.user_id = {user_alias}.id) AS kefu_roles")


def user_columns(connection, user_alias: str = "u") -> str:
    """The person's columns named, not ``u.*``: a prepared statement must keep its result columns when a
    migration adds one while this process runs."""
    return ", ".join(f"{user_alias}.{connection.ops.quote_name(f.column)}" for f in User._meta.concrete_fields)


@functools.cache
def _user_sql(alias: str) -> str:
    """Written out once: building and compiling the ORM query (the person, the roles subquery) on every
    request cost more than running it."""
    connection = connections[alias]
    return (f"SELECT {user_columns(connection)}, {roles_column(connection.vendor)} "  # noqa: S608 - our tables
            f"FROM {connection.ops.quote_name(User._meta.db_table)} u WHERE u.id = %s")


@functools.cache
def _converters(alias: str) -> tuple:
    """The database's converters of the person's columns (SQLite: dates, booleans; none on PostgreSQL), as
    the ORM's compiler applies them."""
    connection = connections[alias]
    found = []
    for index, field in enumerate(User._meta.concrete_fields):
        column = field.get_col(User._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((index, column, tuple(converters)))
    return tuple(found)


_ATTNAMES = tuple(f.attname for f in User._meta.concrete_fields)


def user_from_row(alias: str, row) -> User:
    """A person from a row whose first columns are :func:`user_columns` (``User.from_db`` and the
    converters, without a RawQuerySet: ~0.3 ms of CPU less a request)."""
    connection = connections[alias]
    values = list(row[: len(_ATTNAMES)])
    for index, column, converters in _converters(alias):
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    return User.from_db(alias, _ATTNAMES, values)


def user_with_roles(user_id) -> User | None:
    """The person with this id, their roles loaded (``role_codes`` asks nothing more), or None."""
    alias = router.db_for_read(User)
    with connections[alias].cursor() as cursor:
        cursor.execute(_user_sql(alias), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user = user_from_row(alias, row)
    user._role_codes = role_codes_of(row[-1])
    return user


class UserWithRolesBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` (the person of a session, on every request) is one query."""

    def get_user(self, user_id):
        user = user_with_roles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
