"""Changing the business calendar (R-CAL): administrators add, override and remove days.

Every write is transactional, audited (R-AUD) and clears the selectors' cache of overrides.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record, snapshot
from kefu.bizcalendar.models import CalendarDay
from kefu.bizcalendar.selectors import invalidate_cache
from kefu.core.errors import Errors, NotAllowed, NotFound

NAME_MAX_LENGTH = 100


def is_calendar_admin(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.has_role("admin"))


def _require_admin(actor) -> None:
    if not is_calendar_admin(actor):
        raise NotAllowed(_("Only an administrator may change the business calendar."))


def _clean_date(errors: Errors, value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed
    errors.add("date", _("Enter a date as YYYY-MM-DD."))
    return None


@transaction.atomic
def set_day(*, actor, date, kind: str, name: str) -> CalendarDay:
    """Create or replace the override for ``date``: a holiday or a working day with a name."""
    _require_admin(actor)
    errors = Errors()
    day = _clean_date(errors, date)
    if kind not in CalendarDay.Kind.values:
        errors.add("kind", _("Choose holiday or working day."))
    name = (name or "").strip()
    if not name:
        errors.add("name", _("A name is required."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.add("name", _("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH})
    errors.raise_if_any(_("The day could not be saved."))

    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    if existing is None:
        entry = CalendarDay.objects.create(date=day, kind=kind, name=name, created_by=actor)
        record(actor=actor, action=Action.CREATE, obj=entry, after=snapshot(entry))
    else:
        entry = existing
        before = snapshot(entry)
        if entry.kind != kind or entry.name != name:
            entry.kind = kind
            entry.name = name
            entry.save(update_fields=["kind", "name"])
            record(actor=actor, action=Action.UPDATE, obj=entry, before=before, after=snapshot(entry))
    invalidate_cache()
    return entry


@transaction.atomic
def remove_day(*, actor, date) -> None:
    """Remove the override for ``date``; the packaged schedule (or the weekend rule) applies again."""
    _require_admin(actor)
    errors = Errors()
    day = _clean_date(errors, date)
    errors.raise_if_any(_("The day could not be removed."))
    entry = CalendarDay.objects.select_for_update().filter(date=day).first()
    if entry is None:
        raise NotFound(_("There is no custom entry for this date."))
    record(actor=actor, action=Action.DELETE, obj=entry, before=snapshot(entry))
    entry.delete()
    invalidate_cache()
