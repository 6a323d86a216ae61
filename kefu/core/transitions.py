"""Explicit status transition maps: only listed moves are allowed."""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from kefu.core.errors import RuleViolation


def check_transition(transitions: Mapping[str, frozenset[str]], current: str, target: str, *, rule: str) -> None:
    if target not in transitions.get(current, frozenset()):
        raise RuleViolation(
            _("A change from “%(current)s” to “%(target)s” is not allowed.") % {"current": current, "target": target},
            rule=rule,
        )
