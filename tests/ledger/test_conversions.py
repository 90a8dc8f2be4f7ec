"""The conversions table: written once per conversion, read by task and by recency."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rodin_mcp.ledger import ConversionStore, Ledger, new_conversion_id, open_sqlite_ledger
from rodin_mcp.records import StoredFile

pytestmark = pytest.mark.anyio


def _file(folder: Path, name: str) -> StoredFile:
    return StoredFile(name, folder / name, 10, "ab" * 32, "model/stl", name)


async def test_a_conversion_is_read_back_by_id_by_task_and_among_the_recent(
    ledger: Ledger, tmp_path: Path
) -> None:
    times = iter([10.0, 20.0, 30.0])
    store = ConversionStore(ledger, clock=lambda: next(times))
    first = await store.add(
        new_conversion_id(),
        person="local",
        task_uuid="task-1",
        source="rodin://tasks/task-1/files/model.glb",
        source_sha256="cd" * 32,
        output_dir=str(tmp_path),
        files=[_file(tmp_path, "model-3d-print.stl")],
        options={"format": "stl", "unit": "mm"},
        report={"notes": []},
    )
    second = await store.add(
        new_conversion_id(),
        person="local",
        task_uuid=None,
        source="/models/chair.obj",
        source_sha256="ef" * 32,
        output_dir=str(tmp_path),
        files=[_file(tmp_path, "chair-glb.glb")],
        options={"format": "glb"},
        report={"scale": 1.0},
    )
    third = await store.add(
        new_conversion_id(),
        person="local",
        task_uuid="task-1",
        source="rodin://tasks/task-1/files/model.glb",
        source_sha256="cd" * 32,
        output_dir=str(tmp_path),
        files=[_file(tmp_path, "model-web.glb")],
        options={"format": "glb", "preset": "web"},
        report={},
    )

    assert await store.get(second.conversion_id, "local") == second
    assert await store.get(second.conversion_id, "token:bob") is None
    assert await store.get("no-such-conversion", "local") is None
    assert await store.of_task("task-1", "local") == [first, third]
    assert await store.of_task("task-1", "token:bob") == []
    assert await store.recent(2, "local") == [third, second]
    assert (first.created_at, second.options, first.files[0].name) == (
        10.0,
        {"format": "glb"},
        "model-3d-print.stl",
    )


async def test_a_version_6_ledger_gains_the_conversions_table_and_keeps_its_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    async with await open_sqlite_ledger(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE conversions")
    conn.execute("DROP TABLE uploads")  # as a version 6 ledger, it had neither
    conn.execute(
        "INSERT INTO runs (run_id, task_uuid, state, created_at, updated_at) "
        "VALUES ('r-1', 't-1', 'working', 1.0, 1.0)"
    )
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()

    async with await open_sqlite_ledger(path) as ledger:
        store = ConversionStore(ledger)
        assert await store.recent(10, "local") == []
        async with ledger.database.reading() as tx:
            runs = (await tx.execute("SELECT run_id FROM runs")).rows
    assert runs == [("r-1",)]
