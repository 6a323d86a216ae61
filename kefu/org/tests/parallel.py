"""Helpers for tests that send requests from several threads at the same moment (real connections,
committed data: use with ``@pytest.mark.django_db(transaction=True)``).

On SQLite the test database is an in-memory database in shared-cache mode, where a second writer is
refused at once ("database table is locked") instead of waiting: nothing like the file the server uses.
:func:`shared_database` therefore copies it into a file with the server's own settings (WAL, BEGIN
IMMEDIATE, a busy timeout) for the duration of the test. On PostgreSQL it changes nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    settings_dict = connections.databases["default"]
    memory_name = settings_dict["NAME"]
    keep = sqlite3.connect(memory_name, uri=True)  # keeps the in-memory database alive meanwhile
    path = tmp_path / "parallel.sqlite3"
    copy = sqlite3.connect(path)
    keep.backup(copy)
    copy.close()
    settings_dict["NAME"] = str(path)
    connection.close()  # no longer "in memory": really closes, the next query opens the file
    try:
        yield
    finally:
        connections.close_all()
        settings_dict["NAME"] = memory_name
        connection.ensure_connection()  # back on the in-memory database before the last link to it goes
        keep.close()


def in_parallel(send: Callable[[], object], n: int) -> list:
    """``send()`` from ``n`` threads released together; their results (or the exceptions they raised)."""
    barrier = threading.Barrier(n)
    results: list = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait()
            result = send()
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts there are none
            result = exc
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
