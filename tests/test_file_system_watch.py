"""The file-system watch the no-access tests rely on sees every way of looking at a path."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.file_system_watch import file_system_calls

MARKER = "watched-4f1c9a"


def _open_fd(path: Path) -> None:
    os.close(os.open(path, os.O_RDONLY))


def _read(path: Path) -> None:
    with open(path, "rb") as file:
        file.read(1)


LOOKS: dict[str, Callable[[Path], Any]] = {
    "os.stat": lambda p: os.stat(p),
    "os.lstat": lambda p: os.lstat(p),
    "os.access": lambda p: os.access(p, os.R_OK),
    "os.path.realpath": os.path.realpath,
    "os.path.exists": os.path.exists,
    "os.path.lexists": os.path.lexists,
    "os.path.isfile": os.path.isfile,
    "Path.stat": Path.stat,
    "Path.exists": Path.exists,
    "Path.is_file": Path.is_file,
    "Path.resolve": Path.resolve,
    "open": _read,
    "os.open": _open_fd,
    "os.listdir": lambda p: os.listdir(p.parent),
    "os.scandir": lambda p: list(os.scandir(p.parent)),
}


@pytest.mark.parametrize("look", sorted(LOOKS))
@pytest.mark.parametrize("exists", [True, False], ids=["existing", "missing"])
def test_the_watch_records_each_way_of_looking_at_a_marked_path_and_no_other(
    tmp_path: Path, look: str, exists: bool
) -> None:
    marked = tmp_path / MARKER / "chair.png"
    other = tmp_path / "elsewhere" / "chair.png"
    if exists:
        for path in (marked, other):
            path.parent.mkdir(parents=True)
            path.write_bytes(b"x")

    with file_system_calls(MARKER) as calls:
        for path in (marked, other):
            with contextlib.suppress(OSError):
                LOOKS[look](path)

    assert calls, f"{look} went unseen"
    assert all(MARKER in repr(args) for _, args in calls)


def test_the_watch_records_nothing_once_closed_and_puts_the_functions_back(
    tmp_path: Path,
) -> None:
    marked = tmp_path / MARKER
    stat, realpath = os.stat, os.path.realpath
    with file_system_calls(MARKER) as calls:
        assert os.stat is not stat
    os.path.lexists(marked)
    with contextlib.suppress(OSError):
        _read(marked)
    assert calls == []
    assert (os.stat, os.path.realpath) == (stat, realpath)
