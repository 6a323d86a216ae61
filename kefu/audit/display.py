"""How the audit trail reads to a person (R-AUD): who (their name), when (local time), what object (its
name and a link to its page) and a field-by-field before → after table with the fields' labels and the
values' display names.

The audit app imports no other app's models. Each app says how its objects are shown in its own
``audit_display`` module (found at start-up, like ``admin`` modules), calling :func:`register` with the
object type it records (``"customers.customer"``), the URL of an object's page and, where useful, which
fields are money or are not worth showing. Field labels, choices and foreign keys are read from the
model's metadata through Django's app registry."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

EMPTY = "—"
# internal fields: search helpers, optimistic-lock counters, timestamps every save moves
HIDDEN = frozenset({"id", "version", "updated_at", "search_text", "name_pinyin", "name_initials", "reversed_number",
                    "password", "digest", "last_login"})


@dataclass(frozen=True)
class Kind:
    object_type: str
    url: Callable[[str, Any], str] | None = None
    name: Callable[[Any], str] | None = None
    lookup: bool = True
    select_related: tuple[str, ...] = ()  # False: object_id is not a primary key (the object's name is object_repr)
    money: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()
    labels: dict[str, str] = field(default_factory=dict)
    value: Callable[[str, str, Any], str | None] | None = None
    notes: dict[str, str] = field(default_factory=dict)


_REGISTRY: dict[str, Kind] = {}


def register(object_type: str, *, url: Callable[[str, Any], str] | None = None,
             name: Callable[[Any], str] | None = None, lookup: bool = True, select_related: Iterable[str] = (),
             money: Iterable[str] = (), hidden: Iterable[str] = (), labels: dict[str, str] | None = None,
             value: Callable[[str, str, Any], str | None] | None = None,
             notes: dict[str, str] | None = None) -> None:
    """Called by an app's ``audit_display`` module: how objects of ``object_type`` are shown.
    ``url(object_id, obj)`` gives the object's page (``obj`` is None when ``lookup=False``: the id is not a
    primary key); ``name(obj)`` its name (default ``str(obj)``, with ``select_related`` loaded);
    ``labels`` names recorded keys that are not model fields (lazy translations); ``value(object_id, key,
    value)`` may render a value itself (None: the usual rendering). Without lookup, ``name(object_id)``.
    ``notes`` names the codes the app's services write as an event's note (``"pool:claim"``)."""
    _REGISTRY[object_type] = Kind(object_type, url=url, name=name, lookup=lookup,
                                  select_related=tuple(select_related), money=frozenset(money),
                                  hidden=frozenset(hidden), labels=dict(labels or {}), value=value,
                                  notes=dict(notes or {}))


def kind_for(object_type: str) -> Kind | None:
    return _REGISTRY.get(object_type)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _fields(model: type[models.Model] | None) -> dict[str, models.Field]:
    """Each concrete or many-to-many field under its name and its attname (``owner`` and ``owner_id``)."""
    if model is None:
        return {}
    out: dict[str, models.Field] = {}
    for f in model._meta.get_fields():
        if not getattr(f, "concrete", False) and not getattr(f, "many_to_many", False):
            continue
        if getattr(f, "auto_created", False) and not f.concrete:
            continue
        out[f.name] = f
        attname = getattr(f, "attname", None)
        if attname:
            out[attname] = f
    return out


@dataclass
class Change:
    key: str
    label: str
    before: str
    after: str


@dataclass
class ShownEvent:
    event: Any
    who: str
    when: dt.datetime
    object_name: str
    object_url: str
    object_kind: str
    changes: list[Change]
    note: str = ""


# notes written by shared code (the admin site, sign-in)
COMMON_NOTES = {
    "admin": _lazy("Changed in the administration site"),
    "password changed": _lazy("Password changed"),
    "reset to default": _lazy("Reset to the default"),
}


def note_text(note: str, kind: Kind | None) -> str:
    """A recorded note as words: a code the app named, else the note as written."""
    if not note:
        return ""
    if kind is not None and note in kind.notes:
        return str(kind.notes[note])
    return str(COMMON_NOTES.get(note, note))


# -- values -------------------------------------------------------------------------------------------


def _is_relation(f: models.Field | None) -> bool:
    return f is not None and (f.many_to_one or f.one_to_one or f.many_to_many) and f.related_model is not None


def _ids(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _money(value: Any) -> str:
    try:
        amount = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return str(value)
    return f"¥{amount:,.2f}"


def _when(value: Any, f: models.Field | None) -> str | None:
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if isinstance(f, models.DateField) and isinstance(value, str):
        day = parse_date(value[:10])
        if day is not None:
            return day.isoformat()
    return None


def format_value(value: Any, f: models.Field | None, *, kind: Kind | None, key: str, names: dict,
                 object_id: str = "") -> str:
    """One recorded value as a person reads it: choices → labels, booleans → 是/否, None → —, foreign keys
    → names, money with ¥ and separators, moments in local time."""
    if kind is not None and kind.value is not None:
        shown = kind.value(object_id, key, value)
        if shown is not None:
            return shown
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if _is_relation(f):
        model = f.related_model
        shown = [names.get((model._meta.label_lower, str(v)), f"#{v}") for v in _ids(value)]
        return "、".join(shown)
    if f is not None and f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        if isinstance(value, list):
            return "、".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if kind is not None and key in kind.money:
        return _money(value)
    when = _when(value, f)
    if when is not None:
        return when
    if isinstance(f, models.DecimalField):
        return f"{decimal.Decimal(str(value)):,.{f.decimal_places}f}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or EMPTY
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _label(key: str, f: models.Field | None, kind: Kind | None) -> str:
    if kind is not None and key in kind.labels:
        return str(kind.labels[key])
    if f is not None:
        return capfirst(str(f.verbose_name))
    return key.replace("_", " ")


# -- a page of events ----------------------------------------------------------------------------------


def _related_names(wanted: dict[type[models.Model], set[str]]) -> dict[tuple[str, str], str]:
    """One query per related model for all the ids a page of events mentions."""
    names: dict[tuple[str, str], str] = {}
    for model, ids in wanted.items():
        pks = [i for i in ids if i not in ("", "None")]
        if not pks:
            continue
        try:
            rows = list(model._default_manager.filter(pk__in=pks))
        except (ValueError, TypeError):
            continue
        label = model._meta.label_lower
        for row in rows:
            names[(label, str(row.pk))] = str(row)
    return names


def _object_names(events) -> dict[tuple[str, str], tuple[str, str]]:
    """(object_type, object_id) → (name, url) for the objects that still exist; one query per type."""
    by_type: dict[str, set[str]] = {}
    for e in events:
        if e.object_type and e.object_id:
            by_type.setdefault(e.object_type, set()).add(e.object_id)
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for object_type, ids in by_type.items():
        kind = kind_for(object_type)
        if kind is None:
            continue
        if not kind.lookup:
            for object_id in ids:
                name = kind.name(object_id) if kind.name else ""
                out[(object_type, object_id)] = (name, _url(kind, object_id, None))
            continue
        model = _model(object_type)
        if model is None:
            continue
        try:
            qs = model._default_manager.filter(pk__in=list(ids))
            rows = list(qs.select_related(*kind.select_related) if kind.select_related else qs)
        except (ValueError, TypeError):
            continue
        for row in rows:
            name = kind.name(row) if kind.name else str(row)
            out[(object_type, str(row.pk))] = (name, _url(kind, str(row.pk), row))
    return out


def _url(kind: Kind, object_id: str, obj: Any) -> str:
    if kind.url is None:
        return ""
    try:
        return kind.url(object_id, obj)
    except (NoReverseMatch, ValueError):
        return ""


def _type_label(object_type: str) -> str:
    model = _model(object_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else object_type


def show_events(events) -> list[ShownEvent]:
    """The events of one page as a person reads them. Queries: one per object type and one per model
    that foreign keys in the changes point to, whatever the number of events."""
    discover()
    events = list(events)
    plans = []
    wanted: dict[type[models.Model], set[str]] = {}
    for e in events:
        kind = kind_for(e.object_type)
        fields = _fields(_model(e.object_type))
        before = e.before if isinstance(e.before, dict) else ({} if e.before is None else {"": e.before})
        after = e.after if isinstance(e.after, dict) else ({} if e.after is None else {"": e.after})
        hidden = HIDDEN | (kind.hidden if kind else frozenset())
        keys = [k for k in dict.fromkeys([*before, *after]) if k not in hidden]
        for k in keys:
            f = fields.get(k)
            if _is_relation(f):
                for side in (before, after):
                    wanted.setdefault(f.related_model, set()).update(str(v) for v in _ids(side.get(k)))
        plans.append((e, kind, fields, before, after, keys))
    names = _related_names(wanted)
    objects = _object_names(events)
    shown = []
    for e, kind, fields, before, after, keys in plans:
        changes = [
            Change(key=k, label=_label(k, fields.get(k), kind) if k else _("Value"),
                   before=format_value(before.get(k), fields.get(k), kind=kind, key=k, names=names,
                                       object_id=e.object_id) if k in before else EMPTY,
                   after=format_value(after.get(k), fields.get(k), kind=kind, key=k, names=names,
                                      object_id=e.object_id) if k in after else EMPTY)
            for k in keys
        ]
        if e.action in {"create", "delete"}:  # a new or removed object: only the fields that hold something
            changes = [c for c in changes if c.after != EMPTY or c.before != EMPTY]
        name, url = objects.get((e.object_type, e.object_id), ("", ""))
        who = str(e.actor) if e.actor_id and e.actor is not None else (e.actor_name or _("System"))
        shown.append(ShownEvent(
            event=e, who=who, when=timezone.localtime(e.at), object_name=name or e.object_repr or EMPTY,
            object_url=url, object_kind=_type_label(e.object_type) if e.object_type else "", changes=changes,
            note=note_text(e.note, kind)))
    return shown


_discovered = False


def discover() -> None:
    """Import every installed app's ``audit_display`` module (once)."""
    global _discovered  # noqa: PLW0603 - a process-wide "done once" flag
    if _discovered:
        return
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("audit_display")
    _discovered = True
