"""Temporary files of our own naming: one owner for each, written, committed or discarded, and
swept once their writer is gone; on every platform, under the strictest platform's rules.

A file on its way to ``<folder>/<name>`` is written as ``<folder>/.<name>.<8 hex>.rodin-part``
(:class:`PartFile`), created exclusive (``O_EXCL``, ``O_NOFOLLOW`` where it exists) and held under
an exclusive lock (``portalocker``: ``flock`` on Linux and macOS, ``msvcrt.locking`` on Windows)
for as long as its writer runs. The operating system drops the lock when the writer's process
ends, however it ends (``kill -9`` included), so :func:`sweep_folder` can tell a live writer's
file from a dead one's without reading the clock or trusting a process id: it takes the lock
without waiting, and only if it gets it removes the file. Nothing that does not match our naming
is ever touched.

Windows refuses to delete or rename a file that any handle holds open, our own included. So the
descriptor has exactly one owner (the :class:`PartFile`), which closes it exactly once, and
always before the file is deleted; a rename is tried while the file is still open and locked
(which works where the rule does not hold, and leaves no moment unlocked), and otherwise after the
close, retried briefly while another program (a reader, an antivirus or a sync client) holds the
destination. The sweep removes a file under its lock where it can, and otherwise after letting go
of it: then only a live writer's own handle can make the removal fail.

A flush reaches the disk: on macOS ``fsync`` only reaches the drive's cache, so
:func:`flush_to_disk` asks for ``F_FULLFSYNC`` there.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

__all__ = [
    "TEMP_SUFFIX",
    "PartFile",
    "VanishedError",
    "flush_to_disk",
    "is_temp_name",
    "sweep_folder",
    "sweep_task_folders",
    "write_file_atomically",
]

logger = logging.getLogger(__name__)

TEMP_SUFFIX = ".rodin-part"
_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + r"$", re.DOTALL)
_CREATE_TRIES = 5
_REPLACE_WAITS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.25, 0.25)
"""Pauses between tries of a rename refused because another program holds a file (about 1 s in
all): antivirus scanners and sync clients hold a new file for tens to hundreds of milliseconds."""


class VanishedError(OSError):
    """The temporary file was gone when it was to be renamed into place (a sweeper took it in the
    moment between its close and its rename, where a file cannot be renamed while open)."""


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is one of our temporary files."""
    return _TEMP_NAME.match(name) is not None


class PartFile:
    """A temporary file being written for ``dest``, and the one owner of its descriptor.

    Use it as a context manager: leaving the block without :meth:`commit` closes the descriptor
    and removes the file, whatever failed; :meth:`commit` renames it into place and closes it.

    Raises:
        OSError: (on creation) the file cannot be created.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.path, fd = _create_locked(dest)
        self._fd: int | None = fd
        self._committed = False

    @property
    def fd(self) -> int:
        """The open descriptor to write to."""
        if self._fd is None:
            raise ValueError(f"{self.path.name} is closed")
        return self._fd

    def write(self, data: bytes | memoryview) -> None:
        """Write all of ``data``."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def flush_to_disk(self) -> None:
        """Make what was written durable (see :func:`flush_to_disk`)."""
        flush_to_disk(self.fd)

    def commit(self) -> None:
        """Rename the written (and flushed) file over ``dest``, then close it.

        The descriptor is closed exactly once, whether or not the rename succeeds.

        Raises:
            VanishedError: the file was taken by a sweeper before it could be renamed.
            OSError: the rename failed (its own error, never a second close's).
        """
        if self._fd is None:
            raise ValueError(f"{self.path.name} is closed")
        try:
            try:
                os.replace(self.path, self.dest)  # still locked: no sweeper can come in between
            except PermissionError:
                self._close()  # the Windows rule: not while open, our own handle included
                _replace_when_free(self.path, self.dest)
        except FileNotFoundError as exc:
            if self.path.exists():
                raise
            raise VanishedError(
                errno.ENOENT, "the temporary file was removed", str(self.path)
            ) from exc
        finally:
            self._close()
        self._committed = True

    def commit_new(self) -> None:
        """Put the written (and flushed) file at ``dest`` only if no file is there: never over
        another. A hard link makes the name appear complete; where the file system has none,
        the rename follows a check (racy only against writers that do not use this class).

        Raises:
            FileExistsError: a file is at ``dest`` already.
            OSError: the file could not be put in place.
        """
        if self._fd is None:
            raise ValueError(f"{self.path.name} is closed")
        try:
            try:
                os.link(self.path, self.dest)
            except PermissionError:
                self._close()  # the Windows rule may refuse a link to an open file
                os.link(self.path, self.dest)
        except FileExistsError:
            raise
        except OSError as exc:
            if self.dest.exists():
                raise FileExistsError(
                    errno.EEXIST, "a file is there already", str(self.dest)
                ) from exc
            self.commit()  # no hard links on this file system
            return
        finally:
            self._close()
        self.discard()  # the temporary name goes; the file stays under ``dest``
        self._committed = True

    def discard(self) -> None:
        """Close the descriptor (if open) and remove the file (if not committed).

        Never raises for the removal: a file another program holds is left for the sweep.
        """
        self._close()
        if self._committed:
            return
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            logger.info("left %s for the next sweep: %s", self.path.name, exc.strerror)

    def _close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def flush_to_disk(fd: int) -> None:
    """Flush ``fd``'s data to the disk itself: ``F_FULLFSYNC`` where it exists (macOS, where
    ``fsync`` stops at the drive's cache), else ``fsync``.

    Raises:
        OSError: the flush failed.
    """
    if sys.platform == "darwin":
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass  # a file system without it (some network ones): fsync is the best there is
    os.fsync(fd)


