"""One result file fetched into place: streamed, size-capped, hashed, flushed, renamed.

The body streams into an exclusive, locked temporary file beside the destination
(:class:`~.temp_files.PartFile`, the one owner of its descriptor) and is renamed into place only
once complete, so a file under its final name is always whole; the temporary file is closed and
removed on every failure (in that order, as Windows requires), and swept after a crash. The
request carries no credentials at all, and asks for the bytes uncompressed. A failure another GET
may fix raises :class:`~rodin_mcp.api.retry.Transient` (for
:func:`~rodin_mcp.api.retry.run_read_only`); a refused link raises :class:`LinkRefused`, so the
caller can list fresh links.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import anyio
import httpx2

from rodin_mcp.api.retry import Transient, is_retryable_status, request_never_left
from rodin_mcp.downloads.temp_files import PartFile, VanishedError
from rodin_mcp.errors import DownloadError, DownloadTooLargeError, IncompleteDownloadError
from rodin_mcp.settings import Settings, is_loopback_host

__all__ = ["LinkRefused", "ProgressCallback", "Streamed", "fetch_file"]

logger = logging.getLogger(__name__)

_MAX_REDIRECTS = 5
_REFUSED = (403, 404, 410)
_WRITE_BACK_EVERY = 8 * 1024 * 1024

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as ``progress(file_name, bytes_so_far, total_or_None)`` while a file streams."""


class LinkRefused(Exception):
    """The file host refused the link (403/404/410): it expired or was revoked."""


@dataclass(frozen=True, slots=True)
class Streamed:
    """What arrived: the byte count and the hex SHA-256 of the bytes now at the destination."""

    size: int
    sha256: str


