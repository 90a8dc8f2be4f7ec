"""The ledger's tables and their migrations, one function per schema version."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from rodin_mcp.errors import ConfigError
from rodin_mcp.ledger.transactions import immediate

__all__ = ["SCHEMA_VERSION", "migrate"]

logger = logging.getLogger(__name__)


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_uuid TEXT UNIQUE,
            subscription_key TEXT,
            job_uuids TEXT NOT NULL DEFAULT '[]',
            fingerprint TEXT,
            prompt TEXT,
            tier TEXT,
            request TEXT NOT NULL DEFAULT '{}',
            estimated_credits REAL NOT NULL DEFAULT 0,
            consumed REAL,
            sandbox INTEGER NOT NULL,
            base_url TEXT NOT NULL,
            state TEXT NOT NULL,
            error TEXT,
            jobs TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            submitted_at REAL,
            updated_at REAL NOT NULL,
            submit_time TEXT,
            output_dir TEXT,
            files TEXT NOT NULL DEFAULT '[]',
            downloaded_at REAL
        )
        """
    )
    conn.execute(
        "CREATE INDEX tasks_by_fingerprint ON tasks (fingerprint, sandbox, base_url, created_at)"
    )
    conn.execute("CREATE INDEX tasks_by_created ON tasks (created_at)")


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """The image count gets a column of its own (version 1 kept it inside the request JSON),
    and ``base_url``, which also holds ``"sandbox"``, is called what it is: the task's scope."""
    conn.execute("ALTER TABLE tasks ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        """
        UPDATE tasks
        SET image_count = COALESCE(json_extract(request, '$.image_count'), 0),
            request = json_remove(request, '$.image_count')
        WHERE json_type(request, '$.image_count') IS NOT NULL
        """
    )
    conn.execute("ALTER TABLE tasks RENAME COLUMN base_url TO scope")


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    """A submission claim records its owning process (JSON of
    :class:`~rodin_mcp.ledger.owners.ProcessOwner`), so a dead owner's claim is known at once."""
    conn.execute("ALTER TABLE tasks ADD COLUMN owner TEXT")


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    """Lineage: each row's kind (``generation``, ``texture`` or ``split``; every older row is a
    generation) and its source (the task a split or a texture started from, or the SHA-256 of a
    local model file that was textured)."""
    conn.execute("ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'generation'")
    conn.execute("ALTER TABLE tasks ADD COLUMN source TEXT")


def _migrate_4_to_5(conn: sqlite3.Connection) -> None:
    """Background runs: a submitted task followed to its saved files on someone's behalf (the
    MCP face's tasks). ``task_uuid`` points at the task's own row, which a run never changes."""
    conn.execute(
        """
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            task_uuid TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'generation',
            identity TEXT,
            state TEXT NOT NULL,
            message TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            ttl_seconds REAL,
            result TEXT,
            error TEXT,
            runner TEXT
        )
        """
    )
    conn.execute("CREATE INDEX runs_by_identity ON runs (identity, created_at)")
    conn.execute("CREATE INDEX runs_by_state ON runs (state)")


def _migrate_5_to_6(conn: sqlite3.Connection) -> None:
    """People: every task and run belongs to someone (:class:`~rodin_mcp.people.Person`'s key),
    and the ledger keeps its own secrets.
    Rows written before belong to the local owner, and so do runs that were bound to a token's
    unsalted digest (the token cannot be known here; such runs live a day at most)."""
    conn.execute("ALTER TABLE tasks ADD COLUMN person TEXT NOT NULL DEFAULT 'local'")
    conn.execute("CREATE INDEX tasks_by_person ON tasks (person, created_at)")
    conn.execute("ALTER TABLE runs RENAME COLUMN identity TO person")
    conn.execute("UPDATE runs SET person = 'local'")
    # Random keys made once per ledger (the keyed digest that names a person by a bare token).
    conn.execute("CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)")


def _migrate_6_to_7(conn: sqlite3.Connection) -> None:
    """Conversions: models converted here for free, each with the person it belongs to, what it
    came from (a task's file, or a local file and its SHA-256), the options, the report and the
    files it wrote. A table of its own: conversions spend nothing and touch no task's row."""
    conn.execute(
        """
        CREATE TABLE conversions (
            conversion_id TEXT PRIMARY KEY,
            person TEXT NOT NULL DEFAULT 'local',
            created_at REAL NOT NULL,
            task_uuid TEXT,
            source TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            output_dir TEXT NOT NULL,
            files TEXT NOT NULL DEFAULT '[]',
            options TEXT NOT NULL DEFAULT '{}',
            report TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    conn.execute("CREATE INDEX conversions_by_task ON conversions (task_uuid, created_at)")
    conn.execute("CREATE INDEX conversions_by_person ON conversions (person, created_at)")


def _migrate_7_to_8(conn: sqlite3.Connection) -> None:
    """Uploads: a file a person sends over a signed link, to use once as an input (see
    :class:`~rodin_mcp.records.UploadRecord`); its bytes live in the data folder's ``uploads``."""
    conn.execute(
        """
        CREATE TABLE uploads (
            upload_id TEXT PRIMARY KEY,
            person TEXT NOT NULL,
            kind TEXT NOT NULL,
            state TEXT NOT NULL,
            name TEXT,
            size INTEGER,
            sha256 TEXT,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            used_at REAL
        )
        """
    )
    conn.execute("CREATE INDEX uploads_by_expiry ON uploads (expires_at)")


_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _migrate_0_to_1,
    _migrate_1_to_2,
    _migrate_2_to_3,
    _migrate_3_to_4,
    _migrate_4_to_5,
    _migrate_5_to_6,
    _migrate_6_to_7,
    _migrate_7_to_8,
)
"""``_MIGRATIONS[n]`` takes a database from schema version ``n`` to ``n + 1``."""

SCHEMA_VERSION = len(_MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the schema of ``conn`` up to :data:`SCHEMA_VERSION`; return the version found.

    Runs in one ``BEGIN IMMEDIATE`` transaction, so two processes opening a new file at once do
    not both create the tables.

    Raises:
        ConfigError: The file was written by a newer rodin-mcp.
    """
    with immediate(conn):
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise ConfigError(
                f"The task ledger {path} was written by a newer rodin-mcp (schema {found}; this "
                f"version reads up to {SCHEMA_VERSION}). Upgrade rodin-mcp, or set "
                "RODIN_DATA_DIR to another folder."
            )
        for version in range(found, SCHEMA_VERSION):
            _MIGRATIONS[version](conn)
            logger.info("task ledger %s migrated to schema %d", path, version + 1)
        if found != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
    return found
