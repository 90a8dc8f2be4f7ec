"""Creating the ledger's folder and file readable by their owner only.

The ledger holds subscription keys (handles that let anyone read a task's status), so its file
is created ``0600`` and its missing folders ``0700``.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from rodin_mcp.errors import ConfigError

__all__ = ["create_private_file", "make_private_dirs"]


def make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and its missing parents with mode 0700; leave existing ones alone."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        if os.name != "nt":
            os.chmod(path, 0o700)  # mkdir's mode is reduced by the umask


def create_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does, or tighten an existing one.

    Raises:
        ConfigError: the file cannot be created.
    """
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise ConfigError(f"Cannot create the task ledger {path}: {exc.strerror}.") from None
    try:
        if os.name != "nt" and (os.fstat(fd).st_mode & 0o077):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
