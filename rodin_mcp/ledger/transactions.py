"""SQLite transactions shared safely by several processes on one file."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Generator
from typing import TypeVar

__all__ = ["BUSY_TIMEOUT_MS", "immediate", "retry_while_locked"]

_T = TypeVar("_T")

BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another process's write before failing."""


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Generator[None]:
    """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken before the first read."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def retry_while_locked(operation: Callable[[], _T]) -> _T:
    """Run ``operation``, retrying while SQLite reports the file locked without waiting itself.

    Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is locked"
    at once, without calling the busy handler, when another process is doing the same.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            return operation()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
