"""Texture images: their pixel size from the header alone (no pixels are decoded)."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from rodin_mcp.model.facts import TextureFacts

__all__ = ["texture_facts", "texture_file_facts"]


def _header_size(data: bytes) -> tuple[int, int, str | None] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                mime = Image.MIME.get(image.format or "")
                return image.width, image.height, mime
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def texture_facts(
    name: str, data: bytes, *, role: str | None = None, mime_type: str | None = None
) -> TextureFacts:
    """Facts about an encoded image held in memory (PNG, JPEG, WebP, ...)."""
    header = _header_size(data)
    if header is None:
        return TextureFacts(name=name, role=role, mime_type=mime_type, byte_size=len(data))
    width, height, detected = header
    return TextureFacts(
        name=name,
        role=role,
        mime_type=mime_type or detected,
        width=width,
        height=height,
        byte_size=len(data),
    )


def texture_file_facts(path: Path, *, role: str | None = None) -> TextureFacts:
    """Facts about an image file; only its header is read.

    Raises:
        OSError: the file cannot be read.
    """
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
    facts = texture_facts(path.name, head, role=role)
    return facts.model_copy(update={"byte_size": path.stat().st_size})
