"""Local image files: POSIX and Windows paths, ``file://`` URIs, and reading them within limits.

Any readable regular file may be read by default; if ``settings.allowed_input_dirs`` is set, the
file's real path (symlinks resolved) must lie inside one of those folders, checked before the file
is looked at, so a refusal does not tell whether it exists. Folders, devices, pipes and sockets are
refused without being read, and no more than ``settings.max_image_bytes`` is read.

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

import anyio

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs.file_kinds import IMAGE, FileKind
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.inputs.size_limit import too_large_message
from rodin_mcp.settings import Settings

__all__ = [
    "checked_local_file",
    "is_windows_path",
    "path_from_file_uri",
    "posix_path",
    "read_local_file",
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
    """Whether ``text`` is a Windows drive path (``C:\\...``, ``C:/...``) or a UNC path."""
    return bool(_WINDOWS_DRIVE_PATH.match(text)) or text.startswith(("\\\\", "//?/", "\\??\\"))


def windows_path(text: str, kind: FileKind = IMAGE) -> str:
    """The Windows path ``text``, refused unless this server runs on Windows."""
    shown = safe_reference(text)
    if os.name != "nt":
        raise kind.refusal(
            f"{shown} is a Windows path, but this server runs on {_platform_name()}, where that "
            f"file cannot be. Pass {kind.what_to_pass}.",
            shown,
        )
    return text  # pragma: no cover - Windows only


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
        if os.name == "nt":  # pragma: no cover - Windows only
            return "\\\\" + host + path.replace("/", "\\")
        raise kind.refusal(
            f"This file: URI names another computer ({safe_reference(host)}). "
            f"Pass {kind.what_to_pass}.",
            shown,
        )
    if _WINDOWS_DRIVE_IN_URI_PATH.match(path):
        return windows_path(path[1:], kind)
    if not path.startswith("/"):
        raise kind.refusal(
            f"This file: URI has no absolute path. Use file://{kind.example} or pass "
            f"{kind.what_to_pass}.",
            shown,
        )
    return path


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
        InputError: (of ``kind``) the file is in the assistant's sandbox, outside the allowed
            folders, missing, unreadable, or not a regular file.
    """
    shown = safe_reference(path)
    if _is_sandbox_path(path) and not os.path.lexists(path):
        elsewhere = "" if kind is not IMAGE else ", or pass an http(s) URL or a data: URI"
        raise kind.refusal(
            f"{shown} is inside the assistant's sandbox, not on this computer, so this server "
            f"cannot read it. Save the {kind.noun} on this computer and pass its absolute "
            f"path{elsewhere}.",
            shown,
        )
    real = os.path.realpath(path)
    _check_allowed_dirs(path, real, settings, kind)
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


def _check_allowed_dirs(path: str, real: str, settings: Settings, kind: FileKind) -> None:
    shown = safe_reference(path)
    if not settings.allowed_input_dirs:
        return
    real_norm = os.path.normcase(real)
    for folder in settings.allowed_input_dirs:
        root = os.path.normcase(os.path.realpath(os.path.expanduser(folder)))
        try:
            if os.path.commonpath([real_norm, root]) == root:
                return
        except ValueError:  # different drives on Windows
            continue
    folders = os.pathsep.join(str(folder) for folder in settings.allowed_input_dirs)
    raise kind.refusal(
        f"{shown} is outside the folders this server may read {kind.plural} from "
        f"(RODIN_ALLOWED_INPUT_DIRS={folders}). Copy the {kind.noun} into one of them and pass "
        "that path.",
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
