"""API tokens (API.md "Auth"): created at login, revocable, purged by a periodic job."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.core.errors import NotAllowed, NotFound
from kefu.org.models import ApiToken, User, UserRole


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


class RoleList(Func):
    """A person's role codes as one comma-separated text, so that the token lookup of every API request
    also brings the roles (``User.role_codes``) instead of asking for them in a second query."""

    output_field = CharField()
    template = (f"(SELECT %(function)s(role, ',') FROM {UserRole._meta.db_table} "  # noqa: S608 - our table
                f"WHERE {UserRole._meta.db_table}.user_id = %(expressions)s)")
    function = "string_agg"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="group_concat", **extra)


def user_for_token(secret: str) -> User | None:
    """The active user a bearer secret belongs to, or None. Touches ``last_used_at`` at most once a minute."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user").annotate(role_list=RoleList("user_id"))
        .filter(digest=_digest(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    token.user._role_codes = frozenset(filter(None, (token.role_list or "").split(",")))
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user._api_token_id = token.pk
    return token.user


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
