"""Which 3D format an uploaded model is, told by its content (never by its file name).

``/rodin_texture_only`` takes a ``model`` file of at most 10 MB
(https://developer.hyper3d.ai/api-specification/generate-texture); its formats are not listed
there (a write-up of the BANG page lists "obj/glb/stl/fbx/usd*" for uploads), so the emulator
accepts what starts like one of the five formats it also writes:

* GLB: the ``glTF`` magic;
* USDZ: a zip whose first entry is a USD layer (as the USDZ rules require);
* FBX: the binary ``Kaydara FBX Binary`` magic, or ASCII FBX's ``; FBX`` comment or
  ``FBXHeaderExtension:`` node;
* STL: a binary STL whose size matches its facet count, or text starting ``solid`` with a
  ``facet``;
* OBJ: text with ``v``/``f``/... statements.

Only the first 64 KiB are looked at (the binary STL size check excepted).
"""

from __future__ import annotations

import re

__all__ = ["MODEL_FORMATS", "model_format"]

MODEL_FORMATS = ("glb", "usdz", "fbx", "stl", "obj")
_HEAD_BYTES = 64 * 1024
_STL_HEADER = 80
_STL_FACET = 50
_OBJ_LINE = re.compile(rb"^[ \t]*(v|vt|vn|f|o|g|s|mtllib|usemtl)[ \t]", re.M)
_FBX_TEXT = re.compile(rb"^[ \t]*(; FBX|FBXHeaderExtension:)", re.M)


def model_format(data: bytes) -> str | None:
    """``glb``, ``usdz``, ``fbx``, ``stl`` or ``obj``; ``None`` when ``data`` is none of them."""
    head = data[:_HEAD_BYTES]
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"PK\x03\x04"):
        name_length = int.from_bytes(head[26:28], "little")
        first = head[30 : 30 + name_length].lower()
        return "usdz" if first.endswith((b".usda", b".usdc", b".usd")) else None
    if head.startswith(b"Kaydara FBX Binary  \x00"):
        return "fbx"
    if _is_binary_stl(data):
        return "stl"
    if not _is_text(head):
        return None
    if head.lstrip()[:5].lower() == b"solid" and b"facet" in head:
        return "stl"
    if _FBX_TEXT.search(head):
        return "fbx"
    return "obj" if _OBJ_LINE.search(head) else None


def _is_binary_stl(data: bytes) -> bool:
    if len(data) < _STL_HEADER + 4:
        return False
    count = int.from_bytes(data[_STL_HEADER : _STL_HEADER + 4], "little")
    return count > 0 and len(data) == _STL_HEADER + 4 + _STL_FACET * count


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the very end is fine
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return bool(text.strip()) and not any(ord(c) < 9 or 13 < ord(c) < 32 for c in text)
