"""A person's downloaded files, read back: whole (bounded) for a message, or streamed for a link.

Every read goes through :mod:`rodin_mcp.downloads.stored_files`: the file recorded in the ledger,
never through a symbolic link, of its recorded size and SHA-256; a file changed on disk is
refused (:class:`~rodin_mcp.errors.ChangedFileError`), and one that is gone is not downloaded
(:class:`~rodin_mcp.errors.FileNotDownloadedError`). Another person's file is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio

from rodin_mcp.downloads.stored_files import read_regular_file, read_stored
from rodin_mcp.errors import ChangedFileError, FileNotDownloadedError
from rodin_mcp.ledger import Ledger
from rodin_mcp.people import Person
from rodin_mcp.records import StoredFile
from rodin_mcp.service.viewer_copies import ViewerCopies
from rodin_mcp.settings import Settings

__all__ = ["TaskFiles"]


class TaskFiles:
    """Reads the files of people's tasks back."""

    def __init__(self, settings: Settings, ledger: Ledger, viewer_copies: ViewerCopies) -> None:
        self._settings = settings
        self._ledger = ledger
        self._viewer_copies = viewer_copies

    def stored(self, task_uuid: str, name: str, person: Person) -> StoredFile:
        """The ledger's record of ``person``'s downloaded file.

        Raises:
            FileNotDownloadedError: no such file of theirs is recorded.
        """
        record = self._ledger.get(task_uuid, person.key)
        found = None if record is None else next((f for f in record.files if f.name == name), None)
        if found is None:
            raise FileNotDownloadedError(task_uuid, name)
        return found

    async def read(self, task_uuid: str, name: str, person: Person) -> bytes:
        """The checked bytes of ``person``'s downloaded file, at most ``max_resource_bytes``.

        Raises:
            FileNotDownloadedError: no such file of theirs, or it is gone from the disk.
            ChangedFileError: it is no longer the file recorded.
            FileTooLargeError: it is larger than ``max_resource_bytes``.
        """
        stored = self.stored(task_uuid, name, person)
        limit = self._settings.max_resource_bytes
        return await _gone_is_unknown(task_uuid, name, lambda: read_stored(stored, limit))

    async def read_view(self, task_uuid: str, name: str, person: Person) -> bytes | None:
        """What a viewer loads of ``person``'s GLB model ``name`` (the file, checked as
        :meth:`read` does, or its lightweight copy); None when there is no such model.

        Raises:
            ChangedFileError, FileTooLargeError: as :meth:`read`.
        """
        served = await self._viewer_copies.served_path(task_uuid, name, person)
        if served is None:
            return None
        stored = self.stored(task_uuid, name, person)
        limit = self._settings.max_resource_bytes
        if served == stored.path:
            return await _gone_is_unknown(task_uuid, name, lambda: read_stored(stored, limit))
        copy: Path = served
        return await _gone_is_unknown(task_uuid, name, lambda: read_regular_file(copy, limit))


async def _gone_is_unknown(task_uuid: str, name: str, read: Callable[[], bytes]) -> bytes:
    try:
        return await anyio.to_thread.run_sync(read)
    except FileNotFoundError:
        raise FileNotDownloadedError(task_uuid, name) from None
    except OSError as exc:
        raise ChangedFileError(name, exc.strerror or type(exc).__name__) from None
