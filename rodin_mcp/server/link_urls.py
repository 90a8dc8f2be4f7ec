"""The URLs of this HTTP server's own links, beside ``/mcp``: uploads and downloads.

Both live under :data:`LINKS_PREFIX`, carry their expiry and signature in the query string, and
start from the server's public URL: ``RODIN_PUBLIC_URL`` (what clients reach, for instance behind
a reverse proxy), else ``http(s)://<bind host>:<port>``.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from rodin_mcp.settings import Settings

__all__ = [
    "LINKS_PREFIX",
    "download_url",
    "public_base_url",
    "upload_url",
]

logger = logging.getLogger(__name__)

LINKS_PREFIX = "/links/"
"""Every link route lives under this path (and nothing else does)."""
UPLOADS_PATH = LINKS_PREFIX + "uploads/{upload_id}"
FILES_PATH = LINKS_PREFIX + "files/{task_uuid}/{name}"

_WILDCARDS = ("0.0.0.0", "::", "[::]", "")


def public_base_url(settings: Settings, host: str, port: int, *, tls: bool = False) -> str:
    """The URL clients reach this server at: ``RODIN_PUBLIC_URL``, else the bind address."""
    if settings.public_url is not None:
        return settings.public_url
    if host in _WILDCARDS:
        logger.warning(
            "rodin-mcp: bound to every address (%s); upload and download links will name it, "
            "which clients cannot reach. Set RODIN_PUBLIC_URL to the URL they use.",
            host or "*",
        )
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def upload_url(base: str, upload_id: str, expires: int, signature: str) -> str:
    """The link that takes one upload's file (one ``PUT``)."""
    path = UPLOADS_PATH.format(upload_id=quote(upload_id, safe=""))
    return f"{base}{path}?expires={expires}&signature={signature}"


def download_url(base: str, task_uuid: str, name: str, expires: int, signature: str) -> str:
    """The link that fetches one downloaded file (``GET``)."""
    path = FILES_PATH.format(task_uuid=quote(task_uuid, safe=""), name=quote(name, safe=""))
    return f"{base}{path}?expires={expires}&signature={signature}"
