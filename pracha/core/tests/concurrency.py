"""Run the same work in several threads at once, each with its own database connection.

Use with pytest-django's `transactional_db`, so the workers see committed data and nothing is hidden in
the test's own transaction. On PostgreSQL every thread opens its own connection to the test database.
SQLite's test database lives in memory, where separate connections share one cache and fail with
"table is locked" instead of waiting; `shared_database` therefore copies it to a file for the duration
of the test, so the workers meet the same locking (BEGIN IMMEDIATE, busy timeout, WAL) as the embedded
profile in production.
"""

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

T = TypeVar("T")


@contextlib.contextmanager
def shared_database(directory: Path) -> Iterator[None]:
    """Point every connection (this thread's and the workers') at a database all of them can reach."""
    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        yield
        return
    connection = cast(SQLiteWrapper, connections[DEFAULT_DB_ALIAS])
    if not connection.is_in_memory_db():  # a file already: every connection reaches it
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    file_name = str(directory / "shared.sqlite3")
    connection.ensure_connection()
    # A second connection keeps the in-memory database alive while the test's own one points elsewhere.
    keeper = sqlite3.connect(memory_name, uri=True)
    try:
        copy = sqlite3.connect(file_name)
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")
        copy.close()
        # The settings dict is shared with the connections that new threads create.
        connection.settings_dict["NAME"] = file_name
        connection.close()
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = memory_name
            connection.ensure_connection()
    finally:
        keeper.close()


def run_in_threads(work: Callable[[int], T], *, workers: int) -> list[T]:
    """Start `workers` threads together, each calling work(worker_number) on its own connection.

    Re-raises the first worker's exception, so a failure cannot hide behind a missing result.
    """
    start = threading.Barrier(workers)
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(number: int) -> None:
        close_old_connections()
        try:
            start.wait(timeout=30)
            results[number] = work(number)
        except BaseException as error:  # handed to the main thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a worker thread did not finish within two minutes")
    if errors:
        raise errors[0]
    return [results[number] for number in range(workers)]
