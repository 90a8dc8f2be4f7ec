"""The uploads table: made waiting, received once, used all together or not at all, forgotten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rodin_mcp.emulator import ManualClock
from rodin_mcp.ledger import SCHEMA_VERSION, Ledger, UploadStore
from rodin_mcp.records import UploadKind, UploadState


def _ready(store: UploadStore, person: str = "token:alice") -> str:
    upload_id = store.create(person, UploadKind.IMAGE, "a.png", 600).upload_id
    assert store.receive(upload_id, 3, "ab" * 32, lambda: None) is not None
    return upload_id


def _state(store: UploadStore, upload_id: str) -> UploadState:
    record = store.get(upload_id)
    assert record is not None
    return record.state


def test_a_use_takes_every_upload_of_a_call_or_none(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        store = UploadStore(ledger)
        first, second = _ready(store), _ready(store)
        theirs = _ready(store, "token:bob")

        assert not store.use([first, theirs], "token:alice")
        assert _state(store, first) is UploadState.READY

        assert store.use([first, second], "token:alice")
        assert not store.use([second], "token:alice")
        assert {_state(store, i) for i in (first, second)} == {UploadState.USED}


def test_a_second_file_is_not_recorded_and_a_failed_placing_records_nothing(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        store = UploadStore(ledger)
        upload_id = store.create("local", UploadKind.MODEL, None, 600).upload_id

        def fail() -> None:
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            store.receive(upload_id, 3, "ab" * 32, fail)
        assert _state(store, upload_id) is UploadState.WAITING
        assert store.receive(upload_id, 3, "ab" * 32, lambda: None) is not None
        assert store.receive(upload_id, 4, "cd" * 32, lambda: None) is None


def test_uploads_expire_with_their_time_and_are_forgotten_a_while_after(tmp_path: Path) -> None:
    clock = ManualClock()
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        store = UploadStore(ledger, clock)
        waiting = store.create("local", UploadKind.IMAGE, None, 60).upload_id
        ready = _ready(store, "local")
        clock.advance(60)
        store.expire(forget_after_seconds=3600)
        assert _state(store, waiting) is UploadState.EXPIRED
        assert _state(store, ready) is UploadState.READY
        assert store.ended([waiting, ready, "gone"]) == {waiting, "gone"}
        clock.advance(3600)
        store.expire(forget_after_seconds=3600)
        assert store.get(waiting) is None


def test_a_version_6_ledger_gains_the_uploads_table(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    with Ledger(path):
        pass
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TABLE uploads")
        conn.execute("PRAGMA user_version = 6")
        conn.commit()
    finally:
        conn.close()
    with Ledger(path) as ledger:
        upload = UploadStore(ledger).create("local", UploadKind.IMAGE, None, 60)
        assert UploadStore(ledger).get(upload.upload_id) == upload
    assert SCHEMA_VERSION == 7
