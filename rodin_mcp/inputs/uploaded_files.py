"""Upload references: ``upload://<id>``, a file the caller sent to this server beforehand.

Here they are only recognised and taken apart; whose upload it is, whether it may still be used
and where its bytes are is the service's to say, through an :class:`UploadSource` it passes in
(an upload belongs to one person and is used once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from rodin_mcp.inputs.file_kinds import FileKind
from rodin_mcp.inputs.references import safe_reference

__all__ = [
    "UPLOAD_SCHEME",
    "UploadReference",
    "UploadSource",
    "parse_upload_reference",
    "upload_uri",
]

UPLOAD_SCHEME = "upload"
"""The URI scheme of uploads: ``upload://<id>``."""

_UPLOAD_URI = re.compile(r"^upload://([A-Za-z0-9_-]{16,64})/?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class UploadReference:
    """An upload, as its URI names it."""

    upload_id: str

    @property
    def uri(self) -> str:
        """Its URI, ``upload://<id>``."""
        return upload_uri(self.upload_id)


class UploadSource(Protocol):
    """The uploads one call may use, found for its caller (the service provides it)."""

    async def image_bytes(self, reference: UploadReference) -> bytes:
        """The received bytes of the caller's image upload.

        Raises:
            UploadRefusedError: it is not the caller's, not an image's, not received yet, used,
                expired, or its stored file changed.
        """
        ...


def upload_uri(upload_id: str) -> str:
    """The URI of the upload ``upload_id``."""
    return f"{UPLOAD_SCHEME}://{upload_id}"


def parse_upload_reference(text: str, kind: FileKind) -> UploadReference:
    """The upload ``text`` (an ``upload:`` URI) names.

    Raises:
        InputError: (of ``kind``) it is not an upload URI this server could have made.
    """
    found = _UPLOAD_URI.match(text)
    if found is None:
        shown = safe_reference(text)
        raise kind.refusal(
            f"{shown} is not an upload's URI; those look like upload://<id>, as this server "
            "gave them.",
            shown,
        )
    return UploadReference(found.group(1))
