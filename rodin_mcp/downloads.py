"""Turn a task's download list into verified files in one folder.

Each file is streamed (never held in memory) into an exclusive temporary file in the task folder,
checked against ``Content-Length`` and the size cap, hashed with SHA-256, flushed to disk and then
renamed into place, so a file under its final name is always complete. Partial files are removed
on every failure. Server-supplied names are reduced to safe flat names (:func:`safe_file_name`)
and checked to stay inside the folder. A refused link (403/404/410: signed URLs expire after about
ten minutes) is replaced by a freshly listed one; a dropped or short stream is fetched again.

The API key never goes to the file host: requests here carry no credentials at all. A
``task.json`` beside the files records the request, the task ids, timestamps and each file's
name, size, SHA-256 and MIME type; files already there with the recorded size and hash are kept.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import mimetypes
import os
import re
import stat
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpx2

from rodin_mcp.api.client import RodinClient
from rodin_mcp.api.models import DownloadItem, GenerationRequest, SubmitResult
from rodin_mcp.api.redact import install_log_redaction
from rodin_mcp.api.retry import RetryPolicy, is_retryable_status, request_never_left
from rodin_mcp.errors import (
    DeadlineExceededError,
    DownloadError,
    DownloadTooLargeError,
    IncompleteDownloadError,
    LinkExpiredError,
    UnsafeFileNameError,
)
from rodin_mcp.settings import Settings, is_loopback_host

__all__ = [
    "MANIFEST_NAME",
    "DownloadedFile",
    "ProgressCallback",
    "TaskDownload",
    "download_task",
    "safe_file_name",
    "task_folder_name",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "task.json"
MAX_NAME_BYTES = 200  # leaves room for a "-NN" suffix and the ".<name>.<hex>.part" temp name
_MAX_REDIRECTS = 5
_REFUSED = (403, 404, 410)
_HASH_BLOCK = 1024 * 1024

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as ``progress(file_name, bytes_so_far, total_or_None)`` while a file streams."""

_MIME_TYPES = {
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".usdz": "model/vnd.usdz+zip",
    ".fbx": "application/octet-stream",
    ".obj": "model/obj",
    ".mtl": "model/mtl",
    ".stl": "model/stl",
    ".webp": "image/webp",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".zip": "application/zip",
}


@dataclass(frozen=True)
class DownloadedFile:
    """One result file on disk, verified."""

    name: str
    path: Path
    size: int
    sha256: str
    mime_type: str
    fetched: bool = True  # False when an intact copy was already there


@dataclass(frozen=True)
class TaskDownload:
    """Every result file of a task, in the order Rodin listed them."""

    task_uuid: str
    folder: Path
    manifest: Path
    files: tuple[DownloadedFile, ...] = field(default_factory=tuple[DownloadedFile, ...])

    @property
    def bytes_fetched(self) -> int:
        """Bytes actually transferred by this call (files already present count zero)."""
        return sum(f.size for f in self.files if f.fetched)


# Names.

_UNSAFE_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_DRIVE = re.compile(r"^[A-Za-z]:")
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]}
)
_SANE_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


def safe_file_name(name: str) -> str:
    """Reduce a server-supplied file name to one safe, flat file name.

    Keeps only the last component of ``/`` and ``\\`` paths, drops drive letters, control and
    reserved characters (``<>:"|?*``), leading dots, trailing dots and spaces, defuses reserved
    Windows device names (``CON``, ``NUL``, ``COM1``...) and caps the length at
    :data:`MAX_NAME_BYTES` UTF-8 bytes while keeping a sane extension. Deterministic and
    idempotent.

    Raises:
        UnsafeFileNameError: nothing usable remains (for example ``".."`` or ``""``).
    """
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[/\\]", text)[-1]
    text = _DRIVE.sub("", text)
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE_CHARS.sub("", text)
    text = text.strip(" ").rstrip(". ")
    if text.startswith(".") and "." not in text.lstrip("."):
        text = "file." + text.lstrip(".")  # ".glb" keeps its extension: "file.glb"
    text = text.lstrip(".")
    if not text:
        raise UnsafeFileNameError("A result file has no usable name; it was given a new one.")
    stem, dot, rest = text.partition(".")
    if stem.upper().rstrip(" ") in _RESERVED:
        text = f"_{stem}{dot}{rest}"
    return _cap_length(text)


def _cap_length(text: str) -> str:
    if len(text.encode()) <= MAX_NAME_BYTES:
        return text
    suffix = PurePath(text).suffix
    if not _SANE_EXTENSION.match(suffix):
        suffix = ""
    stem = text[: len(text) - len(suffix)] if suffix else text
    budget = MAX_NAME_BYTES - len(suffix.encode())
    cut = stem.encode()[:budget].decode(errors="ignore").rstrip(". ")
    return cut + suffix


