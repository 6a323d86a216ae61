"""Reading a person's notifications. Everyone sees only their own."""

from __future__ import annotations

from django.db.models import QuerySet

from kefu.notifications.models import Notification


def for_user(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's notifications, newest first (uses the inbox index)."""
    qs = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def recent(user, limit: int = 20) -> list[Notification]:
    """The latest ``limit`` notifications, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(for_user(user)[:limit])


def own(user, notification_id: int) -> Notification | None:
    return Notification.objects.filter(recipient_id=user.pk, pk=notification_id).first()
