"""The two engines the ledger runs on, behind one small async interface.

The ledger's rules (claims, budgets, runs, uploads...) are written once, as SQL both engines
understand (``?`` placeholders, ``RETURNING``, ``ON CONFLICT DO NOTHING``), against
:class:`Database`: a read, or a write transaction that may name a lock. What differs lives here:

* :class:`SqliteDatabase`: one file shared by the processes of one machine. A write is one
  ``BEGIN IMMEDIATE`` transaction (SQLite's single writer lock serialises every write of every
  process); statements run in a worker thread, so a writer waiting for another process never
  blocks the event loop. One connection per process, used by one transaction at a time.
* :class:`PostgresDatabase`: a server shared by replicas on several machines (psycopg 3, an async
  pool). A write is one transaction; when it names a lock, a transaction-level advisory lock on
  that name serialises it with every other transaction naming it, on every replica (the claims of
  one person take their person's lock, so single flight and budgets hold across replicas).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import anyio

from rodin_mcp.errors import ConfigError, LedgerUnavailableError
from rodin_mcp.ledger.private_files import create_private_file, make_private_dirs
from rodin_mcp.ledger.transactions import BUSY_TIMEOUT_MS, retry_while_locked

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool

__all__ = [
    "Database",
    "Engine",
    "PostgresDatabase",
    "Result",
    "SqliteDatabase",
    "Transaction",
]

Engine = Literal["sqlite", "postgresql"]


@dataclass(frozen=True, slots=True)
class Result:
    """What a statement answered: its rows (with the columns' names) and the rows it changed."""

    rows: list[tuple[Any, ...]]
    columns: list[str]
    rowcount: int

    def first(self) -> tuple[Any, ...] | None:
        """The first row, or None."""
        return self.rows[0] if self.rows else None

    def one(self) -> tuple[Any, ...]:
        """The only row.

        Raises:
            LookupError: there is none.
        """
        if not self.rows:
            raise LookupError("no row")
        return self.rows[0]

    def dicts(self) -> list[dict[str, Any]]:
        """The rows as column -> value."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class Transaction(Protocol):
    """Statements inside one read or one write transaction."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Run one statement (``?`` placeholders) and return what it answered."""
        ...


class Database(Protocol):
    """Where the ledger's rows live."""

    engine: Engine

    def reading(self) -> contextlib.AbstractAsyncContextManager[Transaction]:
        """A read of consistent rows."""
        ...

    def writing(
        self, *, lock: str | None = None
    ) -> contextlib.AbstractAsyncContextManager[Transaction]:
        """One write transaction, committed at the end of the block (rolled back on an error);
        ``lock`` serialises it with every other transaction naming the same lock."""
        ...

    async def aclose(self) -> None:
        """Let go of the connection(s)."""
        ...


# --- SQLite -----------------------------------------------------------------------------------


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        return await anyio.to_thread.run_sync(_sqlite_execute, self._conn, sql, tuple(params))


def _sqlite_execute(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Result:
    cursor = conn.execute(sql, params)
    try:
        rows = cursor.fetchall() if cursor.description else []
        columns = [str(d[0]) for d in cursor.description or ()]
        return Result(rows, columns, cursor.rowcount)
    finally:
        cursor.close()


class SqliteDatabase:
    """The ledger's SQLite file (see the module's docstring).

    Raises:
        ConfigError: the file cannot be created or opened.
    """

    engine: Engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        make_private_dirs(self.path.parent)
        create_private_file(self.path)
        try:
            self.connection = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise ConfigError(f"Cannot open the task ledger {self.path}: {exc}.") from None
        self._lock = anyio.Lock()
        try:
            self._configure()
        except sqlite3.DatabaseError as exc:
            self.connection.close()
            raise ConfigError(
                f"Cannot use the task ledger {self.path}: {exc}. Move the file away or set "
                "RODIN_DATA_DIR to another folder."
            ) from None
        except BaseException:
            self.connection.close()
            raise

    def _configure(self) -> None:
        conn = self.connection
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = retry_while_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if str(mode).lower() != "wal":
            raise ConfigError(f"The task ledger {self.path} cannot use WAL mode ({mode}).")
        # FULL: a committed submission survives a power cut, not only a crash of this process.
        # On macOS fsync stops at the drive's cache; fullfsync (ignored elsewhere) goes through.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA fullfsync = ON")
        conn.execute("PRAGMA checkpoint_fullfsync = ON")
        conn.execute("PRAGMA foreign_keys = ON")

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncGenerator[Transaction]:
        async with self._lock:
            yield _SqliteTransaction(self.connection)

    @contextlib.asynccontextmanager
    async def writing(self, *, lock: str | None = None) -> AsyncGenerator[Transaction]:
        del lock  # SQLite's write lock serialises every write of every process already
        async with self._lock:
            await anyio.to_thread.run_sync(self.connection.execute, "BEGIN IMMEDIATE")
            try:
                yield _SqliteTransaction(self.connection)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self.connection.execute, "ROLLBACK")
                raise
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self.connection.execute, "COMMIT")

    async def aclose(self) -> None:
        async with self._lock:
            self.connection.close()


