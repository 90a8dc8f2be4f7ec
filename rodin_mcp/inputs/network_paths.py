r"""Paths on another computer, and device paths, told apart by their text alone.

On Windows, a path that names another computer (``\\host\share\x.png``, its long form
``\\?\UNC\host\share\x.png``, ``//host/share/x.png``, or a ``file://host/...`` URI turned into
one) is reached over SMB: merely looking at it (a stat, a realpath, an existence check, not only an
open) makes the system connect to that host and authenticate with the user's account, which hands
the host a hash it can crack or relay (MITRE ATT&CK T1187, "Forced Authentication",
https://attack.mitre.org/techniques/T1187/). A model that names such a path, say after a prompt
injection, would need one free tool call to leak it. So these paths are recognised here, from their
text and the same way on every platform, before anything touches the file system; the callers
refuse them unless an allowed input folder is itself on that share.

The forms follow Microsoft's "File path formats on Windows systems"
(https://learn.microsoft.com/en-us/dotnet/standard/io/file-path-formats): either separator
(``/`` or ``\``) may be used; two leading separators start a UNC path; ``\\?\`` and ``\\.\``
(and the NT prefix ``\??\``) start a DOS device path, which is a UNC path after ``UNC\``, a local
drive path after ``C:\``, and otherwise a device (a pipe, a volume, a disk), never a file to read.
"""

from __future__ import annotations

import ntpath
import re

__all__ = [
    "has_device_prefix",
    "is_device_path",
    "network_root",
    "network_spelling",
    "without_device_prefix",
]

_DEVICE_PREFIXES = ("\\\\?\\", "\\\\.\\", "\\??\\")
_DRIVE_ROOT = re.compile(r"^[A-Za-z]:\\")
_UNC = "UNC\\"


def _backslashed(path: str) -> str:
    return path.replace("/", "\\")


def _after_device_prefix(path: str) -> str | None:
    r"""What follows a ``\\?\``, ``\\.\`` or ``\??\`` prefix (either separator), or None."""
    text = _backslashed(path)
    for prefix in _DEVICE_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return None


def has_device_prefix(path: str) -> bool:
    r"""Whether ``path`` starts with ``\\?\``, ``\\.\`` or ``\??\`` (either separator)."""
    return _after_device_prefix(path) is not None


def network_spelling(path: str) -> str | None:
    r"""``path`` as a plain UNC path (``\\host\share\...``) if it names another computer; else None.

    ``\\?\UNC\host\share\x`` and ``//host/share/x`` both give ``\\host\share\x``.
    """
    rest = _after_device_prefix(path)
    if rest is not None:
        return "\\\\" + rest[len(_UNC) :] if rest[: len(_UNC)].upper() == _UNC else None
    text = _backslashed(path)
    return text if text.startswith("\\\\") else None


def network_root(path: str) -> str | None:
    r"""The ``\\host\share`` a network path lies on (``\\host`` without a share), else None."""
    spelled = network_spelling(path)
    if spelled is None:
        return None
    host, share = ([part for part in spelled.split("\\") if part] + ["", ""])[:2]
    return "\\\\" + host + ("\\" + share if share else "")


def is_device_path(path: str) -> bool:
    r"""Whether ``path`` names a Windows device (``\\.\pipe\x``, ``\\?\GLOBALROOT\...``)
    rather than a file on a drive or a share."""
    rest = _after_device_prefix(path)
    if rest is None:
        return False
    return not _DRIVE_ROOT.match(rest) and rest[: len(_UNC)].upper() != _UNC


def without_device_prefix(path: str) -> str:
    r"""A local drive path in its long form (``\\?\C:\x``) as the plain ``C:\x``; any other
    path unchanged."""
    rest = _after_device_prefix(path)
    if rest is not None and _DRIVE_ROOT.match(rest):
        return ntpath.normpath(rest)
    return path
