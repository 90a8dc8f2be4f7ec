"""Reading a stored file back: the recorded regular file only, its size and SHA-256 checked."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from rodin_mcp.downloads.stored_files import (
    CHUNK_BYTES,
    StoredFileReader,
    read_regular_file,
    read_stored,
)
from rodin_mcp.errors import ChangedFileError, FileTooLargeError
from rodin_mcp.records import StoredFile


def _stored(path: Path, data: bytes) -> StoredFile:
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    return StoredFile(path.name, path, len(data), sha, "model/gltf-binary", path.name)


def test_the_recorded_file_is_read_whole(tmp_path: Path) -> None:
    data = os.urandom(3 * CHUNK_BYTES + 17)
    assert read_stored(_stored(tmp_path / "m.glb", data), len(data)) == data


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    stored = _stored(tmp_path / "m.glb", b"x" * 100)
    with pytest.raises(FileTooLargeError) as raised:
        read_stored(stored, 99)
    assert raised.value.size == 100


def test_bytes_changed_while_streaming_stop_the_stream_before_its_last_chunk(
    tmp_path: Path,
) -> None:
    data = os.urandom(3 * CHUNK_BYTES)
    stored = _stored(tmp_path / "m.glb", data)
    delivered: list[bytes] = []
    with StoredFileReader(stored) as reader:
        reader.verify()
        chunks = reader.chunks()
        delivered.append(next(chunks))  # the first two chunks have been read by now
        with (tmp_path / "m.glb").open("r+b") as file:  # written in place, same size
            file.seek(2 * CHUNK_BYTES + 1)
            file.write(b"\0" if data[2 * CHUNK_BYTES + 1] else b"\1")
        with pytest.raises(ChangedFileError, match="SHA-256"):
            delivered.extend(chunks)
    assert b"".join(delivered) == data[: 2 * CHUNK_BYTES]


def test_an_unchanged_stream_delivers_every_byte(tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK_BYTES + 5)
    with StoredFileReader(_stored(tmp_path / "m.glb", data)) as reader:
        reader.verify()
        assert b"".join(reader.chunks()) == data


def test_a_file_that_grew_or_shrank_is_refused(tmp_path: Path) -> None:
    stored = _stored(tmp_path / "m.glb", b"abc")
    (tmp_path / "m.glb").write_bytes(b"abcd")
    with pytest.raises(ChangedFileError, match="4 bytes, not the 3 recorded"):
        read_stored(stored, 100)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_place_of_a_file_is_refused_without_blocking(tmp_path: Path) -> None:
    stored = _stored(tmp_path / "m.glb", b"abc")
    (tmp_path / "m.glb").unlink()
    os.mkfifo(tmp_path / "m.glb")
    with pytest.raises(ChangedFileError, match="not a regular file"):
        read_stored(stored, 100)
    with pytest.raises(ChangedFileError, match="not a regular file"):
        read_regular_file(tmp_path / "m.glb", 100)


def test_a_copy_is_read_whole_within_its_limit(tmp_path: Path) -> None:
    (tmp_path / "copy.glb").write_bytes(b"12345")
    assert read_regular_file(tmp_path / "copy.glb", 5) == b"12345"
    with pytest.raises(FileTooLargeError):
        read_regular_file(tmp_path / "copy.glb", 4)
