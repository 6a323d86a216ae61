"""Sending notifications: a row per recipient for the bell, and on request one e-mail per recipient.

Other apps call :func:`notify` inside their own transaction::

    from kefu.notifications.services import notify
    notify(recipients=[owner], kind="ticket_assigned", title=_("Ticket %(n)s is yours") % {...},
           url=reverse("tickets:detail", args=[ticket.pk]), email=True)

* ``recipients``: people (user objects) or their ids; duplicates, ``None`` and inactive people are left out.
* ``title`` and ``body`` may be lazy translations (``gettext_lazy``): each recipient then gets them in
  their own interface language. Plain strings are stored as they are.
* ``email=True`` sends ONE e-mail per recipient with an address, after the caller's transaction commits
  (nothing is sent when it rolls back): the Huey consumer sends them (:mod:`kefu.notifications.tasks`),
  or this process when the queue is unreachable. A mail failure is logged and never reaches the caller;
  ``emailed_at`` tells which notifications went out by e-mail.

The notification itself is not an audit event: the service that caused it records the event (R-AUD).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kefu.core.numbers import ids_in_range
from kefu.notifications.models import Notification

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length
KIND_MAX = Notification._meta.get_field("kind").max_length


def _people(recipients: Iterable[Any]) -> list:
    """Distinct active people, in the order given; ids are fetched in one query."""
    found: dict[int, Any] = {}
    ids: list[int] = []
    for r in recipients or ():
        if r is None:
            continue
        if isinstance(r, int):
            ids.append(r)
        elif r.pk is not None:
            found.setdefault(r.pk, r)
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        for person in get_user_model().objects.filter(pk__in=missing).only("pk", "email", "language", "is_active"):
            found[person.pk] = person
    return [p for p in found.values() if p.is_active]


def _language(person) -> str:
    return getattr(person, "language", "") or settings.LANGUAGE_CODE


def _text(value: Any, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Promise):
        with translation.override(language):
            return str(value)
    return str(value)


@transaction.atomic
def notify(*, recipients, kind: str, title, body="", url: str = "", email: bool = False) -> list[Notification]:
    """Create one notification per recipient (one query) and, with ``email=True``, schedule one e-mail
    per recipient for after the commit. Returns the notifications created."""
    kind = str(kind)
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"A notification kind is a short code of at most {KIND_MAX} characters.")
    people = _people(recipients)
    if not people:
        return []
    now = timezone.now()
    url = str(url or "")[:URL_MAX]
    rows = []
    for person in people:
        language = _language(person)
        rows.append(Notification(recipient=person, kind=kind, title=_text(title, language)[:TITLE_MAX],
                                 body=_text(body, language), url=url, created_at=now))
    created = Notification.objects.bulk_create(rows)
    if email:
        jobs = [(n.pk, p.email, _language(p)) for n, p in zip(created, people, strict=True) if p.email]
        if jobs:
            transaction.on_commit(partial(_dispatch_emails, jobs), robust=True)
    return created


def _dispatch_emails(jobs: list[tuple[int, str, str]]) -> None:
    """After the commit: hand the e-mails to the Huey consumer; when the queue cannot be reached, send
    them here. Never raises."""
    try:
        from kefu.notifications.tasks import send_notification_emails

        send_notification_emails(jobs)
    except Exception:
        logger.warning("Could not queue %s notification e-mail(s); sending them now", len(jobs), exc_info=True)
        deliver_emails(jobs)


def _absolute(url: str) -> str:
    base = getattr(settings, "KEFU_BASE_URL", "") or ""
    if not url or url.startswith(("http://", "https://")) or not base:
        return url
    return base.rstrip("/") + "/" + url.lstrip("/")


def _message(notification: Notification, language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = notification.title
        parts = [notification.body] if notification.body else []
        if notification.url:
            parts.append(_("Open: %(url)s") % {"url": _absolute(notification.url)})
        parts.append(_("This message was sent by kefu, the customer service system."))
    return subject, "\n\n".join(parts) + "\n"


def deliver_emails(jobs: list[tuple[int, str, str]]) -> int:
    """Send one e-mail per (notification id, address, language) not sent yet, over one connection.
    Each notification is claimed (``emailed_at`` set) before its e-mail goes out, so a task that runs
    twice, even at the same time, sends it once; a failed e-mail gives its claim back. Returns how many
    were sent. Never raises: a failure is logged (without the message text) and the others still go out."""
    try:
        notifications = Notification.objects.in_bulk([pk for pk, _addr, _lang in jobs])
        connection = get_connection(fail_silently=False)
    except Exception:
        logger.exception("Could not prepare %s notification e-mail(s)", len(jobs))
        return 0
    sent = 0
    for pk, address, language in jobs:
        notification = notifications.get(pk)
        if notification is None or notification.emailed_at is not None:
            continue
        try:
            claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
        except Exception:
            logger.exception("Could not claim notification %s for e-mail", pk)
            continue
        if not claimed:  # another run sent it meanwhile
            continue
        try:
            subject, text = _message(notification, language)
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [address], connection=connection)
        except Exception:  # a mail server problem must not stop the others nor reach the caller
            logger.exception("Could not e-mail notification %s", pk)
            try:
                Notification.objects.filter(pk=pk).update(emailed_at=None)
            except Exception:
                logger.exception("Could not release notification %s after a failed e-mail", pk)
            continue
        sent += 1
    try:
        connection.close()
    except Exception:
        logger.debug("Closing the mail connection failed", exc_info=True)
    return sent


def mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own unread notifications as read: those in ``ids``, or all when ``ids`` is None.
    Others' notifications among ``ids`` are left alone. Returns how many were marked."""
    qs = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if ids is not None:
        ids = ids_in_range((int(i) for i in ids), Notification._meta.pk)  # others cannot exist
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def mark_read_about(*, actor, kind: str, url: str) -> int:
    """Mark the actor's unread notifications of ``kind`` pointing at ``url`` as read (e.g. when the actor
    confirms the announcement they announce). Returns how many were marked."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True, kind=kind, url=url).update(
        read_at=timezone.now())
