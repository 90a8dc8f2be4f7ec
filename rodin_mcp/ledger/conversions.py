"""Conversions in the ledger: the ``conversions`` table, one row per model converted here.

A conversion spends nothing, so it has no claim and no states: its row is written once, after
its files are on disk, and read by the task it came from (to list and serve the files beside
that task's own) or by recency.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from rodin_mcp.ledger.database import Transaction
from rodin_mcp.ledger.store import Ledger
from rodin_mcp.records import ConversionRecord, StoredFile

__all__ = ["ConversionStore", "new_conversion_id"]

_COLUMNS = (
    "conversion_id, created_at, task_uuid, source, source_sha256, output_dir, files, options, "
    "report, person"
)


def new_conversion_id() -> str:
    """A new conversion id (a random UUID, hex)."""
    return uuid.uuid4().hex


class ConversionStore:
    """The ``conversions`` table of one ledger."""

    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time) -> None:
        self._ledger = ledger
        self._clock = clock

    async def add(
        self,
        conversion_id: str,
        *,
        person: str,
        task_uuid: str | None,
        source: str,
        source_sha256: str,
        output_dir: str,
        files: Sequence[StoredFile],
        options: dict[str, Any],
        report: dict[str, Any],
    ) -> ConversionRecord:
        """Record a finished conversion of ``person``'s; returns its row."""
        async with self._ledger.database.writing() as conn:
            await conn.execute(
                f"INSERT INTO conversions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conversion_id,
                    self._clock(),
                    task_uuid,
                    source,
                    source_sha256,
                    output_dir,
                    _dumps([f.as_json() for f in files]),
                    _dumps(options),
                    _dumps(report),
                    person,
                ),
            )
            return await _one(conn, conversion_id)

    async def get(self, conversion_id: str, person: str) -> ConversionRecord | None:
        """``person``'s conversion, or None (another person's is unknown to them)."""
        async with self._ledger.database.reading() as conn:
            try:
                found = await _one(conn, conversion_id)
            except LookupError:
                return None
            return found if found.person == person else None

    async def of_task(self, task_uuid: str, person: str) -> list[ConversionRecord]:
        """``person``'s conversions of a task's files, oldest first."""
        async with self._ledger.database.reading() as conn:
            rows = (
                await conn.execute(
                    f"SELECT {_COLUMNS} FROM conversions WHERE task_uuid = ? AND person = ? "
                    "ORDER BY created_at, conversion_id",
                    (task_uuid, person),
                )
            ).rows
            return [_record(row) for row in rows]

    async def recent(self, limit: int, person: str) -> list[ConversionRecord]:
        """``person``'s newest ``limit`` conversions, newest first."""
        async with self._ledger.database.reading() as conn:
            rows = (
                await conn.execute(
                    f"SELECT {_COLUMNS} FROM conversions WHERE person = ? "
                    "ORDER BY created_at DESC, conversion_id DESC LIMIT ?",
                    (person, max(0, int(limit))),
                )
            ).rows
            return [_record(row) for row in rows]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


async def _one(conn: Transaction, conversion_id: str) -> ConversionRecord:
    row = (
        await conn.execute(
            f"SELECT {_COLUMNS} FROM conversions WHERE conversion_id = ?", (conversion_id,)
        )
    ).first()
    if row is None:
        raise LookupError(f"no conversion {conversion_id}")
    return _record(row)


def _record(row: tuple[Any, ...]) -> ConversionRecord:
    return ConversionRecord(
        conversion_id=str(row[0]),
        created_at=float(row[1]),
        task_uuid=None if row[2] is None else str(row[2]),
        source=str(row[3]),
        source_sha256=str(row[4]),
        output_dir=str(row[5]),
        files=tuple(StoredFile.from_json(dict(item)) for item in json.loads(row[6])),
        options=dict(json.loads(row[7])),
        report=dict(json.loads(row[8])),
        person=str(row[9]),
    )
