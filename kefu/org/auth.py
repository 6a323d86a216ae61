"""Authentication with throttling (R-SEC), shared by the login page and the API token endpoint."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.db.models import Min
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.errors import Throttled
from kefu.core.http import client_ip
from kefu.org.models import LoginAttempt, User


def _limits() -> tuple[dt.timedelta, int, int]:
    conf = settings.KEFU_LOGIN_THROTTLE
    return (
        dt.timedelta(minutes=conf["window_minutes"]),
        conf["max_failures_per_user"],
        conf["max_failures_per_ip"],
    )


def check_throttle(username: str, ip: str | None) -> None:
    """Raise :class:`Throttled` when the username or the IP has too many recent failures."""
    window, per_user, per_ip = _limits()
    since = timezone.now() - window
    recent = LoginAttempt.objects.filter(at__gte=since)
    for qs, limit in ((recent.filter(username__iexact=username), per_user), (recent.filter(ip=ip), per_ip)):
        if ip is None and limit == per_ip:
            continue
        stats = qs.aggregate(first=Min("at"))
        if stats["first"] is not None and qs.count() >= limit:
            wait = stats["first"] + window - timezone.now()
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            raise Throttled(
                _("Too many failed logins. Try again in %(minutes)s minutes.") % {"minutes": minutes},
                retry_after_seconds=int(max(1, wait.total_seconds())),
            )


def authenticate_throttled(request: HttpRequest, username: str, password: str) -> User | None:
    """Authenticate, counting failures; raises :class:`Throttled` while locked out.

    A correct password does not bypass the lock: otherwise guessing would simply continue.
    """
    ip = client_ip(request)
    check_throttle(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginAttempt.objects.create(username=username[:150], ip=ip, at=timezone.now())
        return None
    return user
