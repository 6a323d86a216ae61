"""The secret address of a person's schedule as an iCalendar feed (CalendarFeed): created and renewed by
the person; renewing makes the old address stop working. Audited without the token (it is a secret)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from kefu.audit.services import Action, record
from kefu.workforce.models import CalendarFeed

TOKEN_BYTES = 32  # 43 characters in base64url


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def create_feed(*, actor) -> CalendarFeed:
    """The caller's feed, created when missing."""
    feed = CalendarFeed.objects.select_for_update().filter(person=actor).first()
    if feed is not None:
        return feed
    feed = CalendarFeed.objects.create(person=actor, token=new_token(), created_at=timezone.now())
    record(actor=actor, action=Action.CREATE, obj=feed, after={"person": actor.pk}, note="calendar feed created")
    return feed


@transaction.atomic
def regenerate_feed(*, actor) -> CalendarFeed:
    """A new secret address for the caller's feed; the old one answers 404 from now on."""
    feed = CalendarFeed.objects.select_for_update().filter(person=actor).first()
    if feed is None:
        return create_feed(actor=actor)
    feed.token = new_token()
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    record(actor=actor, action=Action.UPDATE, obj=feed, after={"person": actor.pk}, note="calendar feed renewed")
    return feed
