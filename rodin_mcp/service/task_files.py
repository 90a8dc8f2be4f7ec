"""A person's downloaded files, read back: whole (bounded) for a message, or streamed for a link.

Every read goes through :mod:`rodin_mcp.downloads.stored_files`: the file recorded in the ledger,
never through a symbolic link, of its recorded size and SHA-256; a file changed on disk is
refused (:class:`~rodin_mcp.errors.ChangedFileError`), and one that is gone is not downloaded
(:class:`~rodin_mcp.errors.FileNotDownloadedError`). Another person's file is unknown.

What a task's files are is decided once, in :mod:`.recorded_files`.

A **download link** (:meth:`TaskFiles.link`) lets its holder fetch one file for a while without
any other credential: it signs the task, the file's name, its owner and its recorded SHA-256
until ``RODIN_DOWNLOAD_LINK_SECONDS`` from now (:mod:`.signed_links`). Opening it
(:meth:`TaskFiles.open_link`) refuses an altered or expired link, and a file that changed since
(another download recorded another hash, or the bytes on disk differ).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import anyio

from rodin_mcp.downloads.stored_files import StoredFileReader, read_regular_file, read_stored
from rodin_mcp.errors import ChangedFileError, DownloadLinkError, FileNotDownloadedError
from rodin_mcp.ledger import Ledger
from rodin_mcp.people import Person
from rodin_mcp.records import StoredFile
from rodin_mcp.service.recorded_files import task_files
from rodin_mcp.service.signed_links import LinkCheck, LinkSigner
from rodin_mcp.service.viewer_copies import ViewerCopies
from rodin_mcp.settings import Settings

__all__ = ["DownloadLink", "LinkedFile", "TaskFiles"]

LINK_PURPOSE = "download"


@dataclass(frozen=True)
class DownloadLink:
    """What a download link carries besides the task and the file's name."""

    expires: int
    """When it expires (Unix seconds)."""
    signature: str = field(repr=False)


@dataclass
class LinkedFile:
    """A file a download link opened, checked whole once; stream it with :meth:`chunks`."""

    name: str
    size: int
    mime_type: str
    _reader: StoredFileReader = field(repr=False)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes, checked again as they go (the last chunk is held back until they
        are known right), then the file is closed.

        Raises:
            ChangedFileError: the bytes changed while they were sent.
        """
        iterator = self._reader.chunks()
        try:
            while (chunk := await anyio.to_thread.run_sync(next, iterator, None)) is not None:
                yield chunk
        finally:
            self._reader.close()

    def close(self) -> None:
        """Close the file without streaming it."""
        self._reader.close()


class TaskFiles:
    """Reads the files of people's tasks back, and signs and opens their download links."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        viewer_copies: ViewerCopies,
        signer: LinkSigner,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._viewer_copies = viewer_copies
        self._signer = signer

    async def stored(self, task_uuid: str, name: str, person: Person) -> StoredFile:
        """The ledger's record of ``person``'s task's file (downloaded, or converted).

        Raises:
            FileNotDownloadedError: no such file of theirs is recorded.
        """
        files = await task_files(self._ledger, task_uuid, person)
        found = next((f for f in files if f.name == name), None)
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
        stored = await self.stored(task_uuid, name, person)
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
        stored = await self.stored(task_uuid, name, person)
        limit = self._settings.max_resource_bytes
        if served == stored.path:
            return await _gone_is_unknown(task_uuid, name, lambda: read_stored(stored, limit))
        copy: Path = served
        return await _gone_is_unknown(task_uuid, name, lambda: read_regular_file(copy, limit))

    async def link(self, task_uuid: str, name: str, person: Person) -> DownloadLink:
        """A download link for ``person``'s downloaded file.

        Raises:
            FileNotDownloadedError: no such file of theirs is recorded.
        """
        stored = await self.stored(task_uuid, name, person)
        expires = int(self._signer.now()) + self._settings.download_link_seconds
        fields = [task_uuid, name, person.key, stored.sha256]
        return DownloadLink(expires, await self._signer.sign(LINK_PURPOSE, fields, expires))

    async def open_link(
        self, task_uuid: str, name: str, expires: int, signature: str
    ) -> LinkedFile:
        """The file a download link names, checked whole, ready to stream.

        Raises:
            DownloadLinkError: the link is not valid (altered, not from here, or its file is no
                longer recorded as it was), or it expired.
            FileNotDownloadedError: the file is gone from the disk.
            ChangedFileError: the file on disk is no longer the one recorded.
        """
        record = await self._ledger.get(task_uuid)
        owner = None if record is None else Person.stored(record.person)
        files = [] if owner is None else await task_files(self._ledger, task_uuid, owner)
        stored = next((f for f in files if f.name == name), None)
        if record is None or stored is None:
            raise DownloadLinkError()
        fields = [task_uuid, name, record.person, stored.sha256]
        match await self._signer.check(LINK_PURPOSE, fields, expires, signature):
            case LinkCheck.INVALID:
                raise DownloadLinkError()
            case LinkCheck.EXPIRED:
                raise DownloadLinkError(expired_at=expires)
            case LinkCheck.VALID:
                pass
        checked = stored

        def open_checked() -> StoredFileReader:
            reader = StoredFileReader(checked)
            try:
                reader.verify()
            except BaseException:
                reader.close()
                raise
            return reader

        reader = await _gone_is_unknown(task_uuid, name, open_checked)
        return LinkedFile(stored.name, stored.size, stored.mime_type, reader)


_T = TypeVar("_T")


async def _gone_is_unknown(task_uuid: str, name: str, read: Callable[[], _T]) -> _T:
    try:
        return await anyio.to_thread.run_sync(read)
    except FileNotFoundError:
        raise FileNotDownloadedError(task_uuid, name) from None
    except OSError as exc:
        raise ChangedFileError(name, exc.strerror or type(exc).__name__) from None
