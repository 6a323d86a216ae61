"""Searching the audit trail (R-AUD): heads, directors and administrators only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kefu.audit.models import AuditEvent
from kefu.core.errors import NotAllowed

AUDIT_READER_ROLES = ("head", "director", "admin")


def can_read_audit(user) -> bool:
    return user.is_superuser or user.has_role(*AUDIT_READER_ROLES)


def search_events(
    user,
    *,
    q: str = "",
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    if not can_read_audit(user):
        raise NotAllowed(_("Only department heads, the centre director and administrators may read the audit trail."))
    qs = AuditEvent.objects.all()
    if not user.is_superuser and user.centre_id is not None:
        qs = qs.filter(Q(centre_id=user.centre_id) | Q(centre_id__isnull=True))
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(note__icontains=q) | Q(actor_name__icontains=q))
    if actor:
        qs = qs.filter(actor_name__iexact=actor)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def count_today(user, *, action: str | None = None) -> int:
    """Audit events of today (organisation time zone) visible to ``user``."""
    from django.utils import timezone

    today = timezone.localdate()
    qs = search_events(user, date_from=today, date_to=today)
    return qs.filter(action=action).count() if action else qs.count()
