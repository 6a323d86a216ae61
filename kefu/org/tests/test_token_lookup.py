"""API token lookup (API.md "Auth"): which secrets let a person in, with their roles, in one query."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.org.models import ApiToken
from kefu.org.tokens import issue_token, user_for_token

pytestmark = pytest.mark.django_db


def test_a_valid_secret_finds_the_person_with_their_roles_in_one_query(demo, django_assert_num_queries):
    lead = demo.users["lead1"]
    _token, secret = issue_token(user=lead)
    user_for_token(secret)  # the first use touches last_used_at
    with django_assert_num_queries(1):
        found = user_for_token(secret)
        assert found == lead and found.role_codes == frozenset({"lead"})
        assert found.team_id == lead.team_id and found.username == "lead1"


@pytest.mark.parametrize("spoil", ["revoked", "expired", "inactive", "unknown"])
def test_a_revoked_expired_unknown_or_inactive_persons_secret_finds_nobody(demo, spoil):
    agent = demo.users["agent1"]
    token, secret = issue_token(user=agent)
    now = timezone.now()
    if spoil == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
    elif spoil == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=now - dt.timedelta(seconds=1))
    elif spoil == "inactive":
        type(agent).objects.filter(pk=agent.pk).update(is_active=False)
    else:
        secret += "x"
    assert user_for_token(secret) is None


def test_last_used_is_touched_at_most_once_a_minute(demo, monkeypatch):
    _token, secret = issue_token(user=demo.users["agent1"])
    start = timezone.now()
    for seconds, expected in ((0, 0), (59, 0), (61, 61)):
        monkeypatch.setattr(timezone, "now", lambda s=seconds: start + dt.timedelta(seconds=s))
        user_for_token(secret)
        assert ApiToken.objects.get(pk=_token.pk).last_used_at == start + dt.timedelta(seconds=expected)
