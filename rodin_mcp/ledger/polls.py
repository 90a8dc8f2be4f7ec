"""One poll loop per Rodin task across replicas: a lease in the ledger, answers as rows, and
``LISTEN``/``NOTIFY`` as the wake-up (PostgreSQL only).

Each replica keeps its own waiters (:mod:`rodin_mcp.service.watching`), but only the replica that
holds a task's lease asks Rodin; it writes each answer into the task's ``polls`` row and notifies
the others, which read the row (the row is the truth: a wake-up that is lost only delays a waiter
until its next check). A lease lasts while its holder keeps polling; the holder lets it go when
its last waiter leaves, and anyone may take a lease that has run out or whose holder's replica is
gone (its session advisory lock released). Times come from the database's clock, so replicas'
clocks need not agree.

Keys are digests of the tasks' subscription keys; the keys themselves are never stored here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import anyio

from rodin_mcp.ledger.owners import Liveness
from rodin_mcp.ledger.store import Ledger

__all__ = ["CHANNEL", "PollBoard", "PollState"]

logger = logging.getLogger(__name__)

CHANNEL = "rodin_polls"
_NOW = "extract(epoch from clock_timestamp())"


@dataclass(frozen=True)
class PollState:
    """Where a task's polling stands: whether this replica polls now, and the latest answer."""

    mine: bool
    version: int
    answer: str | None


class PollBoard:
    """The ``polls`` table of a PostgreSQL ledger, and this replica's listener for wake-ups."""

    def __init__(self, ledger: Ledger, url: str) -> None:
        self._ledger = ledger
        self._url = url
        self._events: dict[str, anyio.Event] = {}

    async def take(self, key: str, lease_seconds: float) -> PollState:
        """Take (or keep) the lease on ``key`` if it is free, run out, or its holder is gone."""
        me = self._ledger.owners.me()
        async with self._ledger.database.writing(lock=f"poll:{key}") as tx:
            await tx.execute(
                "INSERT INTO polls (key, holder, lease_until) VALUES (?, NULL, 0) "
                "ON CONFLICT (key) DO NOTHING",
                (key,),
            )
            row = (
                await tx.execute(
                    f"SELECT holder, lease_until, version, answer, {_NOW} FROM polls WHERE key = ?",
                    (key,),
                )
            ).one()
            holder, lease_until, version, answer, now = row
            free = holder is None or holder == me or float(lease_until) < float(now)
            if not free:
                free = await self._ledger.owners.liveness(tx, str(holder)) is Liveness.DEAD
            if free:
                await tx.execute(
                    f"UPDATE polls SET holder = ?, lease_until = {_NOW} + ? WHERE key = ?",
                    (me, lease_seconds, key),
                )
        return PollState(mine=free, version=int(version), answer=answer)

    async def publish(self, key: str, answer: str, lease_seconds: float) -> int:
        """Record the holder's fresh answer (and renew its lease); wake the others. Returns the
        answer's version (0 when the lease was lost meanwhile: nothing was recorded)."""
        async with self._ledger.database.writing(lock=f"poll:{key}") as tx:
            row = (
                await tx.execute(
                    f"UPDATE polls SET answer = ?, version = version + 1, answered_at = {_NOW}, "
                    f"lease_until = {_NOW} + ? WHERE key = ? AND holder = ? RETURNING version",
                    (answer, lease_seconds, key, self._ledger.owners.me()),
                )
            ).first()
            await tx.execute("SELECT pg_notify(?, ?)", (CHANNEL, key))
        return 0 if row is None else int(row[0])

    async def release(self, key: str) -> None:
        """Let the lease on ``key`` go (this replica's last waiter left); wake the others."""
        async with self._ledger.database.writing(lock=f"poll:{key}") as tx:
            await tx.execute(
                "UPDATE polls SET holder = NULL, lease_until = 0 WHERE key = ? AND holder = ?",
                (key, self._ledger.owners.me()),
            )
            await tx.execute("SELECT pg_notify(?, ?)", (CHANNEL, key))

    def expect(self, key: str) -> anyio.Event:
        """The event the next wake-up about ``key`` sets; take it *before* reading the row, so a
        wake-up between the read and the wait is not lost."""
        return self._events.setdefault(key, anyio.Event())

    @staticmethod
    async def wait(event: anyio.Event, seconds: float) -> None:
        """Wait up to ``seconds`` for ``event`` (an answer, or a lease let go)."""
        with anyio.move_on_after(seconds):
            await event.wait()

    async def listen(self) -> None:
        """Receive wake-ups until cancelled, reconnecting when the database comes back."""
        import psycopg

        while True:
            try:
                async with self._listening() as notifies:
                    async for note in notifies:
                        self._wake(str(note.payload))
            except psycopg.Error as exc:
                logger.warning(
                    "poll wake-ups interrupted (%s); listening again", type(exc).__name__
                )
                self._wake_all()  # waiters read the rows again rather than trust a gap
                await anyio.sleep(1.0)

    @contextlib.asynccontextmanager
    async def _listening(self) -> AsyncGenerator[Any]:
        import psycopg

        conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True, connect_timeout=5)
        try:
            await conn.execute(f"LISTEN {CHANNEL}")
            yield conn.notifies()
        finally:
            with anyio.CancelScope(shield=True), contextlib.suppress(psycopg.Error):
                await conn.close()

    def _wake(self, key: str) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    def _wake_all(self) -> None:
        events, self._events = self._events, {}
        for event in events.values():
            event.set()

    async def sweep(self, older_than_seconds: float) -> int:
        """Forget the rows of tasks nobody polled for ``older_than_seconds``."""
        async with self._ledger.database.writing() as tx:
            gone = await tx.execute(
                f"DELETE FROM polls WHERE holder IS NULL AND COALESCE(answered_at, 0) < {_NOW} - ?",
                (older_than_seconds,),
            )
        return gone.rowcount