def _deduplicated(name: str, taken: set[str]) -> str:
    """``name``, or ``stem-2.ext``, ``stem-3.ext``... if taken (compared case-insensitively)."""
    candidate, number = name, 1
    path = PurePath(name)
    while candidate.casefold() in taken:
        number += 1
        suffix = path.suffix if _SANE_EXTENSION.match(path.suffix) else ""
        stem = name[: len(name) - len(suffix)] if suffix else name
        candidate = _cap_length(f"{stem}-{number}{suffix}")
        if candidate.casefold() in taken and len(f"{stem}-{number}{suffix}".encode()) > (
            MAX_NAME_BYTES
        ):
            candidate = f"{uuid.uuid4().hex[:12]}-{number}{suffix}"
    taken.add(candidate.casefold())
    return candidate


def task_folder_name(task_uuid: str, prompt: str | None, when: datetime | None = None) -> str:
    """A readable, safe folder name: ``YYYY-MM-DD_<prompt-slug>_<short task id>``."""
    day = (when or datetime.now().astimezone()).strftime("%Y-%m-%d")
    words = re.findall(
        r"[a-z0-9]+",
        unicodedata.normalize("NFKD", prompt or "").encode("ascii", "ignore").decode().lower(),
    )
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 40:
            break
        slug = f"{slug}-{word}" if slug else word
    short = re.sub(r"[^A-Za-z0-9]", "", task_uuid)[:8] or "task"
    return f"{day}_{slug or 'task'}_{short}"


def _mime_type(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    return _MIME_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


# The task download.


async def download_task(
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    task_uuid: str,
    *,
    settings: Settings,
    folder: Path | None = None,
    request: GenerationRequest | None = None,
    submit: SubmitResult | None = None,
    items: Sequence[DownloadItem] | None = None,
    progress: ProgressCallback | None = None,
    policy: RetryPolicy | None = None,
) -> TaskDownload:
    """Fetch every result file of a task into its folder, verified, and write ``task.json``.

    Args:
        rodin: Lists the files (and lists them again when links expire).
        http: HTTP client for the file GETs; no credentials are ever attached to them.
        task_uuid: The task id (the submit's ``uuid``, not the subscription key).
        settings: Output folder, size cap, attempts and timeouts.
        folder: Where to put the files; by default an existing folder of this task under
            ``settings.output_dir``, else a new ``YYYY-MM-DD_<prompt-slug>_<short id>`` one.
        request: The generation request, recorded in ``task.json``.
        submit: The submit result, recorded in ``task.json`` (without the subscription key).
        items: A download list already in hand; by default it is fetched.
        progress: Called with ``(file name, bytes so far, total or None)`` while streaming.
        policy: Backoff and sleep for retried GETs (defaults from settings).

    Raises:
        DownloadError: a file could not be fetched intact (a leaf says why); no partial file is
            left behind.
        DeadlineExceededError: ``settings.download_deadline`` ran out.
        APIError, TransportError: listing the files failed.
    """
    install_log_redaction()
    policy = policy or RetryPolicy.from_settings(settings)
    with anyio.move_on_after(settings.download_deadline) as scope:
        listed = list(items) if items is not None else await rodin.download_list(task_uuid)
        target = folder or _find_or_name_folder(settings, task_uuid, request, submit)
        job = _TaskJob(rodin, http, task_uuid, settings, policy, target, progress, listed)
        return await job.run(request, submit)
    assert scope.cancelled_caught
    raise DeadlineExceededError(
        f"Fetching the result files did not finish within {settings.download_deadline:g} s; "
        "call it again to resume (finished files are kept)."
    )


def _find_or_name_folder(
    settings: Settings,
    task_uuid: str,
    request: GenerationRequest | None,
    submit: SubmitResult | None,
) -> Path:
    try:
        root = settings.ensure_output_dir()
    except OSError as exc:
        raise DownloadError(
            f"Could not create the output folder {settings.output_dir}: {exc.strerror}."
        ) from None
    name = task_folder_name(task_uuid, (request and request.prompt) or (submit and submit.prompt))
    short_id = name.rsplit("_", 1)[-1]
    for candidate in sorted(root.glob(f"*_{short_id}")):
        manifest = _read_manifest(candidate)
        if candidate.is_dir() and manifest.get("task_uuid") == task_uuid:
            return candidate
    return root / name


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return {}
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}  # pyright: ignore[reportUnknownVariableType]


