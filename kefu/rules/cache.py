"""The in-process cache of rule overrides, so :func:`get_rule` is cheap when called often. Other
per-centre settings kept as rows (the tickets' time limits) use it too, under their own ``namespace``.

* A per-process dict holds, per centre, the typed overrides together with the *generation* they were
  loaded under.
* The generation is a random token per centre in ``django.core.cache.cache`` (shared by all processes
  when the cache is shared, e.g. Redis). A write replaces it, so every process reloads on its next read.
  The shared token is looked up at most every ``CHECK_SECONDS`` per process; writes made in this process
  drop the local entry at once.
* An entry is also loaded again when it is ``MAX_AGE_SECONDS`` old, so a process that cannot see the
  shared generation (no shared cache) is never more than that behind.
* Values written by the current, still open transaction are never cached: until the transaction ends,
  reads of that centre go to the database, so the writer sees its change immediately and a rollback
  cannot leave uncommitted values behind in the cache. On commit the generation is replaced again.

With the local-memory cache backend (no REDIS_URL) the generation is per process: other processes then
see a change only after ``MAX_AGE_SECONDS``; run several processes with a shared cache.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_migrate

CHECK_SECONDS = 1.0
MAX_AGE_SECONDS = 30.0

_lock = threading.Lock()
_entries: dict[tuple[str, int], tuple[str, dict[Any, Any], float]] = {}
_checked: dict[tuple[str, int], tuple[str, float]] = {}
_default_centre: dict[str, int] = {}
_local = threading.local()


RULES = "rules"


def _gen_key(slot: tuple[str, int]) -> str:
    namespace, centre_id = slot
    return f"kefu:{namespace}:generation:{centre_id}"


def _dirty() -> set[tuple[str, int]]:
    dirty = getattr(_local, "dirty", None)
    if dirty is None:
        dirty = _local.dirty = set()
    return dirty


def _forget(slot: tuple[str, int]) -> None:
    with _lock:
        _entries.pop(slot, None)
        _checked.pop(slot, None)


def _new_generation(slot: tuple[str, int]) -> None:
    cache.set(_gen_key(slot), uuid.uuid4().hex, timeout=None)
    _forget(slot)


def invalidate(centre_id: int, using: str = DEFAULT_DB_ALIAS, *, namespace: str = RULES) -> None:
    """Call after writing an override of ``centre_id`` (the write service and model signals do)."""
    slot = (namespace, centre_id)
    _new_generation(slot)
    if connections[using].in_atomic_block:
        _dirty().add(slot)

        def committed() -> None:
            _dirty().discard(slot)
            _new_generation(slot)

        transaction.on_commit(committed, using=using)


def _generation(slot: tuple[str, int]) -> str:
    now = time.monotonic()
    memo = _checked.get(slot)
    if memo is not None and now - memo[1] < CHECK_SECONDS:
        return memo[0]
    gen = cache.get(_gen_key(slot))
    if gen is None:
        gen = uuid.uuid4().hex
        if not cache.add(_gen_key(slot), gen, timeout=None):
            gen = cache.get(_gen_key(slot)) or gen
    with _lock:
        _checked[slot] = (gen, now)
    return gen


def overrides(centre_id: int, loader: Callable[[int], dict[Any, Any]], *, namespace: str = RULES) -> dict[Any, Any]:
    """The typed overrides of a centre, from the cache or ``loader(centre_id)``. Do not mutate."""
    dirty = _dirty()
    if dirty and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        dirty.clear()  # the transaction that wrote has ended (committed or rolled back)
    slot = (namespace, centre_id)
    if slot in dirty:
        return loader(centre_id)
    gen = _generation(slot)
    entry = _entries.get(slot)
    if entry is not None and entry[0] == gen and time.monotonic() - entry[2] < MAX_AGE_SECONDS:
        return entry[1]
    values = loader(centre_id)
    with _lock:
        _entries[slot] = (gen, values, time.monotonic())
    return values


def default_centre_id(loader: Callable[[], int | None]) -> int | None:
    """The first centre's id; remembered until the next request, and only when read outside a
    transaction (which may roll back)."""
    cached = _default_centre.get("id")
    if cached is not None:
        return cached
    centre_id = loader()
    if centre_id is not None and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        _default_centre["id"] = centre_id
    return centre_id


def clear() -> None:
    """Forget everything cached in this process (tests call it between cases)."""
    with _lock:
        _entries.clear()
        _checked.clear()
        _default_centre.clear()
    _dirty().clear()


def _new_request(**kwargs) -> None:
    _default_centre.clear()


def _database_reset(**kwargs) -> None:
    # ``flush`` (TransactionTestCase, live-server tests) deletes rows without model signals.
    clear()


request_started.connect(_new_request, dispatch_uid="kefu.rules.cache.new_request")
post_migrate.connect(_database_reset, dispatch_uid="kefu.rules.cache.database_reset")
