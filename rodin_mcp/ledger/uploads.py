"""Uploads in the ledger: files people send to this server once, each to use once as an input.

An upload is made ``waiting`` with its expiry; the first complete file its link receives makes it
``ready`` (in the same transaction as the file is put in place, so of two bodies sent at once
exactly one is kept); one call uses it (``used``, all of a call's uploads together or none);
once its time runs out it is ``expired``. Rows that ended are kept a while, so a late use is told
"used" or "expired" rather than "unknown", then forgotten.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

from rodin_mcp.ledger.database import Transaction
from rodin_mcp.ledger.store import Ledger
from rodin_mcp.records import UploadKind, UploadRecord, UploadState

__all__ = ["UploadStore", "new_upload_id"]

_COLUMNS = "upload_id, person, kind, state, name, size, sha256, created_at, expires_at, used_at"
_ENDED = (UploadState.USED.value, UploadState.EXPIRED.value)


def new_upload_id() -> str:
    """An unguessable upload id: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class _NotAllUsable(Exception):
    """Rolls back a use when one of the uploads was no longer usable."""


class UploadStore:
    """The ``uploads`` table of one ledger."""

    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time) -> None:
        self._ledger = ledger
        self._clock = clock

    async def create(
        self, person: str, kind: UploadKind, name: str | None, lifetime_seconds: int
    ) -> UploadRecord:
        """A new waiting upload of ``person`` (a key); it expires on a whole second, so that a
        link can carry its expiry exactly."""
        now = self._clock()
        upload_id = new_upload_id()
        async with self._ledger.database.writing() as conn:
            await conn.execute(
                f"INSERT INTO uploads ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL)",
                (
                    upload_id,
                    person,
                    kind.value,
                    UploadState.WAITING.value,
                    name,
                    now,
                    float(int(now) + lifetime_seconds),
                ),
            )
            return await _row(conn, upload_id)

    async def get(self, upload_id: str) -> UploadRecord | None:
        """The upload, or None when there is none by that id (or it was forgotten)."""
        async with self._ledger.database.reading() as conn:
            try:
                return await _row(conn, upload_id)
            except LookupError:
                return None

    async def receive(
        self, upload_id: str, size: int, sha256: str, put_in_place: Callable[[], None]
    ) -> UploadRecord | None:
        """Record the file received for a waiting, unexpired upload, and in the same transaction
        call ``put_in_place`` (which renames the file into place; if it raises, nothing is
        recorded). None when the upload is no longer waiting or its time ran out."""
        async with self._ledger.database.writing() as conn:
            updated = (
                await conn.execute(
                    "UPDATE uploads SET state = ?, size = ?, sha256 = ? "
                    "WHERE upload_id = ? AND state = ? AND expires_at > ?",
                    (
                        UploadState.READY.value,
                        size,
                        sha256,
                        upload_id,
                        UploadState.WAITING.value,
                        self._clock(),
                    ),
                )
            ).rowcount
            if not updated:
                return None
            put_in_place()
            return await _row(conn, upload_id)

    async def use(self, upload_ids: Collection[str], person: str) -> bool:
        """Mark ``person``'s ready, unexpired uploads used: all of them, or (False) none."""
        now = self._clock()
        try:
            async with self._ledger.database.writing() as conn:
                for upload_id in upload_ids:
                    updated = (
                        await conn.execute(
                            "UPDATE uploads SET state = ?, used_at = ? WHERE upload_id = ? "
                            "AND person = ? AND state = ? AND expires_at > ?",
                            (
                                UploadState.USED.value,
                                now,
                                upload_id,
                                person,
                                UploadState.READY.value,
                                now,
                            ),
                        )
                    ).rowcount
                    if not updated:
                        raise _NotAllUsable
        except _NotAllUsable:
            return False
        return True

    async def expire(self, forget_after_seconds: float) -> None:
        """Mark uploads whose time ran out expired, and forget those that ended longer ago than
        ``forget_after_seconds``."""
        now = self._clock()
        async with self._ledger.database.writing() as conn:
            await conn.execute(
                "UPDATE uploads SET state = ? WHERE state IN (?, ?) AND expires_at <= ?",
                (
                    UploadState.EXPIRED.value,
                    UploadState.WAITING.value,
                    UploadState.READY.value,
                    now,
                ),
            )
            before = now - forget_after_seconds
            await conn.execute(
                "DELETE FROM uploads WHERE state IN (?, ?) "
                "AND expires_at <= ? AND COALESCE(used_at, 0) <= ?",
                (*_ENDED, before, before),
            )

    async def ended(self, upload_ids: Sequence[str]) -> set[str]:
        """Those of ``upload_ids`` whose files are no longer wanted: used, expired or unknown."""
        if not upload_ids:
            return set()
        placeholders = ",".join("?" * len(upload_ids))
        async with self._ledger.database.reading() as conn:
            found = await conn.execute(
                f"SELECT upload_id FROM uploads WHERE upload_id IN ({placeholders}) "
                "AND state NOT IN (?, ?)",
                (*upload_ids, *_ENDED),
            )
        return set(upload_ids) - {str(row[0]) for row in found.rows}


async def _row(conn: Transaction, upload_id: str) -> UploadRecord:
    row = (
        await conn.execute(f"SELECT {_COLUMNS} FROM uploads WHERE upload_id = ?", (upload_id,))
    ).first()
    if row is None:
        raise LookupError(f"no upload {upload_id}")
    return _record(row)


def _record(row: tuple[Any, ...]) -> UploadRecord:
    return UploadRecord(
        upload_id=str(row[0]),
        person=str(row[1]),
        kind=UploadKind(row[2]),
        state=UploadState(row[3]),
        name=row[4],
        size=None if row[5] is None else int(row[5]),
        sha256=row[6],
        created_at=float(row[7]),
        expires_at=float(row[8]),
        used_at=None if row[9] is None else float(row[9]),
    )
