"""Changing rule settings ("rules are data"). Administrators only; validated, versioned and audited.

Versions (R-ERR, API.md "Every object that can be edited has an integer version"): a setting that was
never overridden at a centre has version **0**; the first change creates the override row with version 1
and every change or reset adds 1. A reset keeps the row (value NULL = default) so versions never repeat.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.audit.services import Action, record
from kefu.core.concurrency import bump_version, check_version
from kefu.core.errors import Errors, NotAllowed, NotFound, StaleVersion
from kefu.rules import cache
from kefu.rules.models import RuleValue
from kefu.rules.registry import RuleDef, RuleValueError, constraints_for, get_def
from kefu.rules.selectors import can_change_rules, centre_id_for

OBJECT_TYPE = "rules.rulevalue"


class _NoRow:
    """Stands for an override row that does not exist yet: its version is 0."""

    version = 0


def _require_admin(actor) -> None:
    if actor is None or not can_change_rules(actor):
        raise NotAllowed(_("Only an administrator may change rule settings."))


def definition(key: str) -> RuleDef:
    """The definition of ``key`` or NotFound."""
    try:
        return get_def(key)
    except KeyError:
        raise NotFound(_("There is no rule setting “%(key)s”.") % {"key": key}) from None


def _resolve_centre_id(actor, centre) -> int:
    if centre is None:
        centre_id = centre_id_for(actor)
    else:
        centre_id = getattr(centre, "pk", centre)
    if centre_id is None:
        raise NotFound(_("Create the centre before changing its rule settings."))
    if not actor.is_superuser and actor.centre_id is not None and actor.centre_id != centre_id:
        raise NotAllowed(_("You may change the rule settings of your own centre only."))
    return int(centre_id)


def _stored_in_force(d: RuleDef, row: RuleValue | None) -> Any:
    if row is not None and row.value is not None:
        try:
            return d.clean(row.value)
        except RuleValueError:
            pass
    return d.default_json


def _check_constraints(errors: Errors, d: RuleDef, new_stored: Any, centre_id: int) -> None:
    """Cross-setting checks (e.g. urgency bands ascend, breaks lie within working hours)."""
    constraints = constraints_for(d.key)
    if not constraints:
        return
    keys = {k for c in constraints for k in c.keys}
    rows = {
        rv.key: rv
        for rv in RuleValue.objects.select_for_update().filter(centre_id=centre_id, key__in=keys)
    }
    values = {k: get_def(k).to_python(_stored_in_force(get_def(k), rows.get(k))) for k in keys}
    values[d.key] = d.to_python(new_stored)
    for constraint in constraints:
        message = constraint.check({k: values[k] for k in constraint.keys}, d.key)
        if message:
            errors.add("value", message)
            return


def _refused(d: RuleDef) -> str:
    return _("The setting “%(label)s” was not changed.") % {"label": d.label}


@transaction.atomic
def set_rule(*, actor, key: str, value: Any, version: int | None, centre=None) -> RuleValue:
    """Override ``key`` at ``centre`` (default: the actor's centre) with ``value``.

    ``version`` is the version the caller read (0 for a setting still at its default without a row).
    Raises NotAllowed (not an administrator), NotFound (unknown key), InvalidInput with a field error on
    ``value`` (wrong type, out of range, inconsistent with a related setting) or StaleVersion.
    """
    _require_admin(actor)
    d = definition(key)
    centre_id = _resolve_centre_id(actor, centre)

    errors = Errors()
    new = None
    try:
        new = d.clean(value)
    except RuleValueError as exc:
        errors.add("value", exc.message)
    errors.raise_if_any(_refused(d))

    row = RuleValue.objects.select_for_update().filter(centre_id=centre_id, key=key).first()
    check_version(row if row is not None else _NoRow(), version)
    old = _stored_in_force(d, row)

    _check_constraints(errors, d, new, centre_id)
    errors.raise_if_any(_refused(d))

    if row is not None and row.value == new:
        return row  # nothing changes
    if row is None:
        try:
            with transaction.atomic():
                row = RuleValue.objects.create(centre_id=centre_id, key=key, value=new, version=1,
                                               updated_by=actor)
        except IntegrityError:
            raise StaleVersion(
                _("This setting was changed by someone else meanwhile. Reload it and try again.")
            ) from None
    else:
        row.value = new
        row.updated_by = actor
        bump_version(row)
        row.save(update_fields=["value", "updated_by", "version", "updated_at"])

    record(
        actor=actor, action=Action.UPDATE, object_type=OBJECT_TYPE, object_id=key, object_repr=key,
        before={"value": old}, after={"value": new},
    )
    cache.invalidate(centre_id)
    return row


@transaction.atomic
def reset_rule(*, actor, key: str, version: int | None, centre=None) -> RuleValue | None:
    """Put ``key`` back to its SPEC default at ``centre``. Same checks as :func:`set_rule`.

    Returns the override row (now with ``value=None``), or ``None`` when the setting never had one.
    """
    _require_admin(actor)
    d = definition(key)
    centre_id = _resolve_centre_id(actor, centre)

    row = RuleValue.objects.select_for_update().filter(centre_id=centre_id, key=key).first()
    check_version(row if row is not None else _NoRow(), version)
    if row is None or row.value is None:
        return row  # already the default

    old = _stored_in_force(d, row)
    new = d.default_json
    errors = Errors()
    _check_constraints(errors, d, new, centre_id)
    errors.raise_if_any(_refused(d))

    row.value = None
    row.updated_by = actor
    bump_version(row)
    row.save(update_fields=["value", "updated_by", "version", "updated_at"])
    record(
        actor=actor, action=Action.UPDATE, object_type=OBJECT_TYPE, object_id=key, object_repr=key,
        before={"value": old}, after={"value": new}, note="reset to default",
    )
    cache.invalidate(centre_id)
    return row
