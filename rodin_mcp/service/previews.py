"""Previews rendered here: a contact sheet of a model file, in a worker thread, on a budget.

One render runs at a time (each takes both cores' worth of numpy for a second or two); other tool
calls go on meanwhile, since the event loop only waits on the thread. A downloaded model's sheet
is kept beside its files as ``contact_sheet.webp`` and reused while it is newer than the model.
"""

from __future__ import annotations

import logging
from pathlib import Path

import anyio

from rodin_mcp.downloads import write_file_atomically
from rodin_mcp.settings import Settings

__all__ = ["CONTACT_SHEET_NAME", "Previewer"]

CONTACT_SHEET_NAME = "contact_sheet.webp"
"""The rendered sheet's name in a task folder."""

logger = logging.getLogger(__name__)


class Previewer:
    """Renders contact sheets within ``settings.preview_seconds``, one at a time."""

    def __init__(self, settings: Settings) -> None:
        self._budget = settings.preview_seconds
        self._limiter = anyio.CapacityLimiter(1)

    @property
    def enabled(self) -> bool:
        """Whether local previews are rendered at all."""
        return self._budget > 0

    async def sheet(self, model: Path) -> bytes | None:
        """The WEBP contact sheet of ``model``, or None when it cannot be rendered in time."""
        if not self.enabled:
            return None
        async with self._limiter:
            return await anyio.to_thread.run_sync(self._render, model)

    async def sheet_file(self, model: Path) -> Path | None:
        """The contact sheet beside a downloaded ``model``, rendered now unless still fresh."""
        dest = model.parent / CONTACT_SHEET_NAME
        if await anyio.to_thread.run_sync(_fresh, dest, model):
            return dest
        data = await self.sheet(model)
        if data is None:
            return None
        try:
            await anyio.to_thread.run_sync(write_file_atomically, dest, data)
        except OSError as exc:
            logger.warning("could not save the contact sheet: %s", exc.strerror or exc)
            return None
        return dest

    def _render(self, model: Path) -> bytes | None:
        """The sheet, or None (and a log line) when the model cannot be rendered."""
        from rodin_mcp.model import GLBReadError, preview_of_file

        try:
            return preview_of_file(model, budget_seconds=self._budget)
        except (GLBReadError, OSError, MemoryError) as exc:
            logger.info("no local preview of %s: %s", model.name, exc)
            return None


def _fresh(sheet: Path, model: Path) -> bool:
    """Whether ``sheet`` exists and is no older than ``model``."""
    try:
        return sheet.is_file() and sheet.stat().st_mtime_ns >= model.stat().st_mtime_ns
    except OSError:
        return False
