"""The one table of MIME types for the files Rodin produces, by file extension."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

__all__ = ["MEDIA_TYPES", "media_type"]

MEDIA_TYPES: dict[str, str] = {
    "glb": "model/gltf-binary",
    "gltf": "model/gltf+json",
    "usdz": "model/vnd.usdz+zip",
    "fbx": "application/octet-stream",
    "obj": "model/obj",
    "mtl": "model/mtl",
    "stl": "model/stl",
    "3mf": "model/3mf",
    "webp": "image/webp",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "zip": "application/zip",
    "json": "application/json",
}
"""Extension (lower case, no dot) -> MIME type."""


def media_type(name: str) -> str:
    """The MIME type of a file name: from the table, else the platform's guess, else binary."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
