"""The input images of a task: :func:`load_images` and the checks every image passes.

At most :data:`MAX_IMAGES` references are taken, and refused before any is read. Whatever its
source, an image must be within ``settings.max_image_bytes``, not empty, and PNG, JPEG or WEBP by
its magic bytes; a data: URI's declared type must match them. Images are numbered ``0000.png``,
``0001.jpg``... in the order given (Rodin treats the first as the main view).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx2

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs.dispatch import RawImage, load_reference
from rodin_mcp.inputs.image_types import (
    ACCEPTED_IMAGE_TYPES,
    ACCEPTED_NAMES,
    describe_unaccepted,
    sniff_image_type,
)
from rodin_mcp.inputs.references import clean_reference, safe_reference
from rodin_mcp.inputs.size_limit import too_large_message
from rodin_mcp.inputs.uploaded_files import UploadSource
from rodin_mcp.settings import Settings

__all__ = ["MAX_IMAGES", "LoadedImage", "load_images"]

logger = logging.getLogger(__name__)

MAX_IMAGES = 5
"""Rodin takes one to five images per task."""


@dataclass(frozen=True, slots=True)
class LoadedImage:
    """One checked input image, ready to upload.

    Attributes:
        filename: The upload part name, ``0000.png``, ``0001.jpg``... in the order given.
        content_type: ``image/png``, ``image/jpeg`` or ``image/webp``, from the magic bytes.
        data: The image bytes, exactly as given.
        sha256: Hex SHA-256 of ``data``.
        source: Where it came from, safe to show (a path, a URL without its query, or a short
            description of a data: URI).
    """

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    sha256: str
    source: str

    @property
    def size(self) -> int:
        """Size of the image in bytes."""
        return len(self.data)


async def load_images(
    references: Sequence[str],
    settings: Settings,
    *,
    http: httpx2.AsyncClient | None = None,
    local_files: bool = True,
    uploads: UploadSource | None = None,
) -> list[LoadedImage]:
    """Load and check the input images named by ``references``, in order.

    Args:
        references: Zero to five image references (paths, ``file://``, ``data:`` or http(s)
            URLs). An empty list gives an empty result; whether a prompt alone is enough is for the
            request model to decide.
        settings: Size, time and folder limits, and whether private URLs may be fetched.
        http: Client used for URL fetches, for tests or to share a pool. It should be dedicated to
            image fetching. When None, a client without proxies, cookies or credentials is made
            for the call.
        local_files: Whether paths on this machine may be read (not for a person elsewhere,
            unless the operator lists folders); without it they are refused unread.
        uploads: The caller's uploads (``upload://<id>``), checked as any image once read;
            without it an upload reference is refused like any unsupported scheme.

    Returns:
        The images, numbered in the order given.

    Raises:
        ImageInputError: A reference cannot be used; ``.reference`` names it (URLs without their
            query string, data: URIs shortened).
        TypeError: ``references`` is a single string instead of a sequence of strings.
    """
    if isinstance(references, str):
        raise TypeError("references must be a sequence of strings, not one string")
    refs = list(references)
    if len(refs) > MAX_IMAGES:
        raise ImageInputError(
            f"{len(refs)} images were given; Rodin takes at most {MAX_IMAGES}. "
            f"Pass 1 to {MAX_IMAGES} images."
        )
    images: list[LoadedImage] = []
    for index, reference in enumerate(refs):
        raw = await load_reference(
            reference, settings, http, local_files=local_files, uploads=uploads
        )
        images.append(_checked_image(index, raw, reference, settings))
    return images


def _checked_image(index: int, raw: RawImage, reference: str, settings: Settings) -> LoadedImage:
    safe = safe_reference(clean_reference(reference))
    data = raw.data
    if len(data) > settings.max_image_bytes:
        raise ImageInputError(too_large_message(safe, settings), reference=safe)
    if not data:
        raise ImageInputError(f"{safe} is empty (0 bytes). Pass an image file.", reference=safe)
    content_type = sniff_image_type(data)
    if content_type is None:
        raise ImageInputError(
            f"{safe} is {describe_unaccepted(data)}, not an image Rodin accepts. "
            f"Pass a {ACCEPTED_NAMES} image (convert it first if needed).",
            reference=safe,
        )
    if raw.declared_type is not None and raw.declared_type != content_type:
        raise ImageInputError(
            f"The data: URI says {safe_reference(raw.declared_type)} but its bytes are "
            f"{content_type}. "
            "Fix the declared type or the data.",
            reference=safe,
        )
    filename = f"{index:04d}{ACCEPTED_IMAGE_TYPES[content_type]}"
    sha256 = hashlib.sha256(data).hexdigest()
    logger.debug("loaded input image %s: %s, %d bytes", filename, content_type, len(data))
    return LoadedImage(
        filename=filename, content_type=content_type, data=data, sha256=sha256, source=raw.source
    )
