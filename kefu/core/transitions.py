"""Explicit status transition maps: only listed moves are allowed."""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from kefu.core.errors import RuleViolation


def _label(transitions: Mapping[str, frozenset[str]], code: str) -> str:
    """A status as people read it: the label of the TextChoices member the map is written with."""
    for state in [*transitions, *(t for targets in transitions.values() for t in targets)]:
        if state == code:
            return str(getattr(state, "label", code))
    return code


def check_transition(transitions: Mapping[str, frozenset[str]], current: str, target: str, *, rule: str) -> None:
    if target not in transitions.get(current, frozenset()):
        raise RuleViolation(
            _("A change from “%(current)s” to “%(target)s” is not allowed.")
            % {"current": _label(transitions, current), "target": _label(transitions, target)},
            rule=rule,
        )
