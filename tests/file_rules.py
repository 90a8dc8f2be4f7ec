"""Windows' file rule imposed on any platform, for the tests of what the package does with files.

On Windows a file that any handle holds open cannot be deleted, renamed or replaced (Python opens
files without ``FILE_SHARE_DELETE``). :class:`WindowsFileRules` wraps ``os.unlink``,
``os.remove``, ``os.rename`` and ``os.replace`` (through which ``pathlib`` and ``shutil`` go) so
that they fail as on Windows while a handle of this process, or of one of its child processes,
holds the file. It changes the operating system's interface as the package sees it, never the
package's code, which runs unchanged. ``tests/windows_rules/sitecustomize.py`` installs it in a
child Python process started with that folder on ``PYTHONPATH``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import psutil

__all__ = ["SITE_FOLDER", "WindowsFileRules", "open_files_under", "rename_over_folder_error"]

SITE_FOLDER = Path(__file__).resolve().parent / "windows_rules"
"""Put on a child's ``PYTHONPATH`` to impose the rule in that process too."""

_GUARDED = {"unlink": 1, "remove": 1, "rename": 2, "replace": 2}
"""Each wrapped function and how many of its first arguments are paths."""


def open_files_under(root: Path) -> list[str]:
    """The files under ``root`` that this process holds open."""
    prefix = os.path.normcase(os.path.realpath(root)) + os.sep
    return sorted(p for p in _open_paths(include_children=False) if p.startswith(prefix))


def rename_over_folder_error(scratch: Path) -> OSError:
    """What this platform's rename raises when a file is renamed over a non-empty folder (made
    in ``scratch``): the real error that a failed rename into place must report."""
    (scratch / "folder" / "inside").mkdir(parents=True)
    (scratch / "file").write_bytes(b"x")
    try:
        os.replace(scratch / "file", scratch / "folder")
    except OSError as exc:
        return exc
    raise AssertionError("renaming a file over a non-empty folder succeeded")


class WindowsFileRules:
    """While installed: deleting, renaming or replacing a file held open fails with
    ``PermissionError`` (EACCES), as a sharing violation does on Windows."""

    def __init__(self) -> None:
        self.refusals: list[tuple[str, str]] = []
        self.on_refusal: Callable[[str, str], None] | None = None
        """Called with (operation, path) at each refusal, before it is raised: a test's other
        program may let go of the file then."""
        self._originals: dict[str, Callable[..., Any]] = {}

    def install(self) -> None:
        for name, path_count in _GUARDED.items():
            original = getattr(os, name)
            self._originals[name] = original
            setattr(os, name, self._guarded(name, original, path_count))

    def uninstall(self) -> None:
        for name, original in self._originals.items():
            setattr(os, name, original)
        self._originals.clear()

    def _guarded(self, name: str, real: Callable[..., Any], path_count: int) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            relative = any(kwargs.get(key) is not None for key in ("dir_fd", "src_dir_fd"))
            if not relative:  # (relative to a folder's descriptor: shutil's own clean-ups)
                for path in args[:path_count]:
                    self._refuse_if_open(name, str(os.fspath(cast("str | os.PathLike[str]", path))))
            return real(*args, **kwargs)

        return guarded

    def _refuse_if_open(self, operation: str, path: str) -> None:
        target = os.path.normcase(os.path.realpath(path))
        if target not in _open_paths(include_children=True):
            return
        self.refusals.append((operation, path))
        if self.on_refusal is not None:
            self.on_refusal(operation, path)
        raise PermissionError(
            errno.EACCES,
            "The process cannot access the file because it is being used by another process",
            path,
        )


def _open_paths(*, include_children: bool) -> set[str]:
    me = psutil.Process()
    processes = [me, *(me.children(recursive=True) if include_children else [])]
    paths: set[str] = set()
    for process in processes:
        try:
            paths.update(os.path.normcase(f.path) for f in process.open_files())
        except psutil.Error:
            continue  # it ended meanwhile
    return paths
