"""Local image files: POSIX and Windows paths, ``file://`` URIs, and reading them within limits.

Any readable regular file may be read by default; if ``settings.allowed_input_dirs`` is set, the
path must lie inside one of those folders both as written and once resolved (see
:mod:`~rodin_mcp.inputs.allowed_folders`), checked before the file is looked at, so a refusal does
not tell whether it exists. Folders, devices, pipes and sockets are refused without being read,
and no more than ``settings.max_image_bytes`` is read.

A path on another computer (``\\\\host\\share\\...``, ``//host/share/...``, ``file://host/...``)
or a Windows device path is refused from its text, before any file-system call, on every
platform (see :mod:`~rodin_mcp.inputs.network_paths` for why); on Windows a path on a share is
read only inside an allowed folder on that share.

A path from an assistant's own sandbox (``/mnt/user-data/...``, ``/home/claude/...``) that does
not exist here gets a message explaining that the file is on the assistant's side, not on this
computer. A Windows path given to a server on macOS or Linux gets a message saying so.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import anyio

from rodin_mcp.errors import ImageInputError, InputError
from rodin_mcp.inputs.allowed_folders import outside_refusal, really_inside, written_inside
from rodin_mcp.inputs.file_kinds import IMAGE, FileKind
from rodin_mcp.inputs.network_paths import (
    has_device_prefix,
    is_device_path,
    network_root,
    network_spelling,
    without_device_prefix,
)
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.inputs.size_limit import too_large_message
from rodin_mcp.settings import Settings

__all__ = [
    "checked_local_file",
    "is_windows_path",
    "path_from_file_uri",
    "posix_path",
    "read_local_file",
    "refuse_local_files",
    "windows_path",
]

# Assistants' own sandboxes (Claude, ChatGPT, ...). A path there is on the assistant's machine.
_SANDBOX_PREFIXES = (
    "/mnt/user-data/",
    "/mnt/data/",
    "/mnt/outputs/",
    "/mnt/skills/",
    "/mnt/inputs/",
    "/home/claude/",
    "/home/sandbox/",
    "/tmp/outputs/",
    "/tmp/inputs/",
)

_WINDOWS_DRIVE_PATH = re.compile(r"^[A-Za-z]:[\\/]")
_WINDOWS_DRIVE_IN_URI_PATH = re.compile(r"^/[A-Za-z]:([\\/]|$)")
_BASE64_TEXT = re.compile(r"^[A-Za-z0-9+/=_-]+$")


# --- paths ----------------------------------------------------------------------------------


def is_windows_path(text: str) -> bool:
    """Whether ``text`` is a Windows drive path (``C:\\...``, ``C:/...``), a path on another
    computer (``\\\\host\\share``, ``//host/share``) or a device path (``\\\\?\\...``)."""
    return (
        bool(_WINDOWS_DRIVE_PATH.match(text))
        or network_spelling(text) is not None
        or has_device_prefix(text)
    )


def windows_path(text: str, kind: FileKind = IMAGE) -> str:
    """The Windows path ``text`` (a long drive path made plain), refused unless this server runs
    on Windows; a device path is refused everywhere, and a path on another computer everywhere but
    on Windows (where :func:`checked_local_file` decides), all from the text alone."""
    shown = safe_reference(text)
    if is_device_path(text):
        raise _device_refusal(text, kind)
    if network_spelling(text) is not None and os.name != "nt":
        raise network_refusal(text, kind)
    if os.name != "nt":
        raise kind.refusal(
            f"{shown} is a Windows path, but this server runs on {_platform_name()}, where that "
            f"file cannot be. Pass {kind.what_to_pass}.",
            shown,
        )
    return without_device_prefix(text)  # pragma: no cover - Windows only


def network_refusal(path: str, kind: FileKind) -> InputError:
    """The refusal of ``path``, a path on another computer (see
    :mod:`~rodin_mcp.inputs.network_paths`), said the same way on every platform."""
    shown = safe_reference(path)
    root = safe_reference(network_root(path) or path)
    return kind.refusal(
        f"{shown} is on another computer (the network share {root}), and this server does not "
        "open network paths: on Windows, even looking one up signs in to that computer with the "
        f"user's account. Copy the {kind.noun} to this computer and pass {kind.what_to_pass}.",
        shown,
    )


def _device_refusal(path: str, kind: FileKind) -> InputError:
    shown = safe_reference(path)
    return kind.refusal(
        f"{shown} is a Windows device path, not a file. Pass {kind.what_to_pass}.", shown
    )


def _platform_name() -> str:
    if sys.platform == "darwin":
        return "macOS"
    if sys.platform.startswith("linux"):
        return "Linux"
    return sys.platform


def posix_path(text: str, kind: FileKind = IMAGE) -> str:
    """The absolute path ``text`` names (``~`` expanded); relative paths and raw base64 refused."""
    shown = safe_reference(text)
    expanded = os.path.expanduser(text)
    if not os.path.isabs(expanded):
        if kind is not IMAGE:
            raise kind.refusal(
                f"{shown} is a relative path, and this server cannot know which folder it is "
                f"relative to. Pass an absolute path (for example {kind.example}).",
                shown,
            )
        if len(text) > 200 and _BASE64_TEXT.match(text):
            raise ImageInputError(
                "This looks like raw base64 data. Pass it as a data: URI "
                "(data:image/png;base64,<data>), or pass a file path or URL instead.",
                reference=shown,
            )
        raise ImageInputError(
            f"{shown} is a relative path, and this server cannot know which folder it is relative "
            "to. Pass an absolute path (for example /home/me/pictures/chair.png), "
            "an http(s) URL or a data: URI.",
            reference=shown,
        )
    return expanded


def path_from_file_uri(text: str, kind: FileKind = IMAGE) -> str:
    """The local path a ``file:`` URI names, percent-decoded; other computers are refused."""
    shown = safe_reference(text)
    parts = urllib.parse.urlsplit(text)
    path = urllib.parse.unquote(parts.path)
    host = parts.netloc
    if host and host.lower() != "localhost":
        path = "//" + host + path  # RFC 8089: a file on another computer, a UNC path on Windows
    if network_spelling(path) is not None:
        return windows_path(path, kind)
    if _WINDOWS_DRIVE_IN_URI_PATH.match(path):
        return windows_path(path[1:], kind)
    if not path.startswith("/"):
        raise kind.refusal(
            f"This file: URI has no absolute path. Use file://{kind.example} or pass "
            f"{kind.what_to_pass}.",
            shown,
        )
    return path


def refuse_local_files(reference: str, kind: FileKind) -> NoReturn:
    """Refuse a path for a person who is not on the server's machine, before it is looked at: one
    message whatever the path is, so refusals do not map the server's disk.

    Raises:
        InputError: always (of ``kind``).
    """
    raise kind.refusal(
        "This server does not read files from its own disk for the people it serves over the "
        f"network (only from folders its operator lists in RODIN_ALLOWED_INPUT_DIRS). Pass "
        f"{kind.what_to_pass_remotely}.",
        safe_reference(reference),
    )


def _is_sandbox_path(path: str) -> bool:
    normal = path.replace("\\", "/")
    return any(normal.startswith(prefix) or normal == prefix[:-1] for prefix in _SANDBOX_PREFIXES)


# --- reading --------------------------------------------------------------------------------


async def read_local_file(path: str, settings: Settings) -> bytes:
    """The bytes of the regular file at ``path``, within the allowed folders and the size cap."""
    return await anyio.to_thread.run_sync(_read_local, path, settings)


def _read_local(path: str, settings: Settings) -> bytes:
    shown = safe_reference(path)
    real, info = checked_local_file(path, settings, IMAGE)
    if info.st_size > settings.max_image_bytes:
        raise ImageInputError(too_large_message(shown, settings), reference=shown)
    return _read_capped(path, real, settings.max_image_bytes)


def checked_local_file(path: str, settings: Settings, kind: FileKind) -> tuple[str, os.stat_result]:
    """The real path and status of the regular file at ``path``, if this server may read it.

    Raises:
        InputError: (of ``kind``) the path is on another computer or a device, the file is in
            the assistant's sandbox, outside the allowed folders, missing, unreadable, or not a
            regular file.
    """
    shown = safe_reference(path)
    folders = settings.allowed_input_dirs
    _check_as_written(path, folders, kind)
    real = os.path.realpath(path)
    if folders and not really_inside(real, folders):
        raise outside_refusal(shown, folders, kind)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        raise kind.refusal(
            f"There is no file at {shown}. Check the path; it must be an absolute path on the "
            "computer this server runs on.",
            shown,
        ) from None
    except OSError as exc:
        raise kind.refusal(
            f"Cannot read {shown}: {exc.strerror or type(exc).__name__}.", shown
        ) from None
    _check_regular_file(path, info.st_mode, kind)
    return real, info


def _check_as_written(path: str, folders: Sequence[Path], kind: FileKind) -> None:
    """The refusals decided from the path's text, before the file system is asked anything
    about it (the sandbox check asks whether it exists, and only inside the allowed folders)."""
    if is_device_path(path):
        raise _device_refusal(path, kind)
    if network_spelling(path) is not None and not written_inside(path, folders):
        raise network_refusal(path, kind)
    allowed = not folders or written_inside(path, folders)
    if _is_sandbox_path(path) and (not allowed or not os.path.lexists(path)):
        raise _sandbox_refusal(safe_reference(path), kind)
    if not allowed:
        raise outside_refusal(safe_reference(path), folders, kind)


def _sandbox_refusal(shown: str, kind: FileKind) -> InputError:
    elsewhere = "" if kind is not IMAGE else ", or pass an http(s) URL or a data: URI"
    return kind.refusal(
        f"{shown} is inside the assistant's sandbox, not on this computer, so this server "
        f"cannot read it. Save the {kind.noun} on this computer and pass its absolute "
        f"path{elsewhere}.",
        shown,
    )


def _check_regular_file(path: str, mode: int, kind: FileKind) -> None:
    shown = safe_reference(path)
    noun = kind.noun if kind.noun.endswith(" file") else f"{kind.noun} file"
    article = "an" if noun[0] in "aeiou" else "a"
    if stat.S_ISDIR(mode):
        raise kind.refusal(
            f"{shown} is a folder, not {article} {noun}. Pass the path of {article} {noun} "
            "inside it.",
            shown,
        )
    if not stat.S_ISREG(mode):
        raise kind.refusal(
            f"{shown} is not a regular file (a device, pipe or socket). Pass {article} {noun}.",
            shown,
        )


def _read_capped(path: str, real: str, limit: int) -> bytes:
    shown = safe_reference(path)
    # O_NOFOLLOW: the real path was checked, so a symlink swapped in since then is refused.
    # O_NONBLOCK: opening a FIFO swapped in since the stat must not hang.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise ImageInputError(
            f"Cannot read {shown}: {exc.strerror or type(exc).__name__}.",
            reference=path,
        ) from None
    with open(fd, "rb", closefd=True) as file:
        _check_regular_file(path, os.fstat(file.fileno()).st_mode, IMAGE)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ImageInputError(
            f"{shown} grew past the size limit while being read.",
            reference=shown,
        )
    return data
