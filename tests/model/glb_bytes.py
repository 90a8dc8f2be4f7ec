"""A GLB taken apart into its JSON document and binary chunk, and put back together."""

from __future__ import annotations

import json
import struct
from typing import Any


def glb_chunks(glb: bytes) -> tuple[dict[str, Any], bytes]:
    """The glTF JSON document and the binary chunk of a well-formed GLB."""
    json_length = struct.unpack_from("<I", glb, 12)[0]
    doc = json.loads(glb[20 : 20 + json_length])
    bin_start = 20 + json_length
    bin_length = struct.unpack_from("<I", glb, bin_start)[0]
    return doc, glb[bin_start + 8 : bin_start + 8 + bin_length]


def repack_glb(doc: dict[str, Any], binary: bytes) -> bytes:
    """A GLB holding ``doc`` and ``binary`` (the JSON padded to 4 bytes)."""
    text = json.dumps(doc).encode()
    text += b" " * ((-len(text)) % 4)
    total = 12 + 8 + len(text) + 8 + len(binary)
    return b"".join(
        [
            struct.pack("<III", 0x46546C67, 2, total),
            struct.pack("<II", len(text), 0x4E4F534A),
            text,
            struct.pack("<II", len(binary), 0x004E4942),
            binary,
        ]
    )
