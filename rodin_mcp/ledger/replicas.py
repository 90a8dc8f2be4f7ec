"""Replicas as owners of claims and runs, judged by the database, not by any machine's processes.

Each replica (each process with the ledger on PostgreSQL) picks a random 63-bit key when it
starts and holds a session advisory lock on it, on a connection of its own, for as long as it
runs. The server drops the lock when that session ends: at once when the replica's process dies
(its operating system closes the connection), and within the keepalive time below when its
machine or its network goes away. So "is this claim's owner alive" is a read of ``pg_locks``,
true for every replica on every machine.

Why a replica never pays on a claim another replica marked unknown: before a paid request leaves,
the sender confirms, on its lock's own session, that it still holds the lock and that the claim
is still its ``submitting`` row (:meth:`ReplicaOwners.confirm` and
:meth:`~rodin_mcp.ledger.Ledger.confirm_claim`). Another replica may mark the claim unknown only
once the lock is gone, which the server decides no earlier than :data:`KEEPALIVE_SECONDS` after
the last packet of that session (server-side TCP keepalives, set on the connection); the request
leaves within the client's connect timeout of the confirmation (seconds), well inside that time.
A replica that lost its session cannot confirm, so it sends nothing: it fails closed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import socket
from typing import Any

from rodin_mcp.errors import LedgerUnavailableError
from rodin_mcp.ledger.database import Transaction
from rodin_mcp.ledger.owners import Liveness

__all__ = ["KEEPALIVE_SECONDS", "ReplicaOwners"]

logger = logging.getLogger(__name__)

_IDLE, _INTERVAL, _COUNT = 10, 5, 3
KEEPALIVE_SECONDS = _IDLE + _INTERVAL * _COUNT
"""The shortest silence after which the server ends a replica's session (and drops its lock)."""

_LOCKED = (
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted "
    "AND classid::bigint = %s AND objid::bigint = %s"
)


def _halves(key: int) -> tuple[int, int]:
    """``pg_locks`` shows a bigint advisory key as its high and low 32 bits."""
    return (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF


class ReplicaOwners:
    """This replica as an owner, and every other replica's liveness (see the module)."""

    def __init__(self, url: str, key: int, connection: Any) -> None:
        self._url = url
        self._key = key
        self._conn = connection
        self._me = json.dumps(
            {"replica": str(key), "host": socket.gethostname(), "pid": os.getpid()},
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    async def start(cls, url: str) -> ReplicaOwners:
        """Take this replica's lock on a connection of its own.

        Raises:
            LedgerUnavailableError: the database cannot be reached.
        """
        key = secrets.randbits(63)
        return cls(url, key, await _locked_connection(url, key))

    def me(self) -> str:
        return self._me

    async def liveness(self, tx: Transaction, owner: str | None) -> Liveness:
        key = _replica_key(owner)
        if key is None:
            return Liveness.UNKNOWN  # not a replica's: it cannot be judged here
        if key == self._key:
            return Liveness.ALIVE
        high, low = _halves(key)
        held = await tx.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted "
            "AND classid::bigint = ? AND objid::bigint = ?",
            (high, low),
        )
        return Liveness.ALIVE if held.first() is not None else Liveness.DEAD

    def gone_reason(self, owner: str | None) -> str:
        described = ""
        try:
            data = json.loads(owner or "")
            described = f" (on {data['host']}, pid {data['pid']})"
        except (ValueError, KeyError, TypeError):
            pass
        return f"its replica{described} stopped before Rodin's answer was recorded"

    async def confirm(self, tx: Transaction) -> None:
        """Prove, on the lock's own session, that this replica still holds its lock; take it
        again on a new session if the old one is gone and nobody holds it.

        Raises:
            LedgerUnavailableError: the lock is not held and cannot be taken back now.
        """
        del tx
        import psycopg

        try:
            await self._check()
            return
        except (psycopg.Error, LedgerUnavailableError) as exc:
            logger.warning("replica lock lost (%s); taking it again", type(exc).__name__)
        with contextlib.suppress(psycopg.Error):
            await self._conn.close()
        self._conn = await _locked_connection(self._url, self._key)
        await self._check()

    async def _check(self) -> None:
        high, low = _halves(self._key)
        cursor = await self._conn.execute(_LOCKED + " AND pid = pg_backend_pid()", (high, low))
        if await cursor.fetchone() is None:
            raise LedgerUnavailableError("this replica no longer holds its lock on the database")

    async def aclose(self) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error):
            await self._conn.close()  # the lock goes with the session


async def _locked_connection(url: str, key: int) -> Any:
    import psycopg

    try:
        conn = await psycopg.AsyncConnection.connect(
            url,
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=_IDLE,
            keepalives_interval=_INTERVAL,
            keepalives_count=_COUNT,
            options=(
                f"-c tcp_keepalives_idle={_IDLE} -c tcp_keepalives_interval={_INTERVAL} "
                f"-c tcp_keepalives_count={_COUNT}"
            ),
        )
    except psycopg.OperationalError as exc:
        raise LedgerUnavailableError(
            f"the database cannot be reached ({type(exc).__name__})"
        ) from None
    cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (key,))
    row = await cursor.fetchone()
    if row is None or not row[0]:
        await conn.close()
        raise LedgerUnavailableError("another session holds this replica's lock")
    return conn


def _replica_key(owner: str | None) -> int | None:
    try:
        return int(json.loads(owner or "")["replica"])
    except (ValueError, KeyError, TypeError):
        return None
