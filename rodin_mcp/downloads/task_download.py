"""Every result file of a task, fetched into one folder, verified.

Server-supplied names are reduced to safe flat names (:mod:`rodin_mcp.downloads.names`) and
checked to stay inside the folder. Files already there with the size and hash the ledger
recorded are kept. A refused link (403/404/410: signed URLs expire minutes after listing) is
replaced by a freshly listed one; a dropped or short stream is fetched again through
:func:`~rodin_mcp.api.retry.run_read_only`. The whole fetch is bounded by
``settings.download_deadline``. Up to ``settings.download_parallel_files`` files stream at once.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import anyio
import httpx2

from rodin_mcp.api import RESULT_RETENTION_DAYS, DownloadItem, RodinClient
from rodin_mcp.api.redact import install_log_redaction
from rodin_mcp.api.retry import RetryPolicy, run_read_only
from rodin_mcp.downloads.manifest import MANIFEST_NAME, read_manifest
from rodin_mcp.downloads.names import deduplicated, local_name, safe_display, task_folder_name
from rodin_mcp.downloads.streaming import LinkRefused, ProgressCallback, fetch_file
from rodin_mcp.downloads.temp_files import sweep_folder
from rodin_mcp.errors import (
    DeadlineExceededError,
    LinkExpiredError,
    OutputFolderError,
    UnsafeFileNameError,
)
from rodin_mcp.media_types import media_type
from rodin_mcp.records import StoredFile
from rodin_mcp.settings import Settings

__all__ = ["TaskDownload", "download_task"]

logger = logging.getLogger(__name__)

_HASH_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class TaskDownload:
    """Every result file of a task, in the order Rodin listed them.

    Attributes:
        folder: The task folder (its real path).
        files: The verified files.
        fetched: Names of the files this call transferred (the others were already intact).
    """

    task_uuid: str
    folder: Path
    files: tuple[StoredFile, ...]
    fetched: frozenset[str]


async def download_task(
    rodin: RodinClient,
    http: httpx2.AsyncClient,
    task_uuid: str,
    *,
    settings: Settings,
    folder: Path | None = None,
    prompt: str | None = None,
    folder_suffix: str | None = None,
    known: Sequence[StoredFile] = (),
    items: Sequence[DownloadItem] | None = None,
    progress: ProgressCallback | None = None,
    policy: RetryPolicy | None = None,
) -> TaskDownload:
    """Fetch every result file of a task into its folder, verified.

    Args:
        rodin: Lists the files (and lists them again when links expire).
        http: HTTP client for the file GETs; no credentials are ever attached to them.
        task_uuid: The task id (the submit's ``uuid``, not the subscription key).
        settings: Output folder, size cap, attempts and timeouts.
        folder: Where to put the files; by default an existing folder of this task under
            ``settings.output_dir``, else a new ``YYYY-MM-DD_<prompt-slug>_<short id>`` one.
        prompt: Names a new folder.
        folder_suffix: Ends a new folder's slug (``texture``, ``parts``).
        known: Files recorded earlier; those still intact on disk are not fetched again.
        items: A download list already in hand; by default it is fetched.
        progress: Called with ``(file name, bytes so far, total or None)`` while streaming.
        policy: Backoff and sleep for retried GETs (defaults from settings).

    Raises:
        DownloadError: a file could not be fetched intact (a leaf says why); no partial file is
            left behind. OutputFolderError, one of them: the folder cannot be created or used.
        DeadlineExceededError: ``settings.download_deadline`` ran out.
        APIError, TransportError: listing the files failed.
    """
    install_log_redaction()
    policy = replace(
        policy or RetryPolicy.from_settings(settings),
        attempts=settings.download_attempts,
        deadline=settings.download_deadline,
    )
    with anyio.move_on_after(settings.download_deadline) as scope:
        listed = list(items) if items is not None else await rodin.download_list(task_uuid)
        target = folder or _find_or_name_folder(settings, task_uuid, prompt, folder_suffix)
        job = _TaskJob(rodin, http, task_uuid, settings, policy, progress, listed)
        return await job.run(target, {f.name: f for f in known})
    assert scope.cancelled_caught
    raise DeadlineExceededError(
        f"Fetching the result files did not finish within {settings.download_deadline:g} s; "
        "try again to resume (finished files are kept)."
    )


def _find_or_name_folder(
    settings: Settings, task_uuid: str, prompt: str | None, suffix: str | None
) -> Path:
    try:
        root = settings.ensure_output_dir()
    except OSError as exc:
        raise _folder_error(settings.output_dir, exc) from None
    name = task_folder_name(task_uuid, prompt, suffix=suffix)
    short_id = name.rsplit("_", 1)[-1]
    for candidate in sorted(root.glob(f"*_{short_id}")):
        if candidate.is_dir() and read_manifest(candidate).get("task_uuid") == task_uuid:
            return candidate
    return root / name


class _TaskJob:
    """The state of one task download: the current links and the refresh budget."""

    def __init__(
        self,
        rodin: RodinClient,
        http: httpx2.AsyncClient,
        task_uuid: str,
        settings: Settings,
        policy: RetryPolicy,
        progress: ProgressCallback | None,
        items: list[DownloadItem],
    ) -> None:
        self.rodin = rodin
        self.http = http
        self.task_uuid = task_uuid
        self.settings = settings
        self.policy = policy
        self.progress = progress
        self.items = items
        self.refreshes_left = settings.download_refresh_attempts
        self.refreshing = anyio.Lock()

    async def run(self, folder: Path, known: dict[str, StoredFile]) -> TaskDownload:
        real_folder = _real_folder(folder)
        await anyio.to_thread.run_sync(sweep_folder, real_folder)
        taken = {MANIFEST_NAME.casefold()}
        plan: list[tuple[str, Path]] = []
        for index, source in enumerate([item.name for item in self.items]):
            name = deduplicated(local_name(source, index), taken)
            dest = real_folder / name
            if dest.parent != real_folder or dest.name != name:  # defence in depth
                raise UnsafeFileNameError("A result file name would leave the task folder.")
            plan.append((source, dest))
        files: list[StoredFile | None] = [None] * len(plan)
        fetched: set[str] = set()
        limit = anyio.Semaphore(self.settings.download_parallel_files)

        async def one(position: int, source: str, dest: Path) -> None:
            async with limit:
                kept = await anyio.to_thread.run_sync(
                    _intact_copy, dest, known.get(dest.name), source
                )
                if kept is None:
                    kept = await self._fetch(source, dest)
                    fetched.add(dest.name)
                files[position] = kept

        try:
            async with anyio.create_task_group() as group:
                for position, (source, dest) in enumerate(plan):
                    group.start_soon(one, position, source, dest)
        except BaseExceptionGroup as failures:
            raise _first_failure(failures) from None
        done = tuple(f for f in files if f is not None)
        return TaskDownload(self.task_uuid, real_folder, done, frozenset(fetched))

    async def _fetch(self, source_name: str, dest: Path) -> StoredFile:
        """Fetch one file, refreshing its link when refused and restarting dropped streams."""
        while True:
            url = self._current_url(source_name)
            try:
                streamed = await run_read_only(
                    functools.partial(
                        fetch_file, self.http, url, dest, self.settings, self.progress
                    ),
                    self.policy,
                    operation="download",
                )
            except LinkRefused:
                await self._refresh(source_name, url)
                continue
            return StoredFile(
                dest.name, dest, streamed.size, streamed.sha256, media_type(dest.name), source_name
            )

    def _current_url(self, source_name: str) -> str:
        for item in self.items:
            if item.name == source_name:
                return item.url
        raise LinkExpiredError(
            f"Rodin no longer lists the result file {safe_display(source_name)}; the results may "
            f"have expired (they are kept {RESULT_RETENTION_DAYS} days)."
        )

    async def _refresh(self, source_name: str, refused_url: str) -> None:
        async with self.refreshing:
            if self._current_url(source_name) != refused_url:
                return  # another file's refusal already brought a fresh list
            if self.refreshes_left <= 0:
                raise LinkExpiredError(
                    f"The file host kept refusing the link of {safe_display(source_name)}, even "
                    f"fresh ones; the results may have expired (they are kept "
                    f"{RESULT_RETENTION_DAYS} days)."
                )
            self.refreshes_left -= 1
            logger.info("a result link was refused; listing the task's files again")
            self.items = await self.rodin.download_list(self.task_uuid)


def _first_failure(failures: BaseExceptionGroup[BaseException]) -> BaseException:
    """The error that stopped a task's downloads (the others were cancelled because of it)."""
    for failure in failures.exceptions:
        if isinstance(failure, BaseExceptionGroup):
            return _first_failure(cast(BaseExceptionGroup[BaseException], failure))
        if not isinstance(failure, anyio.get_cancelled_exc_class()):
            return failure
    return failures.exceptions[0]


def _real_folder(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder.resolve(strict=True)
    except OSError as exc:
        raise _folder_error(folder, exc) from None


def _folder_error(folder: Path, exc: OSError) -> OutputFolderError:
    # FileExistsError, NotADirectoryError: a regular file stands where a folder is needed.
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a file (not a folder) is in the way"
    else:
        reason = exc.strerror or type(exc).__name__
    return OutputFolderError(str(folder), reason)


def _intact_copy(dest: Path, known: StoredFile | None, source_name: str) -> StoredFile | None:
    """The file already at ``dest`` if it is a regular file matching its recorded size and hash."""
    if known is None:
        return None
    try:
        info = dest.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size != known.size:
        return None
    digest = hashlib.sha256()
    with dest.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    if digest.hexdigest() != known.sha256:
        return None
    return StoredFile(
        dest.name, dest, info.st_size, known.sha256, media_type(dest.name), source_name
    )
