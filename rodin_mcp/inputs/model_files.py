"""Model file references: a local path, a ``file://`` URI, the resource URI of a download, or an
upload.

A local model file passes the same checks as a local image (the allowed folders, a regular file,
the explanation for paths in an assistant's sandbox); its content is checked by the model room.
A ``rodin://tasks/{task_uuid}/files/{name}`` URI names a file this server downloaded, and an
``upload://<id>`` one a person sent it; the service finds both for the caller, so here they are
only taken apart.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from rodin_mcp.errors import ModelInputError
from rodin_mcp.inputs.file_kinds import MODEL
from rodin_mcp.inputs.local_files import (
    checked_local_file,
    is_windows_path,
    path_from_file_uri,
    posix_path,
    refuse_local_files,
    windows_path,
)
from rodin_mcp.inputs.references import clean_reference, safe_reference
from rodin_mcp.inputs.uploaded_files import (
    UPLOAD_SCHEME,
    UploadReference,
    parse_upload_reference,
)
from rodin_mcp.settings import Settings

__all__ = [
    "DownloadedFileReference",
    "LocalModelFile",
    "UploadReference",
    "local_model_file",
    "parse_model_reference",
]

_URI_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_TASK_FILE = re.compile(r"^rodin://tasks/([^/?#]+)/files/([^/?#]+)$")


@dataclass(frozen=True, slots=True)
class DownloadedFileReference:
    """A file of a task, as its resource URI names it (percent-decoded)."""

    task_uuid: str
    name: str


@dataclass(frozen=True, slots=True)
class LocalModelFile:
    """A local file this server may read, not yet known to hold a model.

    Attributes:
        path: The path as given (``~`` expanded), safe to show once shortened.
        real: The path with symlinks resolved: the file that is read.
        size: Its size in bytes when checked.
    """

    path: Path
    real: Path
    size: int


def parse_model_reference(
    reference: str, *, local_files: bool = True
) -> DownloadedFileReference | UploadReference | str:
    """The downloaded file a ``rodin://`` URI names, the upload an ``upload://`` URI names, or the
    local path any other reference names (refused unread without ``local_files``).

    Raises:
        ModelInputError: the reference is empty, relative, of an unsupported scheme, names
            another computer, or is a malformed resource URI.
    """
    text = clean_reference(reference)
    shown = safe_reference(text)
    if not text:
        raise ModelInputError(f"The model reference is empty. Pass {MODEL.what_to_pass}.")
    scheme_match = _URI_SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else None
    windows = is_windows_path(text) or (scheme is not None and len(scheme) == 1)
    if not local_files and (windows or scheme in (None, "file")):
        refuse_local_files(text, MODEL)
    if windows:
        return windows_path(text, MODEL)
    if scheme == "rodin":
        found = _TASK_FILE.match(text)
        if found is None:
            raise ModelInputError(
                f"{shown} is not a downloaded file's URI; those look like "
                "rodin://tasks/<task_uuid>/files/<name>.",
                reference=shown,
            )
        task_uuid, name = (urllib.parse.unquote(part) for part in found.groups())
        return DownloadedFileReference(task_uuid, name)
    if scheme == UPLOAD_SCHEME:
        return parse_upload_reference(text, MODEL)
    if scheme == "file":
        return path_from_file_uri(text, MODEL)
    if scheme is not None:
        raise ModelInputError(
            f"'{scheme}:' references are not supported for model files. Pass {MODEL.what_to_pass}.",
            reference=shown,
        )
    return posix_path(text, MODEL)


def local_model_file(path: str, settings: Settings) -> LocalModelFile:
    """The checked local file at ``path`` (see :func:`checked_local_file`).

    Raises:
        ModelInputError: the file may not or cannot be read.
    """
    real, info = checked_local_file(path, settings, MODEL)
    return LocalModelFile(Path(os.path.expanduser(path)), Path(real), info.st_size)
