"""Writing the audit trail (R-AUD). Every service calls :func:`record` inside its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from kefu.audit.models import AuditEvent

Action = AuditEvent.Action


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in {"password", "digest"}:
            continue
        out[f.attname] = _json_value(getattr(obj, f.attname))
    return out


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, for compact before/after rows."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEvent:
    event = entry(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                  object_repr=object_repr, before=before, after=after, note=note, ip=ip, actor_name=actor_name)
    event.save(force_insert=True)
    return event


def entry(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """The audit row :func:`record` writes, not yet saved: for a service that writes it in one statement
    with the rows it records (ticket creation on PostgreSQL). It must be written in the same transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    return AuditEvent(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_name=(actor_name or (actor.get_username() if is_user else "system"))[:150],
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=str(object_repr)[:200],
        before=_json_value(before) if before is not None else None,
        after=_json_value(after) if after is not None else None,
        note=str(note)[:500],
        ip=ip,
        centre_id=getattr(actor, "centre_id", None) if is_user else None,
    )


def record_change(*, actor, obj: models.Model, before: dict, note: str = "") -> AuditEvent | None:
    """Record an update with only the changed fields; nothing when nothing changed."""
    b, a = changed(before, snapshot(obj))
    if not a:
        return None
    return record(actor=actor, action=Action.UPDATE, obj=obj, before=b, after=a, note=note)
