"""Which 3D format a file holds, told by its content rather than its name."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

__all__ = ["SNIFF_BYTES", "model_format"]

SNIFF_BYTES = 64 * 1024
"""How much of the file's start is read to tell its format."""

_GLB_MAGIC = b"glTF"
_THREE_MF_MODEL = "3D/3dmodel.model"
_ZIP_MAGIC = b"PK\x03\x04"
_FBX_BINARY_MAGIC = b"Kaydara FBX Binary  \x00"
_STL_HEADER = 80
_STL_FACET = 50
# [ \t]*, not \s*: with \s a line start could swallow the blank lines after it, and a file of
# blank lines would be rescanned from each of them (quadratic: 90 s for 60 KB).
_OBJ_LINE = re.compile(rb"^[ \t]*(v|vt|vn|f|o|g|s|mtllib|usemtl)[ \t]", re.M)
_FBX_TEXT = re.compile(rb"^[ \t]*(; FBX|FBXHeaderExtension:)", re.M)


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a cut multi-byte character at the very end is fine
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return not any(ord(c) < 9 or 13 < ord(c) < 32 for c in text)


def _binary_stl(head: bytes, size: int) -> bool:
    if len(head) < _STL_HEADER + 4:
        return False
    count = int.from_bytes(head[_STL_HEADER : _STL_HEADER + 4], "little")
    return size == _STL_HEADER + 4 + _STL_FACET * count


def _is_3mf(path: Path) -> bool:
    """Whether a zip holds a 3MF model part."""
    try:
        with zipfile.ZipFile(path) as package:
            package.getinfo(_THREE_MF_MODEL)
    except (KeyError, zipfile.BadZipFile, ValueError, EOFError):
        return False
    return True


def model_format(path: Path) -> str | None:
    """``glb``, ``usdz``, ``3mf``, ``fbx``, ``stl`` or ``obj`` by the file's content; None for
    anything else.

    A zip is taken for USDZ only when its first entry is a USD layer, as the USDZ rules require,
    and for 3MF when it holds a ``3D/3dmodel.model`` part.

    Raises:
        OSError: the file cannot be read.
    """
    size = path.stat().st_size
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if head.startswith(_GLB_MAGIC):
        return "glb"
    if head.startswith(_ZIP_MAGIC):
        name_length = int.from_bytes(head[26:28], "little")
        first = head[30 : 30 + name_length].lower()
        if first.endswith((b".usda", b".usdc", b".usd")):
            return "usdz"
        return "3mf" if _is_3mf(path) else None
    if head.startswith(_FBX_BINARY_MAGIC):
        return "fbx"
    if _binary_stl(head, size):
        return "stl"
    if not _is_text(head):
        return None
    if head.lstrip()[:5].lower() == b"solid" and b"facet" in head:
        return "stl"
    if _FBX_TEXT.search(head):
        return "fbx"
    if _OBJ_LINE.search(head):
        return "obj"
    return None
