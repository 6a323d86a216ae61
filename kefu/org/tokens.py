"""API tokens (API.md "Auth"): created at login, revocable, purged by a periodic job."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.core.errors import NotAllowed, NotFound
from kefu.org.backends import role_codes_of, roles_column, user_columns, user_from_row
from kefu.org.models import ApiToken, User


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(*, user: User, name: str = "", ip: str | None = None) -> tuple[ApiToken, str]:
    secret = "kf_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:10],
        digest=_digest(secret),
        expires_at=timezone.now() + dt.timedelta(days=settings.KEFU_API_TOKEN_DAYS),
    )
    record(actor=user, action=Action.TOKEN, obj=token, note="issued", ip=ip)
    return token, secret


@functools.cache
def _token_sql(vendor: str) -> str:
    """One statement for the person behind a token, with their roles and whether the token's
    ``last_used_at`` is due to be touched. Written out once: every API request runs it, and building and
    compiling the same ORM query (token, person, roles subquery) cost more than running it."""
    user, token = User._meta.db_table, ApiToken._meta.db_table
    return (
        f"SELECT {user_columns(connection)}, t.id AS kefu_token_id, "  # noqa: S608 - our own table names
        f"CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END AS kefu_token_stale, "
        f"{roles_column(vendor)} "
        f"FROM {token} t JOIN {user} u ON u.id = t.user_id "
        f"WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active = %s"
    )


def user_for_token(secret: str) -> User | None:
    """The active user a bearer secret belongs to, or None. Touches ``last_used_at`` at most once a minute."""
    now = timezone.now()
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(_token_sql(connection.vendor), [
            ops.adapt_datetimefield_value(now - dt.timedelta(minutes=1)), _digest(secret),
            ops.adapt_datetimefield_value(now), True])
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, stale, roles = row[-3:]
    user = user_from_row(connection.alias, row)
    user._role_codes = role_codes_of(roles)
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    user._api_token_id = token_id
    return user


@transaction.atomic
def revoke_token(*, actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.user_id != actor.pk and not (actor.is_superuser or actor.has_role("admin")):
        raise NotAllowed(_("You may revoke only your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(actor=actor, action=Action.TOKEN, obj=token, note="revoked")
    return token


@transaction.atomic
def purge_tokens(*, now: dt.datetime | None = None) -> int:
    """Delete tokens revoked or expired more than KEFU_API_TOKEN_KEEP_DAYS ago. Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.KEFU_API_TOKEN_KEEP_DAYS)
    stale = ApiToken.objects.filter(revoked_at__lt=cutoff) | ApiToken.objects.filter(expires_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).delete()
        record(actor=None, action=Action.TOKEN, object_type="org.apitoken",
               note=f"purged {len(ids)} revoked or expired tokens")
    return len(ids)
