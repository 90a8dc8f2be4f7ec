"""Opening the ledger on its engine: a SQLite file in the data folder, or a PostgreSQL server."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import anyio

from rodin_mcp.errors import ConfigError
from rodin_mcp.ledger.database import PostgresDatabase, SqliteDatabase
from rodin_mcp.ledger.owners_registry import ProcessOwners
from rodin_mcp.ledger.schema import migrate
from rodin_mcp.ledger.store import Ledger

__all__ = ["open_postgres_ledger", "open_sqlite_ledger"]


async def open_sqlite_ledger(path: Path) -> Ledger:
    """The ledger in the SQLite file ``path`` (created ``0600``, its folders ``0700``).

    Raises:
        ConfigError: the file cannot be opened, is not a ledger, or has a newer schema.
    """
    database = SqliteDatabase(path)
    try:
        await anyio.to_thread.run_sync(migrate, database.connection, database.path)
    except ConfigError:
        await database.aclose()
        raise
    except sqlite3.DatabaseError as exc:
        await database.aclose()
        raise ConfigError(
            f"Cannot use the task ledger {path}: {exc}. Move the file away or set "
            "RODIN_DATA_DIR to another folder."
        ) from None
    return Ledger(database, ProcessOwners(), where=str(path))


async def open_postgres_ledger(url: str) -> Ledger:
    """The ledger on the PostgreSQL database at ``url``, as one of its replicas.

    Raises:
        LedgerUnavailableError: the database cannot be reached.
        ConfigError: the database was written by a newer rodin-mcp.
    """
    from rodin_mcp.ledger.postgres_schema import migrate_postgres
    from rodin_mcp.ledger.replicas import ReplicaOwners

    if importlib.util.find_spec("psycopg_pool") is None:  # the team extra
        raise ConfigError(
            "RODIN_DATABASE_URL puts the ledger on PostgreSQL, which needs the team extra: "
            "pip install 'rodin-mcp[team]' (or uvx --from 'rodin-mcp[team]' rodin-mcp)."
        )
    database = await PostgresDatabase.open(url)
    try:
        await migrate_postgres(database)
        owners = await ReplicaOwners.start(url)
    except BaseException:
        await database.aclose()
        raise
    return Ledger(database, owners, where=database.shown)
