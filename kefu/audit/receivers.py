"""Login, logout and failed logins are recorded in the audit trail (R-AUD, R-SEC).

These receivers only record; throttling decisions live in ``kefu.org.auth``.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from kefu.audit.services import Action, record
from kefu.core.http import client_ip


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(actor=user, action=Action.LOGIN, obj=user, ip=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=Action.LOGOUT, obj=user, ip=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(
        actor=None,
        actor_name=username,
        action=Action.LOGIN_FAILED,
        object_type="org.user",
        object_repr=username,
        ip=client_ip(request) if request is not None else None,
    )
