"""A finished task's results: its files fetched and verified, recorded, described and inspected.

The ledger is the one store of a task's files: the downloader's typed records go there, and
``task.json`` beside the files is written from the ledger's record afterwards. The main model
file is inspected in a worker thread (facts only; a file that cannot be read gives notes).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import anyio
import httpx2

from rodin_mcp.api import RodinClient
from rodin_mcp.downloads import ProgressCallback, download_task, write_manifest
from rodin_mcp.errors import TaskFailedError
from rodin_mcp.ledger import Ledger
from rodin_mcp.model import inspect_model_file, main_model_file
from rodin_mcp.people import Person
from rodin_mcp.records import MODEL_FILE_KEY, StoredFile, TaskKind, TaskRecord, TaskState
from rodin_mcp.service.following import Follower
from rodin_mcp.service.next_steps import NextAction, NextStep
from rodin_mcp.service.previews import Previewer
from rodin_mcp.service.results import DownloadsResult, FileInfo
from rodin_mcp.settings import Settings

__all__ = ["PREVIEW_NAME", "Fetcher", "file_uri"]

_FOLDER_SUFFIXES = {TaskKind.TEXTURE: "texture", TaskKind.SPLIT: "parts"}
"""How the folder of a task made from another one ends its slug."""

PREVIEW_NAME = "preview.webp"
"""Rodin's own preview render among a task's results."""


def file_uri(task_uuid: str, name: str) -> str:
    """The resource URI that serves one downloaded file."""
    return f"rodin://tasks/{quote(task_uuid, safe='')}/files/{quote(name, safe='')}"


class Fetcher:
    """Fetches (or lists) the files of tasks the follower can reach."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        client: RodinClient,
        http: httpx2.AsyncClient,
        follower: Follower,
        previewer: Previewer,
    ) -> None:
        self._settings = settings
        self._previewer = previewer
        self._ledger = ledger
        self._client = client
        self._http = http
        self._follower = follower

    async def fetch(
        self,
        task_uuid: str,
        person: Person,
        *,
        download: bool = True,
        folder: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> DownloadsResult:
        """Fetch (or list) ``person``'s finished task's files into its folder, verified.

        Raises:
            InputError: the task is unknown to ``person``, or belongs to the other mode.
            TaskFailedError: Rodin reported the task as failed.
            DownloadError, APIError, TransportError: the files could not be fetched.
        """
        record = self._follower.reachable(task_uuid, person)
        status = await self._follower.status(task_uuid, person)
        if status.state == TaskState.FAILED:
            raise TaskFailedError(task_uuid)
        if status.state != TaskState.DONE:
            step = NextStep(
                action=NextAction.WAIT_THEN_DOWNLOAD, task_uuid=task_uuid, state=status.state
            )
            return _result(record, status.state, (), downloaded=False, step=step)
        if not download:
            step = NextStep(action=NextAction.DOWNLOAD, task_uuid=task_uuid)
            return _result(record, status.state, record.files, downloaded=False, step=step)
        fetched = await download_task(
            self._client,
            self._http,
            task_uuid,
            settings=self._settings,
            folder=folder or (Path(record.output_dir) if record.output_dir else None),
            prompt=self._folder_words(record),
            folder_suffix=_FOLDER_SUFFIXES.get(record.kind),
            known=record.files,
            progress=progress,
        )
        updated = self._ledger.record_download(task_uuid, fetched.folder, fetched.files)
        await anyio.to_thread.run_sync(write_manifest, fetched.folder, updated)
        step = NextStep(
            action=NextAction.OPEN_FILES,
            task_uuid=task_uuid,
            folder=str(fetched.folder),
            file_count=len(fetched.files),
        )
        result = _result(updated, TaskState.DONE, updated.files, downloaded=True, step=step)
        main = main_model_file(f.path for f in updated.files)
        if main is not None:
            result.model = await anyio.to_thread.run_sync(inspect_model_file, main)
            sheet = await self._previewer.sheet_file(main)
            result.contact_sheet_path = str(sheet) if sheet is not None else None
        return result

    def _folder_words(self, record: TaskRecord) -> str | None:
        """The words a new result folder is named by: the task's prompt, or for a texture or
        split the prompt of the task it came from (so the two folders read alike)."""
        if record.kind is TaskKind.GENERATION:
            return record.prompt
        source = self._ledger.get(record.source, record.person) if record.source else None
        model_file = record.request.get(MODEL_FILE_KEY)
        model_words = Path(model_file).stem if isinstance(model_file, str) else None
        return (source.prompt if source is not None else None) or record.prompt or model_words


def _result(
    record: TaskRecord,
    state: TaskState,
    files: tuple[StoredFile, ...],
    *,
    downloaded: bool,
    step: NextStep,
) -> DownloadsResult:
    task_uuid = record.task_uuid or ""
    infos = [
        FileInfo(
            name=f.name,
            path=str(f.path),
            size=f.size,
            sha256=f.sha256,
            mime_type=f.mime_type,
            uri=file_uri(task_uuid, f.name),
        )
        for f in files
    ]
    preview = next((i.path for i in infos if i.name == PREVIEW_NAME), None)
    return DownloadsResult(
        task_uuid=task_uuid,
        state=state,
        output_dir=record.output_dir,
        files=infos,
        downloaded=downloaded,
        preview_path=preview,
        sandbox=record.sandbox,
        next_step=step,
    )
