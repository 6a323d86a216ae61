"""Notifications API, mounted at /api/v1/notifications: the caller's own notifications only."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from kefu.core.api import ErrorOut, Id, PageNumber
from kefu.core.errors import NotFound
from kefu.notifications import selectors, services

router = Router(tags=["notifications"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    read: bool

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class CountOut(Schema):
    count: int


class ReadIn(Schema):
    ids: list[Id] | None = None


class ReadOut(Schema):
    marked: int
    unread: int


@router.get("", response={200: list[NotificationOut], **ERRORS})
@paginate(PageNumber)
def list_notifications(request, unread: bool = False):
    """The caller's notifications, newest first; ``?unread=true`` for unread ones only."""
    return selectors.for_user(request.user, unread_only=unread)


@router.get("/unread-count", response={200: CountOut, **ERRORS})
def unread_count(request):
    return {"count": selectors.unread_count(request.user)}


@router.post("/read", response={200: ReadOut, **ERRORS})
def mark_read(request, payload: ReadIn):
    """Mark ``ids`` (``null``: all) of the caller's own notifications read; others' ids are ignored."""
    marked = services.mark_read(actor=request.user, ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}


def _own(request, notification_id: int):
    notification = selectors.own(request.user, notification_id)
    if notification is None:  # someone else's or none: the same answer
        raise NotFound(_("No such notification."))
    return notification


@router.get("/{notification_id}", response={200: NotificationOut, **ERRORS})
def get_notification(request, notification_id: Id):
    return _own(request, notification_id)


@router.post("/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def mark_one_read(request, notification_id: Id):
    """Mark one of the caller's notifications read (idempotent); another person's id → 404."""
    notification = _own(request, notification_id)
    services.mark_read(actor=request.user, ids=[notification.pk])
    notification.refresh_from_db(fields=["read_at"])
    return notification
