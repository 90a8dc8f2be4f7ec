"""Uploads: a file a person sends to this server once, over a signed link, to use once as an input.

* **Made** for a person (:meth:`Uploads.create`): a row in the ledger (``waiting``) and a ticket
  with its id, its URI (``upload://<id>``), its expiry (``RODIN_UPLOAD_SECONDS`` from now) and
  the signature its link carries (:mod:`.signed_links`); nothing else is a credential for it.
* **Received** (:meth:`Uploads.receive`) from whoever holds the link: the body streams into a
  locked temporary file in the data folder's ``uploads`` (never whole in memory), hashed and
  counted against the kind's limit (``RODIN_MAX_IMAGE_BYTES`` for an image,
  :data:`~rodin_mcp.api.MAX_MODEL_BYTES` for a model), flushed, and renamed into place in the
  ledger transaction that records it: of two bodies sent at once exactly one is kept. A body
  refused (too large, cut short) leaves nothing, and the link may be used again until one arrives
  whole; once one has, the link takes no more.
* **Used** once by its maker (:mod:`.uploaded_inputs`), checked as any image or model then.
* **Expired** and swept: rows past their time are marked, files no longer wanted are removed, and
  rows that ended a day ago are forgotten.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import anyio

from rodin_mcp.api import MAX_MODEL_BYTES
from rodin_mcp.downloads.temp_files import PartFile, is_temp_name, sweep_folder
from rodin_mcp.errors import UploadRefusedError
from rodin_mcp.inputs.uploaded_files import upload_uri
from rodin_mcp.ledger import Ledger, UploadStore
from rodin_mcp.ledger.private_files import make_private_dirs
from rodin_mcp.people import Person
from rodin_mcp.records import UploadKind, UploadRecord, UploadState
from rodin_mcp.service.signed_links import LinkCheck, LinkSigner
from rodin_mcp.settings import Settings

__all__ = ["UPLOADS_FOLDER", "UploadTicket", "Uploads", "remove_quietly"]

logger = logging.getLogger(__name__)

UPLOADS_FOLDER = "uploads"
"""Where received files live, inside the data folder."""

LINK_PURPOSE = "upload"
_FORGET_AFTER_SECONDS = 86_400.0
"""How long an ended upload's row is kept, so a late use hears "used" or "expired"."""
_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class UploadTicket:
    """A new upload: what its maker needs to send the file and then use it."""

    upload_id: str
    kind: UploadKind
    uri: str
    """``upload://<id>``: what to pass as an image or a model once the file is sent."""
    expires: int
    """When the link and the upload expire (Unix seconds)."""
    max_bytes: int
    """The largest file the link takes."""
    signature: str = field(repr=False)
    """What the link carries to prove it was made here; a credential for this one upload."""


