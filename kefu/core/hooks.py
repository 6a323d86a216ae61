"""A small registry of "after the commit" hooks, so that one app reacts to another's writes without the
writing app importing it (the tickets app knows nothing of quality inspection).

An app registers a function for an event name at ``AppConfig.ready()``; the writing service calls
``fire(event, **data)`` inside its transaction, and every registered function runs once the transaction
commits (``transaction.on_commit(..., robust=True)``: a failing hook is logged and never undoes or breaks
the write). Nothing runs when the transaction rolls back.

Events: ``ticket.public_reply`` (ticket_id), ``ticket.resolved`` (ticket_id) and ``kpi.days_changed`` (at: the
dates or times of earlier days whose KPI figures a correction changed; ``None`` items are ignored).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import partial

from django.db import transaction

_hooks: dict[str, list[Callable[..., object]]] = defaultdict(list)

TICKET_PUBLIC_REPLY = "ticket.public_reply"
TICKET_RESOLVED = "ticket.resolved"
KPI_DAYS_CHANGED = "kpi.days_changed"


def register(event: str, fn: Callable[..., object]) -> None:
    """Run ``fn(**data)`` after the commit of every transaction that fires ``event`` (once per function)."""
    if fn not in _hooks[event]:
        _hooks[event].append(fn)


def unregister(event: str, fn: Callable[..., object]) -> None:
    if fn in _hooks[event]:
        _hooks[event].remove(fn)


def fire(event: str, **data) -> None:
    for fn in list(_hooks.get(event, ())):
        transaction.on_commit(partial(fn, **data), robust=True)
