"""What an ``upload://<id>`` reference gives a person: the one place that resolves uploads.

Beside :mod:`.reach` (which of this machine's files a person may name), this decides which
uploads a person may use, for one call:

* only their own: another person's upload answers exactly as an unknown one does;
* only once it has received its file, only before it expires, only once, and only as what it was
  made for (an image's upload is not a model, nor the other way round);
* only while its stored file is still what was received (its size and SHA-256, not through a
  symbolic link); its bytes are then checked like any image's or model's by the caller;
* a call's uploads are used up together once all of the call's input was checked and loaded
  (:meth:`UploadedInputs.use_up`); a call refused for its input leaves them usable, and of two
  calls racing for one upload, one gets it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import anyio

from rodin_mcp.downloads.stored_files import StoredFileReader, read_stored
from rodin_mcp.errors import ChangedFileError, UploadReason, UploadRefusedError
from rodin_mcp.inputs.uploaded_files import UploadReference, UploadSource
from rodin_mcp.media_types import media_type
from rodin_mcp.people import Person
from rodin_mcp.records import StoredFile, UploadKind, UploadRecord, UploadState
from rodin_mcp.service.uploads import Uploads, remove_quietly

__all__ = ["UploadedInputs", "UploadedModel"]

_T = TypeVar("_T")


class UploadedModel:
    """A model upload found for a call: its checked file and the name it was given."""

    def __init__(self, path: Path, name: str, uri: str) -> None:
        self.path = path
        self.name = name
        self.uri = uri


class UploadedInputs(UploadSource):
    """The uploads one call of one person reads, used up together when the call's input is
    ready."""

    def __init__(self, uploads: Uploads, person: Person) -> None:
        self._uploads = uploads
        self._person = person
        self._taken: dict[str, UploadRecord] = {}

    async def image_bytes(self, reference: UploadReference) -> bytes:
        """The received bytes of the person's image upload, as received.

        Raises:
            UploadRefusedError: see the module's rules.
        """
        record, stored = await self._usable(reference, UploadKind.IMAGE)
        limit = self._uploads.limit(UploadKind.IMAGE)
        data = await self._checked(reference, lambda: read_stored(stored, limit))
        self._taken[record.upload_id] = record
        return data

    async def model_file(self, reference: UploadReference) -> UploadedModel:
        """The person's received model upload, its stored file checked.

        Raises:
            UploadRefusedError: see the module's rules.
        """
        record, stored = await self._usable(reference, UploadKind.MODEL)

        def verify() -> None:
            with StoredFileReader(stored) as reader:
                reader.verify()

        await self._checked(reference, verify)
        self._taken[record.upload_id] = record
        return UploadedModel(stored.path, stored.name, reference.uri)

    async def use_up(self) -> None:
        """Mark the uploads this call read used, all together, and remove their files.

        Raises:
            UploadRefusedError: another call used one of them (or it expired) meanwhile; none
                is used by this one.
        """
        if not self._taken:
            return
        if not await self._uploads.store.use(list(self._taken), self._person.key):
            upload_id = next(iter(self._taken))
            current = await self._uploads.store.get(upload_id)
            raise _refusal(UploadReference(upload_id), current, self._uploads)
        for upload_id in self._taken:
            remove_quietly(self._uploads.path_of(upload_id))
        self._taken.clear()

    async def _usable(
        self, reference: UploadReference, kind: UploadKind
    ) -> tuple[UploadRecord, StoredFile]:
        record = await self._uploads.store.get(reference.upload_id)
        if record is None or record.person != self._person.key:
            raise _refusal(reference, None, self._uploads)
        expired = record.expires_at <= self._uploads.now()
        if record.state is not UploadState.READY or expired:
            raise _refusal(reference, record, self._uploads)
        if record.kind is not kind:
            made_for = "an image" if record.kind is UploadKind.IMAGE else "a model file"
            wanted = "an image" if kind is UploadKind.IMAGE else "a model file"
            raise UploadRefusedError(
                record.upload_id,
                "wrong_kind",
                f"{reference.uri} was made for {made_for}, so it cannot be used as {wanted}.",
            )
        assert record.size is not None
        assert record.sha256 is not None
        name = record.name or f"upload-{record.upload_id[:8]}"
        path = self._uploads.path_of(record.upload_id)
        stored = StoredFile(name, path, record.size, record.sha256, media_type(name), name)
        return record, stored

    @staticmethod
    async def _checked(reference: UploadReference, read: Callable[[], _T]) -> _T:
        try:
            return await anyio.to_thread.run_sync(read)
        except ChangedFileError as exc:
            raise UploadRefusedError(
                reference.upload_id,
                "changed",
                f"The stored file of {reference.uri} is no longer what was received "
                f"({exc.reason}).",
            ) from None
        except OSError as exc:
            raise UploadRefusedError(
                reference.upload_id,
                "changed",
                f"The stored file of {reference.uri} cannot be read "
                f"({exc.strerror or type(exc).__name__}).",
            ) from None


def _refusal(
    reference: UploadReference, record: UploadRecord | None, uploads: Uploads
) -> UploadRefusedError:
    uri = reference.uri
    reason: UploadReason
    if record is None:
        reason, text = "unknown", f"There is no upload {uri} of yours here."
    elif record.state is UploadState.USED:
        when = "" if record.used_at is None else f" (at {_moment(record.used_at)})"
        reason = "used"
        text = f"{uri} was already used{when}; an upload can be used once."
    elif record.state is UploadState.WAITING and record.expires_at > uploads.now():
        reason = "waiting"
        text = (
            f"{uri} has not received its file yet: send the file to its upload link first "
            "(the bytes as the body of one PUT request)."
        )
    else:
        reason = "expired"
        text = f"{uri} expired at {_moment(record.expires_at)} before it was used."
    return UploadRefusedError(reference.upload_id, reason, text)


def _moment(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
