"""Decoding ``data:`` URIs, base64 (standard or URL-safe, wrapped or not) or percent-encoded.

A declared image type is normalised (``image/jpg`` is ``image/jpeg``) and handed back so that it
can be checked against the bytes; a generic one (``application/octet-stream``, ``image/*``, none)
declares nothing. The payload's length is bounded before anything is decoded.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs.references import safe_reference
from rodin_mcp.inputs.size_limit import too_large_message
from rodin_mcp.settings import Settings

__all__ = ["decode_data_uri"]

_TYPE_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_GENERIC_TYPES = {"", "application/octet-stream", "image/*", "image"}


def decode_data_uri(text: str, settings: Settings) -> tuple[bytes, str | None]:
    """The bytes of a data: URI and the image type it declares (None if generic)."""
    safe = safe_reference(text)
    header, comma, payload = text[5:].partition(",")
    if not comma:
        raise ImageInputError(
            "This data: URI has no comma before its data. "
            "Use the form data:image/png;base64,<data>.",
            reference=safe,
        )
    params = [part.strip().lower() for part in header.split(";")]
    is_base64 = "base64" in params[1:]
    media_type = _TYPE_ALIASES.get(params[0], params[0])
    # Bound the work before decoding: no encoding of an image within the cap takes three
    # characters per byte or more (percent-encoding is at most 3, base64 about 1.34).
    if len(payload) > settings.max_image_bytes * 3 + 1024:
        raise ImageInputError(too_large_message(safe, settings), reference=safe)
    data = _decode_base64(payload, safe) if is_base64 else urllib.parse.unquote_to_bytes(payload)
    declared = None if media_type in _GENERIC_TYPES else media_type
    return data, declared


def _decode_base64(payload: str, safe: str) -> bytes:
    text = "".join(urllib.parse.unquote(payload).split())
    text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImageInputError(
            "The data: URI says base64 but its data is not valid base64. "
            "Check that the whole string was passed.",
            reference=safe,
        ) from None
