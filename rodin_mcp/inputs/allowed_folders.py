"""The allowed input folders (``RODIN_ALLOWED_INPUT_DIRS``): whether a path lies inside one.

When folders are set, a path is checked twice. First as written (``..`` folded, separators and,
where the platform ignores it, case normalised), before anything about the path is looked up, so a
path outside every folder is refused without touching the file system. Then by its real path
(symlinks resolved), so that a link inside a folder cannot lead out of it. A folder counts by the
path it is written as and by its own real path (``/tmp`` is ``/private/tmp`` on macOS).

A path on another computer (``\\\\host\\share\\...``, see :mod:`~rodin_mcp.inputs.network_paths`)
passes the first check only inside an allowed folder written as a path on that same share; it is
compared by Windows' rules wherever this server runs.
"""

from __future__ import annotations

import ntpath
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from rodin_mcp.errors import InputError
from rodin_mcp.inputs.file_kinds import FileKind
from rodin_mcp.inputs.network_paths import network_spelling

__all__ = ["outside_refusal", "really_inside", "written_inside"]


def written_inside(path: str, folders: Sequence[Path]) -> bool:
    """Whether ``path``, as written, lies inside one of ``folders``; ``path`` is not looked up."""
    spelled = network_spelling(path)
    if spelled is not None:
        target = _network_form(spelled)
        roots = (_network_form(s) for s in map(network_spelling, map(str, folders)) if s)
        return _inside_any(target, roots, "\\")
    target = _local_form(path)
    roots = (
        form
        for folder in folders
        if network_spelling(str(folder)) is None
        for form in (_local_form(os.path.expanduser(folder)), _real_form(folder))
    )
    return _inside_any(target, roots, os.sep)


def really_inside(real: str, folders: Sequence[Path]) -> bool:
    """Whether the resolved path ``real`` lies inside the real path of one of ``folders``."""
    return _inside_any(_local_form(real), (_real_form(folder) for folder in folders), os.sep)


def outside_refusal(shown: str, folders: Sequence[Path], kind: FileKind) -> InputError:
    """The refusal of the (safe) path ``shown``, outside every allowed folder."""
    listed = os.pathsep.join(str(folder) for folder in folders)
    return kind.refusal(
        f"{shown} is outside the folders this server may read {kind.plural} from "
        f"(RODIN_ALLOWED_INPUT_DIRS={listed}). Copy the {kind.noun} into one of them and pass "
        "that path.",
        shown,
    )


def _inside_any(target: str, roots: Iterable[str], separator: str) -> bool:
    for root in roots:
        if target == root or target.startswith(root.rstrip(separator) + separator):
            return True
    return False


def _network_form(spelled: str) -> str:
    return ntpath.normcase(ntpath.normpath(spelled))


def _local_form(path: str) -> str:
    return os.path.normcase(os.path.normpath(path))


def _real_form(folder: Path) -> str:
    return os.path.normcase(os.path.realpath(os.path.expanduser(folder)))
