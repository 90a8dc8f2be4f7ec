"""Migrations: a ledger written by an older rodin-mcp opens with every row intact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from rodin_mcp.errors import ConfigError
from rodin_mcp.ledger import SCHEMA_VERSION, open_sqlite_ledger
from rodin_mcp.ledger.postgres_schema import POSTGRES_SCHEMA_VERSION
from rodin_mcp.records import TaskKind
from tests.ledger.conftest import open_at
from tests.ledger.rows import submit_row
from tests.postgres_cluster import PostgresCluster

pytestmark = pytest.mark.anyio

_VERSION_1 = """
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, task_uuid TEXT UNIQUE, subscription_key TEXT,
    job_uuids TEXT NOT NULL DEFAULT '[]', fingerprint TEXT, prompt TEXT, tier TEXT,
    request TEXT NOT NULL DEFAULT '{}', estimated_credits REAL NOT NULL DEFAULT 0, consumed REAL,
    sandbox INTEGER NOT NULL, base_url TEXT NOT NULL, state TEXT NOT NULL, error TEXT,
    jobs TEXT NOT NULL DEFAULT '[]', created_at REAL NOT NULL, submitted_at REAL,
    updated_at REAL NOT NULL, submit_time TEXT, output_dir TEXT,
    files TEXT NOT NULL DEFAULT '[]', downloaded_at REAL
);
CREATE INDEX tasks_by_fingerprint ON tasks (fingerprint, sandbox, base_url, created_at);
CREATE INDEX tasks_by_created ON tasks (created_at);
"""


async def test_a_version_1_ledger_keeps_its_rows_as_generations_with_the_image_count_moved_out(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(_VERSION_1)
    files = [{"name": "m.glb", "path": "/o/m.glb", "size": 3, "sha256": "ab", "mime_type": "x/y"}]
    conn.execute(
        "INSERT INTO tasks (task_uuid, subscription_key, request, sandbox, base_url, state, "
        "created_at, updated_at, files) VALUES (?, ?, ?, 1, 'sandbox', 'done', 1.0, 2.0, ?)",
        ("t-1", "k", json.dumps({"tier": "Regular", "image_count": 2}), json.dumps(files)),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    async with await open_sqlite_ledger(path) as ledger:
        record = await ledger.get("t-1")

    assert record is not None
    assert record.request == {"tier": "Regular"}
    assert record.image_count == 2
    assert record.scope == "sandbox"
    assert [(f.name, f.size, f.source_name) for f in record.files] == [("m.glb", 3, "m.glb")]
    assert (record.kind, record.source) == (TaskKind.GENERATION, None)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    check.close()


async def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"")
    async with await open_sqlite_ledger(path) as ledger:
        await submit_row(ledger, task_uuid="t")
    with sqlite3.connect(path) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert version == SCHEMA_VERSION
    assert journal == "wal"


async def test_a_ledger_from_a_newer_version_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    async with await open_sqlite_ledger(path) as ledger:
        await submit_row(ledger, task_uuid="t")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()

    with pytest.raises(ConfigError, match="newer rodin-mcp") as raised:
        await open_sqlite_ledger(path)
    assert str(path) in str(raised.value)
    assert "RODIN_DATA_DIR" in str(raised.value)


async def test_a_postgres_database_is_migrated_once_by_replicas_starting_together(
    postgres: PostgresCluster,
) -> None:
    url = postgres.new_database()
    async with await open_at(url) as first, await open_at(url) as second:
        await submit_row(first, task_uuid="t")
        assert await second.get("t") is not None
    assert postgres.psql("SELECT version FROM ledger_schema", url.rsplit("/", 1)[1]) == str(
        POSTGRES_SCHEMA_VERSION
    )


async def test_a_postgres_database_of_a_newer_version_is_refused_with_a_clear_error(
    postgres: PostgresCluster,
) -> None:
    url = postgres.new_database()
    async with await open_at(url):
        pass
    name = url.rsplit("/", 1)[1]
    postgres.psql(f"UPDATE ledger_schema SET version = {POSTGRES_SCHEMA_VERSION + 1}", name)
    with pytest.raises(ConfigError, match="newer rodin-mcp"):
        await open_at(url)
