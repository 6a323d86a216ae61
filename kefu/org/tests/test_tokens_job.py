"""Background work: the periodic job that purges revoked and expired API tokens (Huey, immediate mode)."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.audit.models import AuditEvent
from kefu.org.models import ApiToken
from kefu.org.tasks import purge_old_api_tokens
from kefu.org.tokens import issue_token

pytestmark = pytest.mark.django_db


def test_purge_job_deletes_only_tokens_revoked_or_expired_longer_than_the_keep_period(demo, settings):
    settings.KEFU_API_TOKEN_KEEP_DAYS = 30
    user = demo.users["agent1"]
    now = timezone.now()
    fresh, _ = issue_token(user=user)
    revoked_long_ago, _ = issue_token(user=user)
    revoked_recently, _ = issue_token(user=user)
    expired_long_ago, _ = issue_token(user=user)
    ApiToken.objects.filter(pk=revoked_long_ago.pk).update(revoked_at=now - dt.timedelta(days=31))
    ApiToken.objects.filter(pk=revoked_recently.pk).update(revoked_at=now - dt.timedelta(days=29))
    ApiToken.objects.filter(pk=expired_long_ago.pk).update(expires_at=now - dt.timedelta(days=31))

    purge_old_api_tokens()  # through Huey, in immediate mode under tests

    left = set(ApiToken.objects.values_list("pk", flat=True))
    assert left == {fresh.pk, revoked_recently.pk}
    assert AuditEvent.objects.filter(object_type="org.apitoken", note__startswith="purged 2").exists()


def test_purge_job_is_scheduled_nightly():
    from huey.contrib.djhuey import HUEY

    assert purge_old_api_tokens.task_class in HUEY._registry._periodic_tasks
