"""The uploads table: made waiting, received once, used all together or not at all, forgotten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rodin_mcp.emulator import ManualClock
from rodin_mcp.ledger import SCHEMA_VERSION, Ledger, UploadStore, open_sqlite_ledger
from rodin_mcp.records import UploadKind, UploadState

pytestmark = pytest.mark.anyio


async def _ready(store: UploadStore, person: str = "token:alice") -> str:
    upload_id = (await store.create(person, UploadKind.IMAGE, "a.png", 600)).upload_id
    assert await store.receive(upload_id, 3, "ab" * 32, lambda: None) is not None
    return upload_id


async def _state(store: UploadStore, upload_id: str) -> UploadState:
    record = await store.get(upload_id)
    assert record is not None
    return record.state


async def test_a_use_takes_every_upload_of_a_call_or_none(ledger: Ledger) -> None:
    store = UploadStore(ledger)
    first, second = await _ready(store), await _ready(store)
    theirs = await _ready(store, "token:bob")

    assert not await store.use([first, theirs], "token:alice")
    assert await _state(store, first) is UploadState.READY

    assert await store.use([first, second], "token:alice")
    assert not await store.use([second], "token:alice")
    assert {await _state(store, i) for i in (first, second)} == {UploadState.USED}


async def test_a_second_file_is_not_recorded_and_a_failed_placing_records_nothing(
    ledger: Ledger,
) -> None:
    store = UploadStore(ledger)
    upload_id = (await store.create("local", UploadKind.MODEL, None, 600)).upload_id

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await store.receive(upload_id, 3, "ab" * 32, fail)
    assert await _state(store, upload_id) is UploadState.WAITING
    assert await store.receive(upload_id, 3, "ab" * 32, lambda: None) is not None
    assert await store.receive(upload_id, 4, "cd" * 32, lambda: None) is None


async def test_uploads_expire_with_their_time_and_are_forgotten_a_while_after(
    ledger: Ledger,
) -> None:
    clock = ManualClock()
    store = UploadStore(ledger, clock)
    waiting = (await store.create("local", UploadKind.IMAGE, None, 60)).upload_id
    ready = await _ready(store, "local")
    clock.advance(60)
    await store.expire(forget_after_seconds=3600)
    assert await _state(store, waiting) is UploadState.EXPIRED
    assert await _state(store, ready) is UploadState.READY
    assert await store.ended([waiting, ready, "gone"]) == {waiting, "gone"}
    clock.advance(3600)
    await store.expire(forget_after_seconds=3600)
    assert await store.get(waiting) is None


async def test_a_version_7_ledger_gains_the_uploads_table(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    async with await open_sqlite_ledger(path):
        pass
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TABLE uploads")
        conn.execute("PRAGMA user_version = 7")
        conn.commit()
    finally:
        conn.close()
    async with await open_sqlite_ledger(path) as ledger:
        upload = await UploadStore(ledger).create("local", UploadKind.IMAGE, None, 60)
        assert await UploadStore(ledger).get(upload.upload_id) == upload
    assert SCHEMA_VERSION == 8
