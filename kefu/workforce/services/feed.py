"""The secret address of a person's schedule as an iCalendar feed (CalendarFeed): created and renewed by
the person; renewing makes the old address stop working. Audited without the token (it is a secret)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from kefu.audit.services import Action, record
from kefu.workforce.models import CalendarFeed

TOKEN_BYTES = 32  # 43 characters in base64url


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def create_feed(*, actor) -> CalendarFeed:
    """The caller's feed, created when missing. The caller's row is locked first, so that two tabs creating
    the feed at once get the same one (not a clash on the unique person)."""
    from kefu.org.models import User

    User.objects.select_for_update().filter(pk=actor.pk).first()
    feed = CalendarFeed.objects.select_for_update().filter(person=actor).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(person=actor, token=new_token(), created_at=timezone.now())
    except IntegrityError:  # created meanwhile (a database without row locks): that one is the caller's feed
        return CalendarFeed.objects.get(person=actor)
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
