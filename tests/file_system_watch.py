"""Seeing whether anything in this process touched the file system about a path.

:func:`file_system_calls` is a context manager: while it is open, every file-system call made in
this process (by any thread) whose arguments mention ``marker`` is recorded as ``(name, args)``.
Nothing of rodin-mcp is mocked; the calls are seen at the standard library's edge, two ways:

* A PEP 578 audit hook, installed once for the process (audit hooks cannot be removed), sees the
  events CPython raises for file access: ``open`` (``open()``, ``io.open``, ``os.open``),
  ``os.listdir``, ``os.scandir``, ``os.mkdir``, ``os.rename`` and the like.
* CPython's table of audit events lists none for ``os.stat``, ``os.lstat``, ``os.access``,
  ``os.readlink``, the existence checks or ``realpath`` (seen on 3.11: a hook sees none of them),
  and those are exactly the calls that reach a network path first. So while the watch is open
  they are replaced, on the ``os`` and ``os.path`` modules (``os.path`` is ``ntpath`` on Windows,
  whose ``realpath`` asks for a handle's final path), by recorders that make the call unchanged.

``tests/test_file_system_watch.py`` shows that the watch sees each way of looking at a path.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import Any

__all__ = ["file_system_calls"]

# (module, attribute) pairs wrapped while a watch is open, when the module has them.
_WRAPPED_NAMES = {
    os: ("stat", "lstat", "access", "readlink", "scandir", "listdir", "open"),
    os.path: (
        "exists",
        "lexists",
        "isfile",
        "isdir",
        "islink",
        "isjunction",
        "getsize",
        "realpath",
        "samefile",
        # Windows: realpath asks for the final path of an open handle.
        "_getfinalpathname",
        "_getfinalpathname_nonstrict",
    ),
}

_lock = threading.Lock()
_watches: list[tuple[str, list[tuple[str, tuple[Any, ...]]]]] = []
_hook_installed = False


def _record(name: str, args: tuple[Any, ...]) -> None:
    if not _watches:
        return
    text = repr(args)
    with _lock:
        for marker, calls in _watches:
            if marker in text:
                calls.append((name, args))


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _watches and (event == "open" or event.startswith(("os.", "shutil.", "pathlib."))):
        _record(event, args)


def _recorder(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def recorded(*args: Any, **kwargs: Any) -> Any:
        _record(name, args)
        return call(*args, **kwargs)

    return recorded


@contextmanager
def file_system_calls(marker: str) -> Generator[list[tuple[str, tuple[Any, ...]]]]:
    """Record, while open, the file-system calls whose arguments mention ``marker``."""
    global _hook_installed
    with _lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True
    calls: list[tuple[str, tuple[Any, ...]]] = []
    watch = (marker, calls)
    replaced: list[tuple[Any, str, Any]] = []
    for module, names in _WRAPPED_NAMES.items():
        for name in names:
            original = getattr(module, name, None)
            if original is not None:
                replaced.append((module, name, original))
                setattr(module, name, _recorder(f"{module.__name__}.{name}", original))
    with _lock:
        _watches.append(watch)
    try:
        yield calls
    finally:
        with _lock:
            _watches.remove(watch)
        for module, name, original in reversed(replaced):
            setattr(module, name, original)
