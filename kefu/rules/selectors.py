"""Reading rule settings: the typed value in force, and the rows of the settings page and API.

``get_rule("customers.cadence_days.A")`` is the one way code reads a configurable rule (SPEC: "Every rule
… is configurable per organisation"). It is cached per process (see :mod:`kefu.rules.cache`) and safe to
call many times per request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kefu.org.roles import Role
from kefu.rules import cache
from kefu.rules.models import RuleValue
from kefu.rules.registry import GROUPS, RuleDef, RuleValueError, all_defs, get_def

logger = logging.getLogger(__name__)

VIEWER_ROLES = (Role.HEAD, Role.DIRECTOR, Role.ADMIN)
EDITOR_ROLES = (Role.ADMIN,)


def can_view_rules(user) -> bool:
    """Department heads, centre directors and administrators may read the settings."""
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*VIEWER_ROLES)))


def can_change_rules(user) -> bool:
    """Only administrators may change them."""
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(*EDITOR_ROLES)))


def _centre_model():
    # The centre model without importing kefu.org.models (import contract: apps meet via services/selectors).
    return RuleValue._meta.get_field("centre").related_model


def _first_centre_id() -> int | None:
    return _centre_model().objects.order_by("pk").values_list("pk", flat=True).first()


def default_centre_id() -> int | None:
    """The installation's centre (the first one); ``None`` before any centre exists."""
    return cache.default_centre_id(_first_centre_id)


def centre_id_for(user=None) -> int | None:
    """The centre whose settings apply to ``user``: their own, else the installation's."""
    centre_id = getattr(user, "centre_id", None) if user is not None else None
    return centre_id or default_centre_id()


def _typed_or_none(d: RuleDef, stored: Any) -> Any:
    try:
        return d.to_python(d.clean(stored))
    except (RuleValueError, TypeError, ValueError):
        logger.warning("Ignoring the invalid stored value of rule %s; the default applies.", d.key)
        return _MISSING


_MISSING = object()


def _load_overrides(centre_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = RuleValue.objects.filter(centre_id=centre_id, value__isnull=False).values_list("key", "value")
    for key, stored in rows:
        try:
            d = get_def(key)
        except KeyError:
            continue  # a setting that is no longer declared
        typed = _typed_or_none(d, stored)
        if typed is not _MISSING:
            out[key] = typed
    return out


_defaults: dict[str, Any] = {}


def _default_typed(d: RuleDef) -> Any:
    value = _defaults.get(d.key, _MISSING)
    if value is _MISSING:
        value = _defaults[d.key] = d.to_python(d.default_json)
    return value


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def get_rule(key: str, *, centre_id: int | None = None) -> Any:
    """The typed value in force for ``key`` at ``centre_id`` (default: the installation's centre).

    int → ``int``; decimal → ``Decimal``; bool → ``bool``; time → ``datetime.time``; choice → ``str``;
    time_ranges → ``list[tuple[time, time]]``; roles → ``list[str]``. Unknown key → ``KeyError``.
    """
    d = get_def(key)
    if centre_id is None:
        centre_id = default_centre_id()
    if centre_id is not None:
        value = cache.overrides(centre_id, _load_overrides).get(key, _MISSING)
        if value is not _MISSING:
            return _copy(value)
    return _copy(_default_typed(d))


def get_rules(*keys: str, centre_id: int | None = None) -> dict[str, Any]:
    """Several typed values at once: ``{key: value}``."""
    if centre_id is None:
        centre_id = default_centre_id()
    return {key: get_rule(key, centre_id=centre_id) for key in keys}


def count_overrides(*, centre_id: int | None = None) -> int:
    """How many settings of the centre differ from the SPEC default by an override (home page card)."""
    if centre_id is None:
        centre_id = default_centre_id()
    if centre_id is None:
        return 0
    return sum(1 for row in rule_rows(centre_id) if not row.is_default)


def clear_cache() -> None:
    """Forget the cached values of this process (for tests)."""
    cache.clear()


# -- rows for the page and the API ----------------------------------------------------------------------


@dataclass
class RuleRow:
    definition: RuleDef
    value: Any  # stored (JSON) shape of the value in force
    is_default: bool
    version: int  # 0 when the centre never had an override row
    updated_by: str = ""
    updated_at: Any = None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def default(self) -> Any:
        return self.definition.default_json

    @property
    def display(self) -> str:
        return self.definition.display(self.value)

    @property
    def default_display(self) -> str:
        return self.definition.display(self.default)

    def as_api(self) -> dict[str, Any]:
        d = self.definition
        return {
            "key": d.key,
            "group": d.group,
            "type": d.type,
            "value": self.value,
            "default": self.default,
            "is_default": self.is_default,
            "min": d.json_bound(d.min),
            "max": d.json_bound(d.max),
            "choices": [{"value": c, "label": str(label)} for c, label in d.choices] or None,
            "rule_id": d.rule_id,
            "label": str(d.label),
            "help": str(d.help),
            "unit": str(d.unit),
            "version": self.version,
        }


@dataclass
class RuleGroup:
    code: str
    label: Any
    rows: list[RuleRow]


def _row(d: RuleDef, rv: RuleValue | None) -> RuleRow:
    if rv is None:
        return RuleRow(definition=d, value=d.default_json, is_default=True, version=0)
    value, is_default = d.default_json, True
    if rv.value is not None:
        try:
            value, is_default = d.clean(rv.value), False
        except (RuleValueError, TypeError, ValueError):
            logger.warning("Ignoring the invalid stored value of rule %s; the default applies.", d.key)
    return RuleRow(
        definition=d, value=value, is_default=is_default, version=rv.version,
        updated_by=str(rv.updated_by) if rv.updated_by_id else "", updated_at=rv.updated_at,
    )


def _stored_rows(centre_id: int | None) -> dict[str, RuleValue]:
    if centre_id is None:
        return {}
    return {rv.key: rv for rv in RuleValue.objects.filter(centre_id=centre_id).select_related("updated_by")}


def rule_rows(centre_id: int | None = None) -> list[RuleRow]:
    """Every setting with its value in force (fresh from the database), in registry order."""
    if centre_id is None:
        centre_id = default_centre_id()
    stored = _stored_rows(centre_id)
    return [_row(d, stored.get(d.key)) for d in all_defs()]


def rule_row(key: str, centre_id: int | None = None) -> RuleRow:
    """One setting's row; ``KeyError`` for an unknown key."""
    d = get_def(key)
    if centre_id is None:
        centre_id = default_centre_id()
    rv = None
    if centre_id is not None:
        rv = RuleValue.objects.filter(centre_id=centre_id, key=key).select_related("updated_by").first()
    return _row(d, rv)


def rules_for_display(centre_id: int | None = None) -> list[RuleGroup]:
    """The settings grouped by area (customers, tickets, …) for the page, empty groups left out."""
    rows = rule_rows(centre_id)
    groups = []
    for code, label in GROUPS.items():
        members = [r for r in rows if r.definition.group == code]
        if members:
            groups.append(RuleGroup(code=code, label=label, rows=members))
    return groups
