"""The use cases of rodin-mcp, written once for the MCP tools and the command line.

Every rule about money, waiting and files lives here:

* a submission is recorded in the ledger *before* its request leaves, then its ids;
* an identical request within the dedupe window returns the existing task instead of paying
  again, and an identical request after an *outcome unknown* submission is refused until the
  caller passes ``force_new``;
* a per-process credit budget stops runaway loops;
* waiting on a task shares one upstream poll loop per task, however many callers wait;
* results are fetched by the verified downloader and recorded in the ledger.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import httpx2
from pydantic import SecretStr

from rodin_mcp.api.client import RodinClient, create_http_client
from rodin_mcp.api.models import GenerationRequest, ImagePart
from rodin_mcp.api.models import StatusResult as WireStatus
from rodin_mcp.downloads import DownloadedFile, ProgressCallback, download_task
from rodin_mcp.errors import (
    APIError,
    BudgetExceededError,
    ConfigError,
    InputError,
    NotSentError,
    OutcomeUnknownError,
    RodinError,
    TaskFailedError,
    UnresolvedSubmissionError,
)
from rodin_mcp.inputs import LoadedImage, load_images
from rodin_mcp.ledger import Ledger, TaskRecord, request_fingerprint
from rodin_mcp.results import (
    BalanceResult,
    DownloadsResult,
    FileInfo,
    GenerateResult,
    JobInfo,
    StatusResult,
    TasksResult,
    TaskState,
    TaskSummary,
)
from rodin_mcp.settings import Settings
from rodin_mcp.watching import PollSchedule, StatusWatcher

__all__ = [
    "SANDBOX_API_KEY",
    "SANDBOX_LEDGER_SCOPE",
    "RodinService",
    "StatusCallback",
    "file_uri",
    "open_service",
]

logger = logging.getLogger(__name__)

SANDBOX_API_KEY = "rodin-mcp-sandbox"
SANDBOX_LEDGER_SCOPE = "sandbox"
LEDGER_FILE = "ledger.sqlite3"
SANDBOX_JOURNAL = "sandbox-emulator.jsonl"
FINAL_STATES: frozenset[str] = frozenset({"done", "failed"})

StatusCallback = Callable[[StatusResult], Awaitable[None]]

NOT_CONFIGURED = (
    "No Rodin API key is configured. Either set RODIN_API_KEY to a key from "
    "https://hyper3d.ai/api-dashboard (a Business subscription is needed) in this server's "
    "environment, or set RODIN_SANDBOX=1 (or pass --sandbox) to use the embedded emulator, which "
    "needs no key and spends no real credits."
)


def file_uri(task_uuid: str, name: str) -> str:
    """The MCP resource URI that serves one downloaded file."""
    return f"rodin://tasks/{quote(task_uuid, safe='')}/files/{quote(name, safe='')}"


@dataclass
class _Spending:
    spent: float = 0.0
    reserved: float = 0.0


class RodinService:
    """Generate, follow, fetch, list and account, with the ledger as memory."""

    def __init__(
        self,
        settings: Settings,
        *,
        ledger: Ledger,
        http: httpx2.AsyncClient,
        client: RodinClient | None,
        sandbox: bool,
        task_group: anyio.abc.TaskGroup,
        poll_schedule: PollSchedule,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.sandbox = sandbox
        self._http = http
        self._client = client
        self._clock = clock
        self._spending = _Spending()
        self._submit_lock = anyio.Lock()
        self._scope = SANDBOX_LEDGER_SCOPE if sandbox else (client.base_url if client else "")
        self._watcher = StatusWatcher[WireStatus](
            self._fetch_status,
            lambda s: s.state in FINAL_STATES,
            poll_schedule,
            task_group,
        )

    # Accounting.

    @property
    def credits_spent(self) -> float:
        """Credits this process has spent (or reserved for a submission in flight)."""
        return self._spending.spent + self._spending.reserved

    @property
    def configured(self) -> bool:
        """Whether the service can reach Rodin (a key is set, or sandbox mode is on)."""
        return self._client is not None

    # Use cases.

    async def generate(
        self,
        options: dict[str, Any],
        image_refs: Sequence[str] = (),
        *,
        force_new: bool = False,
    ) -> GenerateResult:
        """Submit a generation, or return the identical recent one.

        Raises:
            InputError: the options or images cannot be used (nothing was sent).
            GuardError: the budget is spent, or an identical submission's outcome is unknown.
            OutcomeUnknownError: the submission may have been billed; it is recorded.
            APIError, NotSentError: Rodin refused it, or could not be reached.
        """
        client = self._require_client()
        request, images, fingerprint = await self._prepare(options, image_refs)
        async with self._submit_lock:
            reused = self._reuse_or_refuse(fingerprint, force_new)
            if reused is not None:
                return self._generate_result(reused, reused=True)
            cost = request.estimated_credits()
            self._reserve(cost)
            try:
                record = await self._submit(client, request, images, fingerprint, cost)
            finally:
                self._spending.reserved -= cost
        return self._generate_result(record, reused=False)

    async def spend_needed(
        self, options: dict[str, Any], image_refs: Sequence[str] = (), *, force_new: bool = False
    ) -> float:
        """Credits :meth:`generate` would spend on these arguments now; 0 when it would not.

        It would not spend when the arguments are invalid or the images unusable (it raises),
        when an identical recent task would be reused, or when an identical submission with an
        unknown outcome would make it refuse. Nothing is sent.
        """
        if self._client is None:
            return 0.0
        try:
            request, _, fingerprint = await self._prepare(options, image_refs)
            if self._reuse_or_refuse(fingerprint, force_new, dry_run=True) is not None:
                return 0.0
        except RodinError:
            return 0.0
        return request.estimated_credits()

    async def status(
        self,
        task_uuid: str,
        *,
        subscription_key: str | None = None,
        wait_seconds: float = 0.0,
        on_update: StatusCallback | None = None,
    ) -> StatusResult:
        """Where a task stands; with ``wait_seconds`` waits (sharing polls) until it finishes.

        Raises:
            InputError: the task is unknown here and no subscription key was given.
            APIError, TransportError: Rodin could not answer.
        """
        self._require_client()
        record = self._task_for_status(task_uuid, subscription_key)
        key = subscription_key or record.subscription_key
        assert key is not None
        started = self._clock()

        async def report(wire: WireStatus) -> None:
            if on_update is not None:
                await on_update(self._status_result(record, wire, self._clock() - started))

        if wait_seconds > 0:
            wire = await self._watcher.wait(key, wait_seconds, report)
            if wire is None:  # no poll answered in time
                wire = await self._fetch_status(key)
        else:
            wire = await self._fetch_status(key)
        jobs = [(j.uuid, j.status) for j in wire.jobs]
        if (wire.state, jobs) != (record.state, record.jobs):
            # Writes are synchronous (fsync): skip them when nothing changed.
            self.ledger.record_status(task_uuid, wire.state, jobs)
        return self._status_result(record, wire, self._clock() - started)

    async def fetch_results(
        self,
        task_uuid: str,
        *,
        download: bool = True,
        folder: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> DownloadsResult:
        """Fetch (or list) a finished task's files into its folder, verified.

        Raises:
            InputError: the task is unknown here.
            TaskFailedError: Rodin reported the task as failed.
            DownloadError, APIError, TransportError: the files could not be fetched.
        """
        status = await self.status(task_uuid)
        record = self.ledger.get(task_uuid)
        assert record is not None
        if status.state == "failed":
            raise TaskFailedError(
                f"Rodin reported task {task_uuid} as failed, so it has no files. Generate again "
                "(consider another seed, prompt or image); Rodin gives no reason for failures."
            )
        if status.state != "done":
            return self._not_ready(record, status.state)
        if not download:
            return self._downloads_result(record, status.state, record.files, downloaded=False)
        client = self._require_client()
        request = _stored_request(record)
        fetched = await download_task(
            client,
            self._http,
            task_uuid,
            settings=self.settings,
            folder=folder or (Path(record.output_dir) if record.output_dir else None),
            request=request,
            progress=progress,
        )
        files = [_file_row(f) for f in fetched.files]
        self.ledger.record_download(task_uuid, str(fetched.folder), files)
        updated = self.ledger.get(task_uuid) or record
        return self._downloads_result(updated, "done", files, downloaded=True)

    async def balance(self) -> BalanceResult:
        """The account's credit balance.

        Raises:
            APIError, TransportError: Rodin could not answer.
        """
        client = self._require_client()
        return BalanceResult(
            balance=await client.balance(),
            sandbox=self.sandbox,
            credits_spent_this_session=self.credits_spent,
            session_budget=self.settings.max_credits,
        )

    def tasks(self, limit: int = 20) -> TasksResult:
        """Recent tasks from the ledger, newest first (this mode's tasks only)."""
        records = self.ledger.list_tasks(limit, sandbox=self.sandbox)
        return TasksResult(tasks=[_summary(r) for r in records])

    def task_file(self, task_uuid: str, name: str) -> tuple[Path, str] | None:
        """The local path and MIME type of a downloaded file, if the ledger knows it."""
        record = self.ledger.get(task_uuid)
        if record is None:
            return None
        for row in record.files:
            if row.get("name") == name:
                path = Path(str(row["path"]))
                if path.is_file():
                    return path, str(row.get("mime_type") or "application/octet-stream")
        return None

    # Internals.

    def _require_client(self) -> RodinClient:
        if self._client is None:
            raise ConfigError(NOT_CONFIGURED)
        return self._client

    async def _fetch_status(self, key: str) -> WireStatus:
        return await self._require_client().status(key)

    async def _prepare(
        self, options: dict[str, Any], image_refs: Sequence[str]
    ) -> tuple[GenerationRequest, list[LoadedImage], str]:
        request = GenerationRequest.model_validate({**options, "image_count": len(image_refs)})
        images = await load_images(list(image_refs), self.settings)
        fingerprint = request_fingerprint(
            request.model_dump(mode="json"), [image.sha256 for image in images]
        )
        return request, images, fingerprint

    def _reuse_or_refuse(
        self, fingerprint: str, force_new: bool, *, dry_run: bool = False
    ) -> TaskRecord | None:
        unresolved = self.ledger.find_unresolved(
            fingerprint, sandbox=self.sandbox, base_url=self._scope
        )
        if unresolved is not None:
            if not force_new:
                raise UnresolvedSubmissionError(
                    "An identical earlier submission may have been accepted and billed, but its "
                    "answer was lost (the connection failed after the request left). Check "
                    "list_tasks and your Rodin dashboard first; to submit again anyway, call "
                    "generate_3d with force_new=true (this may bill a second time)."
                )
            if not dry_run:
                self.ledger.resolve_unknown(unresolved.id, "superseded")
        if force_new:
            return None
        return self.ledger.find_duplicate(
            fingerprint,
            within_seconds=self.settings.dedupe_window_seconds,
            sandbox=self.sandbox,
            base_url=self._scope,
        )

    def _reserve(self, cost: float) -> None:
        budget = self.settings.max_credits
        if self.credits_spent + cost > budget:
            raise BudgetExceededError(
                f"This generation costs {cost:g} credits, but this server process has already "
                f"spent {self.credits_spent:g} of its {budget:g}-credit budget (RODIN_MAX_CREDITS)."
                " Ask the user before spending more; they can raise RODIN_MAX_CREDITS and restart "
                "the server."
            )
        self._spending.reserved += cost

    async def _submit(
        self,
        client: RodinClient,
        request: GenerationRequest,
        images: list[LoadedImage],
        fingerprint: str,
        cost: float,
    ) -> TaskRecord:
        record_id = self.ledger.begin_submission(
            fingerprint=fingerprint,
            request={**request.model_dump(mode="json"), "image_count": request.image_count},
            prompt=request.prompt,
            tier=request.tier,
            estimated_credits=cost,
            sandbox=self.sandbox,
            base_url=self._scope,
        )
        parts = [ImagePart(i.filename, i.content_type, i.data) for i in images]
        try:
            submitted = await client.submit(request, parts)
        except (NotSentError, APIError, InputError) as exc:
            self.ledger.record_rejected(record_id, getattr(exc, "code", None), str(exc))
            raise
        except OutcomeUnknownError as exc:
            self.ledger.record_outcome_unknown(record_id, str(exc))
            self._spending.spent += cost  # assume billed: the budget errs on the safe side
            raise
        except BaseException:
            # Cancelled (or crashed) while the request may be on the wire.
            self.ledger.record_outcome_unknown(record_id, "interrupted while submitting")
            self._spending.spent += cost
            raise
        self._spending.spent += submitted.consumed if submitted.consumed is not None else cost
        return self.ledger.record_submitted(
            record_id,
            task_uuid=submitted.task_uuid,
            subscription_key=submitted.subscription_key,
            job_uuids=submitted.job_uuids,
            consumed=submitted.consumed,
            submit_time=submitted.submit_time,
        )

    def _task_for_status(self, task_uuid: str, subscription_key: str | None) -> TaskRecord:
        record = self.ledger.get(task_uuid)
        if record is None:
            if not subscription_key:
                raise InputError(
                    f"This server has no record of task {task_uuid}. Check the task_uuid (it is "
                    "the 'task_uuid' of generate_3d's result), or pass the task's "
                    "subscription_key too if it was submitted elsewhere."
                )
            return self.ledger.record_external(
                task_uuid=task_uuid,
                subscription_key=subscription_key,
                sandbox=self.sandbox,
                base_url=self._scope,
            )
        if record.sandbox != self.sandbox:
            where = "the sandbox (emulator)" if record.sandbox else "the real Rodin API"
            raise InputError(
                f"Task {task_uuid} was submitted to {where}, but this server is "
                f"{'in sandbox mode' if self.sandbox else 'using the real API'}. Restart it in "
                "the other mode to follow that task."
            )
        if record.subscription_key is None and not subscription_key:
            raise InputError(
                f"Task {task_uuid} has no known subscription key yet (its submission state is "
                f"'{record.state}'). Pass subscription_key if you have it."
            )
        return record

    def _status_result(self, record: TaskRecord, wire: WireStatus, waited: float) -> StatusResult:
        submitted = record.submitted_at or record.created_at
        state: TaskState = wire.state
        return StatusResult(
            task_uuid=record.task_uuid or "",
            state=state,
            jobs=[JobInfo(uuid=j.uuid, status=j.status) for j in wire.jobs],
            elapsed_seconds=round(max(0.0, self._clock() - submitted), 3),
            waited_seconds=round(waited, 3),
            sandbox=self.sandbox,
            prompt=record.prompt,
            next_step=_status_next_step(state, record.task_uuid or ""),
        )

    def _generate_result(self, record: TaskRecord, *, reused: bool) -> GenerateResult:
        assert record.task_uuid is not None
        assert record.subscription_key is not None
        when = record.submitted_at or record.created_at
        next_step = (
            f"Call check_status with task_uuid={record.task_uuid} and wait_seconds=45 until "
            "state is done, then list_downloads."
        )
        if reused:
            next_step = "An identical request was submitted recently; reusing it. " + next_step
        return GenerateResult(
            task_uuid=record.task_uuid,
            subscription_key=record.subscription_key,
            job_uuids=record.job_uuids,
            estimated_credits=record.estimated_credits,
            consumed=record.consumed,
            reused=reused,
            sandbox=record.sandbox,
            prompt=record.prompt,
            tier=record.tier or "Regular",
            submitted_at=_iso(when),
            credits_spent_this_session=self.credits_spent,
            next_step=next_step,
        )

    def _not_ready(self, record: TaskRecord, state: TaskState) -> DownloadsResult:
        result = self._downloads_result(record, state, [], downloaded=False)
        result.next_step = (
            f"The task is still {state}; nothing was downloaded. Call check_status with "
            f"task_uuid={record.task_uuid} and wait_seconds=45, then list_downloads again."
        )
        return result

    def _downloads_result(
        self,
        record: TaskRecord,
        state: TaskState,
        files: list[dict[str, Any]],
        *,
        downloaded: bool,
    ) -> DownloadsResult:
        task_uuid = record.task_uuid or ""
        infos = [
            FileInfo(
                name=str(f["name"]),
                path=str(f["path"]),
                size=int(f["size"]),
                sha256=str(f["sha256"]),
                mime_type=str(f["mime_type"]),
                uri=file_uri(task_uuid, str(f["name"])),
            )
            for f in files
        ]
        preview = next((i.path for i in infos if i.name == "preview.webp"), None)
        if downloaded:
            next_step = (
                f"{len(infos)} files are in {record.output_dir}. Tell the user where they are; "
                "the model files open in Blender, three.js or any glTF viewer."
            )
        else:
            next_step = "Call list_downloads with download=true to fetch the files."
        return DownloadsResult(
            task_uuid=task_uuid,
            state=state,
            output_dir=record.output_dir,
            files=infos,
            downloaded=downloaded,
            preview_path=preview,
            sandbox=record.sandbox,
            next_step=next_step,
        )


def _status_next_step(state: TaskState, task_uuid: str) -> str:
    if state == "done":
        return f"Done. Call list_downloads with task_uuid={task_uuid} to fetch the files."
    if state == "failed":
        return (
            "Rodin reported the task as failed (it gives no reason). Generate again, perhaps "
            "with another seed, prompt or image."
        )
    return (
        f"Still {state}. Call check_status again with task_uuid={task_uuid} and "
        "wait_seconds=45; generations take from ~20 s to several minutes."
    )


def _file_row(f: DownloadedFile) -> dict[str, Any]:
    return {
        "name": f.name,
        "path": str(f.path),
        "size": f.size,
        "sha256": f.sha256,
        "mime_type": f.mime_type,
    }


def _stored_request(record: TaskRecord) -> GenerationRequest | None:
    try:
        return GenerationRequest.model_validate(record.request) if record.request else None
    except InputError:
        return None


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _summary(record: TaskRecord) -> TaskSummary:
    return TaskSummary(
        task_uuid=record.task_uuid,
        prompt=record.prompt,
        tier=record.tier,
        state=record.state,
        submitted_at=_iso(record.submitted_at or record.created_at),
        output_dir=record.output_dir,
        estimated_credits=record.estimated_credits,
        sandbox=record.sandbox,
    )


@asynccontextmanager
async def open_service(settings: Settings) -> AsyncGenerator[RodinService]:
    """Open the ledger, the HTTP client and (in sandbox mode) the embedded emulator.

    With neither an API key nor sandbox mode the service still opens; every call that needs
    Rodin then raises :class:`ConfigError` explaining both ways to configure it.
    """
    async with AsyncExitStack() as stack:
        ledger = stack.enter_context(Ledger(settings.data_dir / LEDGER_FILE))
        http = await stack.enter_async_context(create_http_client(settings))
        schedule = PollSchedule(settings.poll_initial, settings.poll_factor, settings.poll_max)
        client: RodinClient | None = None
        if settings.sandbox:
            from rodin_mcp.emulator import EmulatorConfig, serve_emulator

            config = EmulatorConfig(
                api_key=SANDBOX_API_KEY,
                speed=settings.sandbox_speed,
                journal=settings.data_dir / SANDBOX_JOURNAL,
            )
            running = await stack.enter_async_context(serve_emulator(config))
            client = RodinClient(
                http,
                settings=settings,
                base_url=running.base_url,
                api_key=SecretStr(SANDBOX_API_KEY),
            )
            schedule = PollSchedule(
                schedule.initial / settings.sandbox_speed,
                schedule.factor,
                schedule.maximum / settings.sandbox_speed,
            )
        elif settings.has_key():
            client = RodinClient(http, settings=settings)
        task_group = await stack.enter_async_context(anyio.create_task_group())
        service = RodinService(
            settings,
            ledger=ledger,
            http=http,
            client=client,
            sandbox=settings.sandbox,
            task_group=task_group,
            poll_schedule=schedule,
        )
        try:
            yield service
        finally:
            task_group.cancel_scope.cancel()
