"""Temporary files of our own naming: created exclusive and locked, swept once their owner is gone.

A file on its way to ``<folder>/<name>`` is written as ``<folder>/.<name>.<8 hex>.rodin-part``,
created with ``O_EXCL | O_NOFOLLOW`` and held under an exclusive ``flock`` for as long as its
writer runs. The kernel drops the lock when the writer's process ends, however it ends (``kill
-9`` included), so :func:`sweep_folder` can tell a live writer's file from a dead one's without
reading the clock or trusting a process id: it takes the lock without waiting, and only if it
gets it removes the file. Nothing that does not match our naming is ever touched.

Where ``flock`` does not exist (Windows), a leftover is removed only once it is a day old.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import stat
import sys
import time
import uuid
from pathlib import Path

__all__ = [
    "TEMP_SUFFIX",
    "commit_temp",
    "create_temp",
    "is_temp_name",
    "sweep_folder",
    "sweep_task_folders",
    "write_file_atomically",
]

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".rodin-part"
_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + r"$", re.DOTALL)
_UNLOCKED_AGE_SECONDS = 24 * 3600.0
_CREATE_TRIES = 5

if sys.platform != "win32":
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise
        return True

    _LOCKS = True
else:  # pragma: no cover - Windows has no flock

    def _try_lock(fd: int) -> bool:
        return True

    _LOCKS = False


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of our temporary files."""
    return _TEMP_NAME.match(name) is not None


def create_temp(dest: Path) -> tuple[Path, int]:
    """Create and lock a new temporary file for ``dest``; return its path and open write fd.

    The caller writes and fsyncs it, then :func:`commit_temp`; on failure it unlinks the file and
    closes the fd, which releases the lock.

    Raises:
        OSError: the file cannot be created.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    for _ in range(_CREATE_TRIES):
        temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}")
        fd = os.open(temp, flags, 0o644)
        if _try_lock(fd) and os.fstat(fd).st_nlink > 0:
            return temp, fd
        # A sweeper took it between the create and the lock (and removed it): make another.
        os.close(fd)
    raise OSError(errno.EAGAIN, "could not hold a temporary file", str(dest.parent))


def commit_temp(temp: Path, fd: int, dest: Path) -> None:
    """Rename a written (and fsynced) temporary file over ``dest``, then close it.

    Where locks exist the rename happens while the lock is still held, so no sweeper can take the
    file in between; elsewhere the file is closed first (an open file cannot be renamed there).
    """
    if _LOCKS:
        try:
            os.replace(temp, dest)
        finally:
            os.close(fd)
    else:  # pragma: no cover - Windows
        os.close(fd)
        os.replace(temp, dest)


def write_file_atomically(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` through a locked temporary file, fsynced then renamed: ``dest``
    is never seen half-written, and a crash leaves only a temporary file the sweep removes.

    Raises:
        OSError: the file cannot be written.
    """
    temp, fd = create_temp(dest)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        commit_temp(temp, fd, dest)
        fd = -1
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        if fd >= 0:
            os.close(fd)


def sweep_folder(folder: Path) -> int:
    """Remove our temporary files in ``folder`` whose writers are gone; return how many."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        if is_temp_name(entry.name) and _remove_if_abandoned(Path(entry.path)):
            removed += 1
    if removed:
        logger.info("removed %d leftover partial file(s) in %s", removed, folder)
    return removed


def sweep_task_folders(output_dir: Path) -> int:
    """Sweep ``output_dir`` and each task folder directly inside it; return how many removed."""
    removed = sweep_folder(output_dir)
    try:
        entries = list(os.scandir(output_dir))
    except OSError:
        return removed
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                removed += sweep_folder(Path(entry.path))
    return removed


def _remove_if_abandoned(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False  # gone already, a symlink, or not ours to open
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _try_lock(fd):
            return False
        if not _LOCKS and time.time() - info.st_mtime < _UNLOCKED_AGE_SECONDS:
            return False
        current = os.lstat(path)
        if (current.st_dev, current.st_ino) != (info.st_dev, info.st_ino):
            return False
        os.unlink(path)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
