"""The in-process cache of rule overrides, so :func:`get_rule` is cheap when called often.

* A per-process dict holds, per centre, the typed overrides together with the *generation* they were
  loaded under.
* The generation is a random token per centre in ``django.core.cache.cache`` (shared by all processes
  when the cache is shared, e.g. Redis). A write replaces it, so every process reloads on its next read.
  The shared token is looked up at most every ``CHECK_SECONDS`` per process; writes made in this process
  drop the local entry at once.
* Values written by the current, still open transaction are never cached: until the transaction ends,
  reads of that centre go to the database, so the writer sees its change immediately and a rollback
  cannot leave uncommitted values behind in the cache. On commit the generation is replaced again.

With the local-memory cache backend (no REDIS_URL) the generation is per process; run several
processes only with a shared cache.
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

_lock = threading.Lock()
_entries: dict[int, tuple[str, dict[str, Any]]] = {}
_checked: dict[int, tuple[str, float]] = {}
_default_centre: dict[str, int] = {}
_local = threading.local()


def _gen_key(centre_id: int) -> str:
    return f"kefu:rules:generation:{centre_id}"


def _dirty() -> set[int]:
    dirty = getattr(_local, "dirty", None)
    if dirty is None:
        dirty = _local.dirty = set()
    return dirty


def _forget(centre_id: int) -> None:
    with _lock:
        _entries.pop(centre_id, None)
        _checked.pop(centre_id, None)


def _new_generation(centre_id: int) -> None:
    cache.set(_gen_key(centre_id), uuid.uuid4().hex, timeout=None)
    _forget(centre_id)


def invalidate(centre_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Call after writing an override of ``centre_id`` (the write service and model signals do)."""
    _new_generation(centre_id)
    if connections[using].in_atomic_block:
        _dirty().add(centre_id)

        def committed() -> None:
            _dirty().discard(centre_id)
            _new_generation(centre_id)

        transaction.on_commit(committed, using=using)


def _generation(centre_id: int) -> str:
    now = time.monotonic()
    memo = _checked.get(centre_id)
    if memo is not None and now - memo[1] < CHECK_SECONDS:
        return memo[0]
    gen = cache.get(_gen_key(centre_id))
    if gen is None:
        gen = uuid.uuid4().hex
        if not cache.add(_gen_key(centre_id), gen, timeout=None):
            gen = cache.get(_gen_key(centre_id)) or gen
    with _lock:
        _checked[centre_id] = (gen, now)
    return gen


def overrides(centre_id: int, loader: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
    """The typed overrides of a centre, from the cache or ``loader(centre_id)``. Do not mutate."""
    dirty = _dirty()
    if dirty and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        dirty.clear()  # the transaction that wrote has ended (committed or rolled back)
    if centre_id in dirty:
        return loader(centre_id)
    gen = _generation(centre_id)
    entry = _entries.get(centre_id)
    if entry is not None and entry[0] == gen:
        return entry[1]
    values = loader(centre_id)
    with _lock:
        _entries[centre_id] = (gen, values)
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
