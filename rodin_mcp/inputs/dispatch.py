"""From a reference to the loader for its kind: data: URI, local path, file: URI, http(s) URL, or
an upload (``upload://<id>``, found by the :class:`~.uploaded_files.UploadSource` passed in).

A one-letter scheme is a Windows drive (``D:chair.png``), not a URI scheme. Any other scheme
(``ftp:``, ``javascript:``...) is refused, and text without a scheme is a POSIX path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx2

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs.data_uris import decode_data_uri
from rodin_mcp.inputs.fetching import fetch_image_url
from rodin_mcp.inputs.file_kinds import IMAGE
from rodin_mcp.inputs.local_files import (
    is_windows_path,
    path_from_file_uri,
    posix_path,
    read_local_file,
    refuse_local_files,
    windows_path,
)
from rodin_mcp.inputs.references import WHAT_TO_PASS, clean_reference, safe_reference
from rodin_mcp.inputs.uploaded_files import UPLOAD_SCHEME, UploadSource, parse_upload_reference
from rodin_mcp.settings import Settings

__all__ = ["RawImage", "load_reference"]

_URI_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True, slots=True)
class RawImage:
    """The bytes a reference names, not yet checked.

    Attributes:
        data: The bytes as read, fetched or decoded.
        source: Where they came from, safe to show.
        declared_type: The image type a data: URI declares; None for other sources.
    """

    data: bytes = field(repr=False)
    source: str
    declared_type: str | None = None


async def load_reference(
    reference: str,
    settings: Settings,
    http: httpx2.AsyncClient | None,
    *,
    local_files: bool = True,
    uploads: UploadSource | None = None,
) -> RawImage:
    """The bytes ``reference`` names, from whichever kind of source it is; without
    ``local_files``, a path (or ``file:`` URI) on this machine is refused unread, and without
    ``uploads`` an upload."""
    text = clean_reference(reference)
    if not text:
        raise ImageInputError(
            f"An image reference is empty. Pass {WHAT_TO_PASS}.", reference=reference
        )
    if text[:5].lower() == "data:":
        data, declared = decode_data_uri(text, settings)
        return RawImage(data, safe_reference(text), declared)
    scheme_match = _URI_SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else None
    windows = is_windows_path(text) or (scheme is not None and len(scheme) == 1)
    if not local_files and (windows or scheme in (None, "file")):
        refuse_local_files(text, IMAGE)
    if windows:
        path = windows_path(text)
        return RawImage(await read_local_file(path, settings), path)
    if scheme in ("http", "https"):
        return RawImage(await fetch_image_url(text, settings, http), safe_reference(text))
    if scheme == UPLOAD_SCHEME and uploads is not None:
        upload = parse_upload_reference(text, IMAGE)
        return RawImage(await uploads.image_bytes(upload), upload.uri)
    if scheme == "file":
        path = path_from_file_uri(text)
        return RawImage(await read_local_file(path, settings), path)
    if scheme is not None:
        raise ImageInputError(
            f"'{scheme}:' references are not supported. Pass {WHAT_TO_PASS}.",
            reference=safe_reference(text),
        )
    path = posix_path(text)
    return RawImage(await read_local_file(path, settings), path)