def write_file_atomically(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` through a locked temporary file, flushed then renamed: ``dest``
    is never seen half-written, and a crash leaves only a temporary file the sweep removes.

    Raises:
        OSError: the file cannot be written.
    """
    with PartFile(dest) as part:
        part.write(data)
        part.flush_to_disk()
        part.commit()


def sweep_folder(folder: Path) -> int:
    """Remove our temporary files in ``folder`` whose writers are gone; return how many."""
    try:
        with os.scandir(folder) as listing:
            names = [entry.name for entry in listing]
    except OSError:
        return 0
    removed = sum(1 for name in names if is_temp_name(name) and _remove_if_abandoned(folder / name))
    if removed:
        logger.info("removed %d leftover partial file(s) in %s", removed, folder)
    return removed


def sweep_task_folders(output_dir: Path) -> int:
    """Sweep ``output_dir`` and each task folder directly inside it; return how many removed."""
    removed = sweep_folder(output_dir)
    try:
        with os.scandir(output_dir) as listing:
            folders = [Path(e.path) for e in listing if _is_real_folder(e)]
    except OSError:
        return removed
    return removed + sum(sweep_folder(folder) for folder in folders)


def _is_real_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _create_locked(dest: Path) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_CREATE_TRIES):
        temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}")
        fd = os.open(temp, flags, 0o644)
        try:
            if _try_lock(fd, unsupported=True) and os.fstat(fd).st_nlink > 0:
                return temp, fd
        except BaseException:
            os.close(fd)
            raise
        # A sweeper took it between the create and the lock (and may have removed it).
        os.close(fd)
    raise OSError(errno.EAGAIN, "could not hold a temporary file", str(dest.parent))


def _try_lock(fd: int, *, unsupported: bool) -> bool:
    """Lock ``fd`` without waiting: False when another holds it; ``unsupported`` is the answer
    where the file system cannot lock at all (then no sweeper can either)."""
    import portalocker  # loaded on first use, off the server's start-up path

    try:
        portalocker.lock(fd, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
    except portalocker.AlreadyLocked:
        return False
    except portalocker.LockException:
        return unsupported
    return True


def _replace_when_free(temp: Path, dest: Path) -> None:
    for wait in _REPLACE_WAITS:
        try:
            os.replace(temp, dest)
            return
        except PermissionError:
            time.sleep(wait)  # another program holds one of the files for a moment
    os.replace(temp, dest)


def _remove_if_abandoned(path: Path) -> bool:
    fd = _hold_if_abandoned(path)
    if fd is None:
        return False
    try:
        os.unlink(path)  # under the lock, so no writer can be between its create and its lock
        return True
    except PermissionError:
        pass  # the Windows rule: not while open, our own handle included
    except OSError:
        return False
    finally:
        os.close(fd)
    # Closed now: only a live writer's handle (or another program's) can make this fail.
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def _hold_if_abandoned(path: Path) -> int | None:
    """An open, locked descriptor of our regular file at ``path``, or None if its writer lives."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None  # gone already, a symlink, or not ours to open
    try:
        info = os.fstat(fd)
        current = os.lstat(path)
        if (
            stat.S_ISREG(info.st_mode)
            and (current.st_dev, current.st_ino) == (info.st_dev, info.st_ino)
            and _try_lock(fd, unsupported=False)
        ):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None
