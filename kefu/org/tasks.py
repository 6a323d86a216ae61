"""Periodic work of the organisation app (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from kefu.org.tokens import purge_tokens


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_api_tokens() -> int:
    """Nightly: delete API tokens revoked or expired long ago."""
    return purge_tokens()
