"""API of the rule settings, mounted at ``/api/v1/rules`` ("rules are data").

Heads, directors and administrators read; administrators change. A setting never overridden at the
caller's centre has ``version`` 0: send that version with the first PATCH.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema

from kefu.core.api import ErrorOut, Version
from kefu.core.errors import NotAllowed
from kefu.rules import selectors, services

router = Router(tags=["rules"])


class ChoiceOut(Schema):
    value: str
    label: str


class RuleOut(Schema):
    key: str
    group: str
    type: str
    value: Any
    default: Any
    is_default: bool
    min: Any = None
    max: Any = None
    choices: list[ChoiceOut] | None = None
    rule_id: str
    label: str
    help: str
    unit: str = ""
    version: int


class RulePatch(Schema):
    value: Any
    version: Version


def _require_viewer(user) -> None:
    if not selectors.can_view_rules(user):
        raise NotAllowed(
            _("Only department heads, the centre director and administrators may see the rule settings.")
        )


def _row(request, key: str) -> dict:
    definition = services.definition(key)
    return selectors.rule_row(definition.key, selectors.centre_id_for(request.user)).as_api()


@router.get("", response={200: list[RuleOut], 401: ErrorOut, 403: ErrorOut})
def list_rules(request):
    """Every rule setting with its value in force at the caller's centre and its SPEC default."""
    _require_viewer(request.user)
    return [row.as_api() for row in selectors.rule_rows(selectors.centre_id_for(request.user))]


@router.get("/{key}", response={200: RuleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def get_rule(request, key: str):
    _require_viewer(request.user)
    return _row(request, key)


@router.patch(
    "/{key}",
    response={200: RuleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def update_rule(request, key: str, payload: RulePatch):
    """Change a setting (administrators). ``version`` is the one read (0 while it has never been set)."""
    services.set_rule(actor=request.user, key=key, value=payload.value, version=payload.version)
    return _row(request, key)


@router.delete(
    "/{key}",
    response={200: RuleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def reset_rule(request, key: str, version: Version):
    """Reset a setting to its SPEC default (administrators); ``?version=`` is the one read."""
    services.reset_rule(actor=request.user, key=key, version=version)
    return _row(request, key)
