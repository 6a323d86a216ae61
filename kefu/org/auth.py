"""Authentication with throttling (R-SEC), shared by the login page and the API token endpoint.

An attempt is counted *before* its password is checked: a row of :class:`LoginAttempt` is written while
no other attempt can count (see :func:`_reserve`), and only then is the password checked. So however many
attempts run at the same time, in as many processes, at most ``max_failures_per_user`` passwords of one
username (and ``max_failures_per_ip`` from one address) are checked within the window. A correct password
gives its row back; a wrong one keeps it as the failure.
"""

from __future__ import annotations

import datetime as dt
import math
import zlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import connection, transaction
from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import Throttled
from kefu.core.http import client_ip
from kefu.org.models import LoginAttempt, User

# One PostgreSQL advisory lock (a constant key) guards the few statements that count an attempt; the
# password check itself runs outside it, in parallel.
_PG_LOCK_KEY = zlib.crc32(b"kefu.org.auth.login-throttle")


def _limits() -> tuple[dt.timedelta, int, int]:
    conf = settings.KEFU_LOGIN_THROTTLE
    return (
        dt.timedelta(minutes=conf["window_minutes"]),
        conf["max_failures_per_user"],
        conf["max_failures_per_ip"],
    )


def _throttled(first: dt.datetime, window: dt.timedelta, now: dt.datetime) -> Throttled:
    wait = first + window - now
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return Throttled(
        _("Too many failed logins. Try again in %(minutes)s minutes.") % {"minutes": minutes},
        retry_after_seconds=int(max(1, math.ceil(wait.total_seconds()))),
    )


def _over_limit(username: str, ip: str | None, now: dt.datetime, *, extra: int = 0) -> Throttled | None:
    """The refusal when the username or the IP already has its limit of attempts in the window
    (``extra``: the caller's own attempt, already written, is allowed to make the count one more)."""
    window, per_user, per_ip = _limits()
    recent = LoginAttempt.objects.filter(at__gt=now - window)
    checks = [(recent.filter(username__iexact=username), per_user)]
    if ip is not None:
        checks.append((recent.filter(ip=ip), per_ip))
    for qs, limit in checks:
        if qs.count() > limit - 1 + extra:
            return _throttled(qs.aggregate(first=Min("at"))["first"], window, now)
    return None


def check_throttle(username: str, ip: str | None) -> None:
    """Raise :class:`Throttled` when the username or the IP has used up its attempts (no row written)."""
    refusal = _over_limit(username, ip, timezone.now())
    if refusal is not None:
        raise refusal


def _reserve(username: str, ip: str | None) -> LoginAttempt:
    """Count this attempt, atomically: write its row, then count the window including it; over a limit,
    the row is taken back and :class:`Throttled` raised, with no password checked.

    Nobody else counts in between: on PostgreSQL a transaction-scoped advisory lock serialises this block
    across processes; on SQLite the row is written first, so the block holds the database's single write
    lock until it commits (and ``transaction_mode=IMMEDIATE`` takes that lock at BEGIN anyway)."""
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        attempt = LoginAttempt.objects.create(username=username[:150], ip=ip, at=now)
        refusal = _over_limit(username, ip, now, extra=1)
        if refusal is not None:
            raise refusal  # leaving the block rolls the row back
    return attempt


def authenticate_throttled(request: HttpRequest, username: str, password: str) -> User | None:
    """Authenticate, counting the attempt first; raises :class:`Throttled` while locked out.

    A correct password does not bypass the lock: otherwise guessing would simply continue.
    """
    attempt = _reserve(username, client_ip(request))
    user = authenticate(request, username=username, password=password)
    if user is not None:
        LoginAttempt.objects.filter(pk=attempt.pk).delete()  # a success is not a failure
    return user
