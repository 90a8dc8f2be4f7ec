"""What an in-browser viewer loads of a task's GLB models: the file itself, or a lightweight
copy of a large one (decimated, textures downscaled), so that no message to the viewer is
oversized.

A copy is made once, in a worker thread, and kept in the task folder as ``.viewer.<name>``
(written atomically; it is remade when the model is newer). It is served under
``rodin://tasks/{task_uuid}/views/{name}``; the full file stays under ``.../files/{name}``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

import anyio
from pydantic import BaseModel, Field

from rodin_mcp.downloads import write_file_atomically
from rodin_mcp.ledger import Ledger
from rodin_mcp.media_types import MEDIA_TYPES
from rodin_mcp.model import MAX_READ_WHOLE_BYTES
from rodin_mcp.people import Person
from rodin_mcp.records import StoredFile
from rodin_mcp.service.fetching import file_uri
from rodin_mcp.service.recorded_files import task_files

__all__ = ["COPY_ABOVE_BYTES", "VIEWER_COPY_PREFIX", "ViewerCopies", "ViewerFile", "view_uri"]

VIEWER_COPY_PREFIX = ".viewer."
"""A copy of ``model.glb`` is kept beside it as ``.viewer.model.glb``."""
COPY_ABOVE_BYTES = 8 * 1024 * 1024
"""GLB files larger than this are shown through a lightweight copy."""
COPY_TRIANGLES = 100_000
"""Most triangles a copy has: plenty for a chat-sized view, and about 4 MB of GLB."""
COPY_TEXTURE_PX = 1024
"""Longest texture side in a copy."""

_GLB = MEDIA_TYPES["glb"]
logger = logging.getLogger(__name__)


def view_uri(task_uuid: str, name: str) -> str:
    """The resource URI that serves what the viewer loads of one model."""
    return f"rodin://tasks/{quote(task_uuid, safe='')}/views/{quote(name, safe='')}"


class ViewerFile(BaseModel):
    """One model a viewer can show."""

    name: str = Field(description="File name inside the task folder.")
    uri: str = Field(description="Resource URI the viewer loads (may be a lightweight copy).")
    full_uri: str = Field(description="Resource URI of the full file.")
    size: int = Field(description="Bytes served at uri.")
    full_size: int = Field(description="Bytes of the full file.")


class ViewerCopies:
    """Finds (and makes) what the viewer loads of each downloaded GLB."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._limiter = anyio.CapacityLimiter(1)

    async def files(self, task_uuid: str, person: Person) -> list[ViewerFile]:
        """``person``'s task's downloaded GLB models as the viewer sees them."""
        shown: list[ViewerFile] = []
        for stored in await self._glbs(task_uuid, person):
            served = await self.served_path(task_uuid, stored.name, person)
            if served is None:
                continue
            full = file_uri(task_uuid, stored.name)
            uri = full if served == stored.path else view_uri(task_uuid, stored.name)
            size = (await anyio.Path(served).stat()).st_size
            shown.append(
                ViewerFile(
                    name=stored.name, uri=uri, full_uri=full, size=size, full_size=stored.size
                )
            )
        return shown

    async def served_path(self, task_uuid: str, name: str, person: Person) -> Path | None:
        """The file the viewer loads for ``person``'s model ``name``: a copy when it is large."""
        stored = next((f for f in await self._glbs(task_uuid, person) if f.name == name), None)
        if stored is None:
            return None
        if stored.size <= COPY_ABOVE_BYTES or stored.size > MAX_READ_WHOLE_BYTES:
            return stored.path
        copy = stored.path.with_name(VIEWER_COPY_PREFIX + stored.name)
        async with self._limiter:
            made = await anyio.to_thread.run_sync(_ensure_copy, stored.path, copy)
        return copy if made else stored.path

    async def _glbs(self, task_uuid: str, person: Person) -> list[StoredFile]:
        """The person's task's GLB models on disk: downloaded ones, then those converted from
        them."""
        files = await task_files(self._ledger, task_uuid, person)
        return [f for f in files if f.mime_type == _GLB and f.path.is_file()]


def _ensure_copy(model: Path, copy: Path) -> bool:
    """Make ``copy`` from ``model`` unless a fresh one exists; False when it cannot be made."""
    from rodin_mcp.model import GLBReadError, lightweight_glb, read_glb

    try:
        if copy.is_file() and copy.stat().st_mtime_ns >= model.stat().st_mtime_ns:
            return True
        data = lightweight_glb(
            read_glb(model.read_bytes()),
            max_triangles=COPY_TRIANGLES,
            max_texture_px=COPY_TEXTURE_PX,
        )
        write_file_atomically(copy, data)
    except (GLBReadError, ValueError, OSError, MemoryError) as exc:
        logger.info("no viewer copy of %s: %s", model.name, exc)
        return False
    return True
