"""Reading a stored file back: only the file that was recorded, never through a symbolic link,
checked against its recorded size and SHA-256, in bounded memory.

The file is opened with ``O_NOFOLLOW`` where the platform has it, so a symbolic link swapped in
for the file is refused by the open itself; where it has not (Windows), a link seen by ``lstat``
is refused before the open. Either way the opened file must be a regular file, the very one the
path names (the same device and inode as an ``lstat`` of the path) and of the recorded size. Its
bytes are hashed as they are read and must give the recorded SHA-256: :func:`read_stored` checks
before it returns anything; a stream (:meth:`StoredFileReader.chunks`, after
:meth:`~StoredFileReader.verify` checked the whole file once) checks again as it goes and stops
one chunk short when the bytes changed in between.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from rodin_mcp.errors import ChangedFileError, FileTooLargeError
from rodin_mcp.records import StoredFile

__all__ = ["CHUNK_BYTES", "StoredFileReader", "read_regular_file", "read_stored"]

CHUNK_BYTES = 1024 * 1024
"""How much of a file is read (and held) at a time."""

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in must not block the open
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


class StoredFileReader:
    """An open, checked descriptor of one stored file; the one owner of that descriptor.

    Use it as a context manager: the descriptor is closed when the block ends.

    Raises:
        FileNotFoundError: (on creation) nothing is at the path any more.
        ChangedFileError: (on creation) the path names something other than the recorded file.
    """

    def __init__(self, stored: StoredFile) -> None:
        self.stored = stored
        self._fd: int | None = _open_checked(stored)

    @property
    def fd(self) -> int:
        """The open descriptor."""
        if self._fd is None:
            raise ValueError(f"{self.stored.name} is closed")
        return self._fd

    def verify(self) -> None:
        """Read the whole file once and compare its SHA-256 with the recorded one.

        Raises:
            ChangedFileError: the bytes are not the recorded ones.
        """
        digest = hashlib.sha256()
        for chunk in self._chunks():
            digest.update(chunk)
        self._check(digest.hexdigest())

    def chunks(self) -> Iterator[bytes]:
        """The file from its start, :data:`CHUNK_BYTES` at a time, hashed as it goes; the last
        chunk is held back until the whole file's hash is known, so a file that changed while
        it was read never reaches its reader whole.

        Raises:
            ChangedFileError: before the last chunk, when the bytes read were not the recorded
                ones.
        """
        digest = hashlib.sha256()
        held: bytes | None = None
        for chunk in self._chunks():
            digest.update(chunk)
            if held is not None:
                yield held
            held = chunk
        self._check(digest.hexdigest())
        if held is not None:
            yield held

    def read(self, limit: int) -> bytes:
        """The whole file, checked, when it is at most ``limit`` bytes.

        Raises:
            FileTooLargeError: it is larger than ``limit``.
            ChangedFileError: the bytes are not the recorded ones.
        """
        if self.stored.size > limit:
            raise FileTooLargeError(self.stored.name, size=self.stored.size, limit=limit)
        return b"".join(self.chunks())

    def close(self) -> None:
        """Close the descriptor (once)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> StoredFileReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _chunks(self) -> Iterator[bytes]:
        fd = self.fd
        os.lseek(fd, 0, os.SEEK_SET)
        remaining = self.stored.size
        while remaining > 0:
            chunk = os.read(fd, min(CHUNK_BYTES, remaining))
            if not chunk:
                raise ChangedFileError(self.stored.name, "it is shorter than recorded")
            remaining -= len(chunk)
            yield chunk
        if os.read(fd, 1):
            raise ChangedFileError(self.stored.name, "it is longer than recorded")

    def _check(self, sha256: str) -> None:
        if sha256 != self.stored.sha256:
            raise ChangedFileError(self.stored.name, "its SHA-256 no longer matches the record")


def read_stored(stored: StoredFile, limit: int) -> bytes:
    """The bytes of ``stored``, checked as :class:`StoredFileReader` does, if at most ``limit``.

    Raises:
        FileNotFoundError: nothing is at the path any more.
        FileTooLargeError: the file is larger than ``limit``.
        ChangedFileError: the path names something other than the recorded file.
    """
    if stored.size > limit:
        raise FileTooLargeError(stored.name, size=stored.size, limit=limit)
    with StoredFileReader(stored) as reader:
        return reader.read(limit)


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (not through a symbolic link), if at most
    ``limit``: for files made here whose hash is not recorded (a viewer's lightweight copy).

    Raises:
        FileNotFoundError: nothing is at the path.
        FileTooLargeError: the file is larger than ``limit``.
        ChangedFileError: a symbolic link or something other than a regular file is there.
    """
    if stat.S_ISLNK(os.lstat(path).st_mode):
        raise ChangedFileError(path.name, "a symbolic link is in its place")
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ChangedFileError(path.name, exc.strerror or type(exc).__name__) from None
    with open(fd, "rb", closefd=True) as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ChangedFileError(path.name, "it is not a regular file")
        if info.st_size > limit:
            raise FileTooLargeError(path.name, size=info.st_size, limit=limit)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(path.name, size=len(data), limit=limit)
    return data


def _open_checked(stored: StoredFile) -> int:
    path = stored.path
    before = os.lstat(path)
    if stat.S_ISLNK(before.st_mode):
        raise ChangedFileError(stored.name, "a symbolic link is in its place")
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        # ELOOP: a symbolic link was swapped in between the lstat and the open.
        raise ChangedFileError(stored.name, exc.strerror or type(exc).__name__) from None
    try:
        _check_opened(stored, fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_opened(stored: StoredFile, fd: int, path: Path) -> None:
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode):
        raise ChangedFileError(stored.name, "it is not a regular file")
    now = os.lstat(path)
    if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
        raise ChangedFileError(stored.name, "another file was put in its place")
    if opened.st_size != stored.size:
        raise ChangedFileError(
            stored.name, f"it is {opened.st_size:,} bytes, not the {stored.size:,} recorded"
        )