class _TaskJob:
    """The state of one task download: the folder, the current links, the refresh budget."""

    def __init__(
        self,
        rodin: RodinClient,
        http: httpx2.AsyncClient,
        task_uuid: str,
        settings: Settings,
        policy: RetryPolicy,
        folder: Path,
        progress: ProgressCallback | None,
        items: list[DownloadItem],
    ) -> None:
        self.rodin = rodin
        self.http = http
        self.task_uuid = task_uuid
        self.settings = settings
        self.policy = policy
        self.folder = folder
        self.progress = progress
        self.items = items
        self.refreshes_left = settings.download_refresh_attempts

    async def run(
        self, request: GenerationRequest | None, submit: SubmitResult | None
    ) -> TaskDownload:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            real_folder = self.folder.resolve(strict=True)
        except OSError as exc:
            raise DownloadError(
                f"Could not use the folder {self.folder}: {exc.strerror}."
            ) from None
        recorded = _recorded_files(_read_manifest(real_folder))
        taken = {MANIFEST_NAME.casefold()}
        started = _now()
        files: list[DownloadedFile] = []
        sources = [item.name for item in self.items]
        for index, source in enumerate(sources):
            name = _deduplicated(_local_name(source, index), taken)
            dest = real_folder / name
            if dest.parent != real_folder or dest.name != name:  # defence in depth
                raise UnsafeFileNameError("A result file name would leave the task folder.")
            kept = await anyio.to_thread.run_sync(_intact_copy, dest, recorded.get(name))
            files.append(kept or await self._fetch(source, dest))
        manifest = real_folder / MANIFEST_NAME
        _write_manifest(manifest, self.task_uuid, request, submit, started, files, sources)
        return TaskDownload(self.task_uuid, real_folder, manifest, tuple(files))

    async def _fetch(self, source_name: str, dest: Path) -> DownloadedFile:
        """Fetch one file, refreshing its link when refused and restarting dropped streams."""
        stream_failures = 0
        while True:
            url = self._current_url(source_name)
            try:
                return await self._fetch_once(url, dest)
            except _LinkRefused:
                await self._refresh(source_name)
            except _Retryable as failure:
                stream_failures += 1
                if stream_failures >= self.settings.download_attempts:
                    raise failure.error from None
                delay = self.policy.backoff(stream_failures)
                logger.info(
                    "%s: %s; fetching again in %.2f s", dest.name, failure.error.message, delay
                )
                await self.policy.sleep(delay)

    def _current_url(self, source_name: str) -> str:
        for item in self.items:
            if item.name == source_name:
                return item.url
        raise LinkExpiredError(
            f"Rodin no longer lists the result file {safe_display(source_name)}; the results may "
            "have expired (they are kept 7 days)."
        )

    async def _refresh(self, source_name: str) -> None:
        if self.refreshes_left <= 0:
            raise LinkExpiredError(
                f"The file host kept refusing the link of {safe_display(source_name)}, even fresh "
                "ones; the results may have expired (they are kept 7 days)."
            )
        self.refreshes_left -= 1
        logger.info("a result link was refused; listing the task's files again")
        self.items = await self.rodin.download_list(self.task_uuid)

    async def _fetch_once(self, url: str, dest: Path) -> DownloadedFile:
        response = await self._open(url)
        temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            size, digest = await self._stream_to(response, temp, dest.name)
            await anyio.to_thread.run_sync(os.replace, temp, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            with anyio.CancelScope(shield=True):
                await response.aclose()
        logger.info("fetched %s (%d bytes)", dest.name, size)
        return DownloadedFile(dest.name, dest, size, digest, _mime_type(dest.name))

    async def _open(self, url: str) -> httpx2.Response:
        """Send the GET (following checked redirects) and return the open 200 response."""
        for _ in range(_MAX_REDIRECTS + 1):
            _check_link(url)
            request = self.http.build_request(
                "GET",
                url,
                headers={"Accept-Encoding": "identity"},
                timeout=httpx2.Timeout(
                    connect=self.settings.connect_timeout,
                    read=self.settings.download_read_timeout,
                    write=self.settings.write_timeout,
                    pool=self.settings.pool_timeout,
                ),
            )
            request.headers.pop("Authorization", None)
            try:
                response = await self.http.send(request, stream=True, follow_redirects=False)
            except httpx2.TransportError as exc:
                raise _Retryable(_dropped(exc)) from None
            status = response.status_code
            if status == 200:
                return response
            await response.aclose()
            location = response.headers.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            raise _classify(status)
        raise DownloadError("A result link redirected too many times; it was not followed.")

    async def _stream_to(self, response: httpx2.Response, temp: Path, name: str) -> tuple[int, str]:
        """Stream the body into ``temp`` (created exclusively) and return (size, sha256)."""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise DownloadError(f"The file host sent {name} compressed ({encoding}); refused.")
        declared = _declared_length(response)
        cap = self.settings.max_download_bytes
        if declared is not None and declared > cap:
            raise DownloadTooLargeError(
                f"{name} is {declared:,} bytes, over the {cap:,}-byte cap "
                "(RODIN_MAX_DOWNLOAD_BYTES)."
            )
        digest = hashlib.sha256()
        written = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(temp, flags | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise DownloadError(
                f"Could not create a file in {temp.parent}: {exc.strerror}."
            ) from None
        try:
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
                    if self.progress is not None:
                        self.progress(name, written, declared)
            except httpx2.TransportError as exc:
                raise _Retryable(_dropped(exc)) from None
            except OSError as exc:
                raise DownloadError(f"Could not write {name}: {exc.strerror}.") from None
            if declared is not None and written != declared:
                raise _Retryable(
                    IncompleteDownloadError(
                        f"{name} arrived with {written:,} of {declared:,} bytes; it was discarded."
                    )
                )
            try:
                await anyio.to_thread.run_sync(os.fsync, fd)
            except OSError as exc:
                raise DownloadError(f"Could not write {name}: {exc.strerror}.") from None
        finally:
            os.close(fd)
        return written, digest.hexdigest()


class _LinkRefused(Exception):
    """The file host refused the link (403/404/410): it expired or was revoked."""


class _Retryable(Exception):
    """A failure another GET may fix; ``error`` is raised when the attempts run out."""

    def __init__(self, error: DownloadError) -> None:
        super().__init__(error.message)
        self.error = error


def _classify(status: int) -> Exception:
    if status in _REFUSED:
        return _LinkRefused()
    if is_retryable_status(status):
        return _Retryable(DownloadError(f"The file host failed (HTTP {status}); try again later."))
    return DownloadError(f"The file host refused the download (HTTP {status}).")


def _dropped(exc: httpx2.TransportError) -> IncompleteDownloadError:
    what = "could not be reached" if request_never_left(exc) else "dropped the transfer"
    return IncompleteDownloadError(
        f"The file host {what} ({type(exc).__name__}); partial data was discarded."
    )


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


def _local_name(name: str, index: int) -> str:
    try:
        return safe_file_name(name)
    except UnsafeFileNameError:
        return f"file-{index + 1}"


def safe_display(name: str) -> str:
    """A server-supplied name shortened and stripped for use inside a message."""
    try:
        return repr(safe_file_name(name)[:80])
    except UnsafeFileNameError:
        return "(unnamed)"


def _recorded_files(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    files: Any = manifest.get("files")
    if not isinstance(files, list):
        return {}
    recorded: dict[str, dict[str, Any]] = {}
    for entry in files:  # pyright: ignore[reportUnknownVariableType]
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):  # pyright: ignore[reportUnknownMemberType]
            recorded[entry["name"]] = entry  # pyright: ignore[reportUnknownArgumentType]
    return recorded


def _intact_copy(dest: Path, record: dict[str, Any] | None) -> DownloadedFile | None:
    """The file already at ``dest`` if it is a regular file matching its recorded size and hash."""
    if record is None:
        return None
    try:
        info = dest.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size != record.get("size"):
        return None
    digest = hashlib.sha256()
    with dest.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    if digest.hexdigest() != record.get("sha256"):
        return None
    return DownloadedFile(
        dest.name, dest, info.st_size, digest.hexdigest(), _mime_type(dest.name), fetched=False
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_manifest(
    path: Path,
    task_uuid: str,
    request: GenerationRequest | None,
    submit: SubmitResult | None,
    started: str,
    files: list[DownloadedFile],
    sources: list[str],
) -> None:
    previous = _read_manifest(path.parent)
    document: dict[str, Any] = {
        "schema": 1,
        "task_uuid": task_uuid,
        "job_uuids": submit.job_uuids if submit else previous.get("job_uuids", []),
        "prompt": submit.prompt if submit and submit.prompt else previous.get("prompt"),
        "submit_time": submit.submit_time if submit else previous.get("submit_time"),
        "request": request.model_dump(mode="json") if request else previous.get("request"),
        "estimated_credits": request.estimated_credits() if request else None,
        "first_downloaded_at": previous.get("first_downloaded_at") or started,
        "downloaded_at": _now(),
        "files": [
            {
                "name": f.name,
                "source_name": source,
                "size": f.size,
                "sha256": f.sha256,
                "mime_type": f.mime_type,
            }
            for f, source in zip(files, sources, strict=True)
        ],
    }
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