class Uploads:
    """Makes, receives and sweeps uploads on one ledger and data folder."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        signer: LinkSigner,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self.signer = signer
        self.store = UploadStore(ledger, clock)
        self.folder = settings.data_dir / UPLOADS_FOLDER

    def now(self) -> float:
        """The time on this service's clock."""
        return self._clock()

    def limit(self, kind: UploadKind) -> int:
        """The largest file an upload of ``kind`` takes."""
        return self._settings.max_image_bytes if kind is UploadKind.IMAGE else MAX_MODEL_BYTES

    def path_of(self, upload_id: str) -> Path:
        """Where the received file of ``upload_id`` lives."""
        return self.folder / upload_id

    async def create(
        self, person: Person, kind: UploadKind, name: str | None, size: int | None
    ) -> UploadTicket:
        """A new upload of ``kind`` for ``person``.

        Raises:
            UploadRefusedError: ``size`` (when given) is over the kind's limit; nothing was made.
        """
        limit = self.limit(kind)
        if size is not None and size > limit:
            raise UploadRefusedError("", "too_large", _too_large_text(kind, size, limit))
        await self.sweep()
        record = await self.store.create(
            person.key, kind, _shown_name(name), self._settings.upload_seconds
        )
        expires = int(record.expires_at)
        return UploadTicket(
            upload_id=record.upload_id,
            kind=kind,
            uri=upload_uri(record.upload_id),
            expires=expires,
            max_bytes=limit,
            signature=await self.signer.sign(LINK_PURPOSE, [record.upload_id], expires),
        )

    async def receive(
        self,
        upload_id: str,
        expires: int,
        signature: str,
        body: AsyncIterable[bytes],
        length: int | None,
    ) -> UploadRecord:
        """Store the file sent to an upload's link, streamed, once.

        Raises:
            UploadRefusedError: the link is invalid or expired, the upload already has its file
                (or was used, or expired), the body is over the limit or empty; nothing is kept.
        """
        record = await self._receivable(upload_id, expires, signature)
        limit = self.limit(record.kind)
        if length is not None and length > limit:
            raise UploadRefusedError(
                upload_id, "too_large", _too_large_text(record.kind, length, limit)
            )
        await anyio.to_thread.run_sync(make_private_dirs, self.folder)
        with PartFile(self.path_of(upload_id)) as part:
            size, sha256 = await _write_body(part, body, record, limit)
            await anyio.to_thread.run_sync(part.flush_to_disk)
            received = await self.store.receive(upload_id, size, sha256, part.commit)
        if received is None:
            raise _refusal(await self._current(upload_id))
        logger.info("received upload %s… (%d bytes)", upload_id[:8], size)
        return received

    async def sweep(self) -> int:
        """Expire uploads past their time and remove the files no longer wanted; return how
        many files were removed (partial ones of dead writers included)."""
        await self.store.expire(_FORGET_AFTER_SECONDS)
        try:
            with os.scandir(self.folder) as listing:
                names = [entry.name for entry in listing if not is_temp_name(entry.name)]
        except OSError:
            return 0
        removed = sweep_folder(self.folder)
        for upload_id in await self.store.ended(names):
            removed += remove_quietly(self.path_of(upload_id))
        return removed

    async def _receivable(self, upload_id: str, expires: int, signature: str) -> UploadRecord:
        check = await self.signer.check(LINK_PURPOSE, [upload_id], expires, signature)
        if check is LinkCheck.INVALID:
            raise UploadRefusedError(
                upload_id,
                "invalid_link",
                "This upload link is not valid: it was altered, or it is not from this server.",
            )
        record = await self.store.get(upload_id)
        if check is LinkCheck.EXPIRED or record is None:
            raise UploadRefusedError(
                upload_id, "expired", f"This upload link expired at {_moment(expires)}."
            )
        if record.state is not UploadState.WAITING or record.expires_at <= self._clock():
            raise _refusal(record)
        return record

    async def _current(self, upload_id: str) -> UploadRecord | None:
        await self.store.expire(_FORGET_AFTER_SECONDS)
        return await self.store.get(upload_id)


def remove_quietly(path: Path) -> int:
    """Remove ``path`` if it is there; 1 when removed, else 0 (left for the next sweep)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError as exc:
        logger.info("left %s for the next sweep: %s", path.name, exc.strerror)
        return 0
    return 1


async def _write_body(
    part: PartFile, body: AsyncIterable[bytes], record: UploadRecord, limit: int
) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    async for chunk in body:
        size += len(chunk)
        if size > limit:
            raise UploadRefusedError(
                record.upload_id,
                "too_large",
                _too_large_text(record.kind, size, limit, growing=True),
            )
        digest.update(chunk)
        part.write(chunk)
    if size == 0:
        raise UploadRefusedError(
            record.upload_id,
            "waiting",
            "No bytes arrived: send the file's bytes as the body of the request.",
        )
    return size, digest.hexdigest()


def _refusal(record: UploadRecord | None) -> UploadRefusedError:
    """Why an upload that is not waiting takes no file."""
    if record is None or record.state is UploadState.EXPIRED or record.state is UploadState.WAITING:
        upload_id = "" if record is None else record.upload_id
        when = "" if record is None else f" at {_moment(record.expires_at)}"
        return UploadRefusedError(upload_id, "expired", f"This upload expired{when}.")
    if record.state is UploadState.USED:
        return UploadRefusedError(record.upload_id, "used", "This upload was already used.")
    return UploadRefusedError(
        record.upload_id,
        "received",
        f"This upload already received its file ({record.size:,} bytes); its link takes no other.",
    )


def _too_large_text(kind: UploadKind, size: int, limit: int, *, growing: bool = False) -> str:
    what = "image" if kind is UploadKind.IMAGE else "model file"
    setting = " (RODIN_MAX_IMAGE_BYTES)" if kind is UploadKind.IMAGE else ""
    amount = f"more than {limit:,} bytes" if growing else f"{size:,} bytes"
    return f"The file is {amount}, over the {limit:,}-byte limit for one {what}{setting}."


def _shown_name(name: str | None) -> str | None:
    """A file name fit to show and to name a folder by: its last part, plain characters, short."""
    if not name:
        return None
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _NAME_CHARACTERS.sub("_", last).strip(" .")[:100]
    return cleaned or None


def _moment(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