async def fetch_file(
    http: httpx2.AsyncClient,
    url: str,
    dest: Path,
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> Streamed:
    """GET ``url`` into ``dest``, complete and verified, or leave nothing.

    Raises:
        LinkRefused: the link expired or was revoked.
        Transient: a failure another GET may fix (5xx, dropped or short stream).
        DownloadError: a failure no retry fixes (too large, not https, unwritable).
    """
    response = await _open(http, url, settings)
    try:
        declared = _checked_length(response, dest.name, settings)
        part = _part_file(dest)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await response.aclose()
        raise
    try:
        with part:
            streamed = await _write_body(
                response, part.fd, dest.name, settings.max_download_bytes, declared, progress
            )
            await _save(part)
    finally:
        with anyio.CancelScope(shield=True):
            await response.aclose()
    logger.info("fetched %s (%d bytes)", dest.name, streamed.size)
    return streamed


async def _open(http: httpx2.AsyncClient, url: str, settings: Settings) -> httpx2.Response:
    """Send the GET (following checked redirects) and return the open 200 response."""
    for _ in range(_MAX_REDIRECTS + 1):
        _check_link(url)
        request = http.build_request(
            "GET",
            url,
            headers={"Accept-Encoding": "identity"},
            timeout=httpx2.Timeout(
                connect=settings.connect_timeout,
                read=settings.download_read_timeout,
                write=settings.write_timeout,
                pool=settings.pool_timeout,
            ),
        )
        request.headers.pop("Authorization", None)
        try:
            response = await http.send(request, stream=True, follow_redirects=False)
        except httpx2.TransportError as exc:
            raise _dropped(exc) from None
        status = response.status_code
        if status == 200:
            return response
        await response.aclose()
        location = response.headers.get("location")
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        raise _refusal(status)
    raise DownloadError("A result link redirected too many times; it was not followed.")


def _checked_length(response: httpx2.Response, name: str, settings: Settings) -> int | None:
    """The declared length of an uncompressed body within the cap (``None``: not declared)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise DownloadError(f"The file host sent {name} compressed ({encoding}); refused.")
    declared = _declared_length(response)
    cap = settings.max_download_bytes
    if declared is not None and declared > cap:
        raise DownloadTooLargeError(
            f"{name} is {declared:,} bytes, over the {cap:,}-byte cap (RODIN_MAX_DOWNLOAD_BYTES)."
        )
    return declared


async def _write_body(
    response: httpx2.Response,
    fd: int,
    name: str,
    cap: int,
    declared: int | None,
    progress: ProgressCallback | None,
) -> Streamed:
    digest = hashlib.sha256()
    written = 0
    handed_over = 0
    try:
        async for chunk in response.aiter_raw():
            written += len(chunk)
            if written > cap:
                raise DownloadTooLargeError(
                    f"{name} grew over the {cap:,}-byte cap (RODIN_MAX_DOWNLOAD_BYTES)."
                )
            digest.update(chunk)
            if os.write(fd, chunk) != len(chunk):
                raise OSError(errno.EIO, "short write")
            if written - handed_over >= _WRITE_BACK_EVERY:
                await anyio.to_thread.run_sync(_start_write_back, fd, handed_over, written)
                handed_over = written
            if progress is not None:
                progress(name, written, declared)
    except httpx2.TransportError as exc:
        raise _dropped(exc) from None
    except OSError as exc:
        raise DownloadError(f"Could not write {name}: {exc.strerror}.") from None
    if declared is not None and written != declared:
        short = IncompleteDownloadError(
            f"{name} arrived with {written:,} of {declared:,} bytes; it was discarded."
        )
        raise Transient(short, reason="short body")
    return Streamed(written, digest.hexdigest())


def _start_write_back(fd: int, start: int, end: int) -> None:
    """Have the kernel start writing bytes ``start:end`` to disk now, not all at the final fsync.

    The stream then overlaps the disk, and the fsync before the rename is short (about 100 ms
    less for 256 MiB here). On Linux, DONTNEED on pages still dirty starts their write-back and
    leaves them cached (they are not clean yet, so they are not dropped); where the call does not
    exist it is skipped, and the fsync does all the work as before.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        with contextlib.suppress(OSError):
            advise(fd, start, end - start, os.POSIX_FADV_DONTNEED)


def _part_file(dest: Path) -> PartFile:
    try:
        return PartFile(dest)
    except OSError as exc:
        raise DownloadError(f"Could not create a file in {dest.parent}: {exc.strerror}.") from None


async def _save(part: PartFile) -> None:
    """Flush the written file to the disk and rename it into place (in a worker thread)."""
    name = part.dest.name
    try:
        await anyio.to_thread.run_sync(part.flush_to_disk)
        await anyio.to_thread.run_sync(part.commit)
    except VanishedError:
        removed = IncompleteDownloadError(
            f"The partial file of {name} was removed before it was saved; it is fetched again."
        )
        raise Transient(removed, reason="partial file removed") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DownloadError(f"Could not save {name}: {reason}.") from None


def _refusal(status: int) -> Exception:
    if status in _REFUSED:
        return LinkRefused()
    if is_retryable_status(status):
        failed = DownloadError(f"The file host failed (HTTP {status}); try again later.")
        return Transient(failed, reason=f"HTTP {status}")
    return DownloadError(f"The file host refused the download (HTTP {status}).")


def _dropped(exc: httpx2.TransportError) -> Transient:
    what = "could not be reached" if request_never_left(exc) else "dropped the transfer"
    error = IncompleteDownloadError(
        f"The file host {what} ({type(exc).__name__}); partial data was discarded."
    )
    return Transient(error, reason=type(exc).__name__)


def _check_link(url: str) -> None:
    """Refuse links that are not https (loopback http is allowed, for the emulator)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    raise DownloadError("Rodin listed a result link that is not https; it was not followed.")


def _declared_length(response: httpx2.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    try:
        length = int(value)
    except ValueError:
        raise DownloadError("The file host sent an unreadable Content-Length.") from None
    if length < 0:
        raise DownloadError("The file host sent a negative Content-Length.")
    return length