# --- PostgreSQL -------------------------------------------------------------------------------


class _PostgresTransaction:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> Result:
        import psycopg

        if "%" in sql:
            raise ValueError("ledger SQL must not hold '%' (psycopg's placeholder sign)")
        try:
            cursor = await self._conn.execute(sql.replace("?", "%s"), tuple(params))
        except psycopg.OperationalError as exc:
            raise LedgerUnavailableError(_reason(exc)) from None
        rows: list[tuple[Any, ...]] = await cursor.fetchall() if cursor.description else []
        columns = [str(d.name) for d in cursor.description or ()]
        return Result([tuple(r) for r in rows], columns, int(cursor.rowcount))


class PostgresDatabase:
    """The ledger on a PostgreSQL server (see the module's docstring).

    Use :meth:`open`; the pool connects in the background and reconnects by itself.
    """

    engine: Engine = "postgresql"

    def __init__(self, pool: AsyncConnectionPool[Any], url: str) -> None:
        self._pool = pool
        self.url = url
        self.shown = _shown(url)
        """The URL without its password, for messages."""

    @classmethod
    async def open(cls, url: str, *, min_size: int = 1, max_size: int = 10) -> PostgresDatabase:
        """A pool on ``url``, opened (its first connection made, or a clear error).

        Raises:
            LedgerUnavailableError: the server cannot be reached.
        """
        from psycopg_pool import AsyncConnectionPool, PoolTimeout

        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            open=False,
            timeout=10.0,
            kwargs={"autocommit": True, "connect_timeout": 5},
            check=AsyncConnectionPool.check_connection,
        )
        try:
            await pool.open(wait=True, timeout=10.0)
        except PoolTimeout:
            await pool.close()
            raise LedgerUnavailableError(
                f"the database at {_shown(url)} cannot be reached"
            ) from None
        return cls(pool, url)

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncGenerator[Transaction]:
        async with self._connection() as conn:
            yield _PostgresTransaction(conn)

    @contextlib.asynccontextmanager
    async def writing(self, *, lock: str | None = None) -> AsyncGenerator[Transaction]:
        import psycopg

        async with self._connection() as conn:
            try:
                async with conn.transaction():
                    tx = _PostgresTransaction(conn)
                    if lock is not None:
                        await tx.execute(
                            "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [lock]
                        )
                    yield tx
            except psycopg.OperationalError as exc:
                raise LedgerUnavailableError(_reason(exc)) from None

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncGenerator[Any]:
        from psycopg_pool import PoolTimeout

        try:
            async with self._pool.connection() as conn:
                yield conn
        except PoolTimeout:
            raise LedgerUnavailableError(
                f"no connection to the database at {_shown(self.url)} within 10 s"
            ) from None

    async def aclose(self) -> None:
        await self._pool.close()


def _shown(url: str) -> str:
    """A database URL without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _reason(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"the database connection failed ({first})"
