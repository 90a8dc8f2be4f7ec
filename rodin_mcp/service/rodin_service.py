"""The service both faces call: generate, follow, fetch, list and account, for one person.

It composes the rooms that hold the rules (:mod:`.generation`, :mod:`.following`,
:mod:`.fetching`, :mod:`.reach`) and turns their records into typed results with typed next
steps. Faces never reach past it into the ledger, the client or the settings.

Every use case acts for a :class:`~rodin_mcp.people.Person`: a face binds the service to the
caller with :meth:`RodinService.acting_for` (the local owner for the command line and stdio; the
token's or the sign-in's person over HTTP), and every task, run, file and budget the call touches
is that person's. The service :func:`~.opening.open_service` yields acts for nobody until bound,
so a face that forgot to say who is calling gets an error, never someone else's data.
"""

from __future__ import annotations

import copy
import time
from collections.abc import AsyncIterable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import httpx2

from rodin_mcp.api import RodinClient
from rodin_mcp.downloads import ProgressCallback
from rodin_mcp.errors import NotConfiguredError
from rodin_mcp.ledger import Ledger, Spending
from rodin_mcp.ledger.polls import PollBoard
from rodin_mcp.people import Person
from rodin_mcp.records import RunRecord, TaskKind, TaskRecord, UploadKind, UploadRecord
from rodin_mcp.service.background_runs import BackgroundRuns, RunWatcher
from rodin_mcp.service.converting import Converter, ConvertResult, summary_of
from rodin_mcp.service.credentials import DIGEST_KEY_NAME, TokenPeople
from rodin_mcp.service.fetching import Fetcher
from rodin_mcp.service.following import Follower, StatusCallback
from rodin_mcp.service.generation import PreparedGeneration, Submissions
from rodin_mcp.service.inspecting import InspectResult, inspect_reference
from rodin_mcp.service.next_steps import NextAction, NextStep
from rodin_mcp.service.prepared import PreparedSubmission
from rodin_mcp.service.previews import Previewer
from rodin_mcp.service.results import (
    BalanceResult,
    DownloadsResult,
    GenerateResult,
    StatusResult,
    TasksResult,
    TaskSummary,
)
from rodin_mcp.service.signed_links import SIGNING_KEY_NAME, LinkSigner
from rodin_mcp.service.splitting import PreparedSplit, prepare_split
from rodin_mcp.service.task_files import DownloadLink, LinkedFile, TaskFiles
from rodin_mcp.service.texturing import PreparedTexture, prepare_texture
from rodin_mcp.service.timestamps import iso_utc
from rodin_mcp.service.uploaded_inputs import UploadedInputs
from rodin_mcp.service.uploads import Uploads, UploadTicket
from rodin_mcp.service.viewer_copies import ViewerCopies, ViewerFile
from rodin_mcp.service.watching import PollSchedule
from rodin_mcp.settings import Settings

__all__ = ["RodinService"]


class _Parts:
    """The rooms that need Rodin; absent while the service is not configured."""

    def __init__(
        self, submissions: Submissions, follower: Follower, fetcher: Fetcher, runs: BackgroundRuns
    ) -> None:
        self.submissions = submissions
        self.follower = follower
        self.fetcher = fetcher
        self.runs = runs


class RodinService:
    """Generate, follow, fetch, list and account, with the ledger as memory."""

    def __init__(
        self,
        settings: Settings,
        *,
        ledger: Ledger,
        http: httpx2.AsyncClient,
        client: RodinClient | None,
        scope: str,
        journal: str,
        task_group: anyio.abc.TaskGroup,
        poll_schedule: PollSchedule,
        poll_board: PollBoard | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._client = client
        self.sandbox = settings.sandbox
        self._person: Person | None = None
        self._token_people: TokenPeople | None = None
        self._previewer = Previewer(settings)
        self._converter = Converter(settings, ledger)
        self._viewer_copies = ViewerCopies(ledger)
        signer = LinkSigner(lambda: ledger.secret(SIGNING_KEY_NAME), clock)
        self._task_files = TaskFiles(settings, ledger, self._viewer_copies, signer)
        self._uploads = Uploads(settings, ledger, signer, clock)
        self._parts: _Parts | None = None
        if client is not None:
            follower = Follower(
                ledger,
                client,
                sandbox=self.sandbox,
                scope=scope,
                journal=journal,
                task_group=task_group,
                poll_schedule=poll_schedule,
                allow_foreign_tasks=settings.allow_foreign_tasks,
                poll_board=poll_board,
                clock=clock,
            )
            fetcher = Fetcher(settings, ledger, client, http, follower, self._previewer)
            self._parts = _Parts(
                Submissions(
                    settings, ledger, client, self._uploads, sandbox=self.sandbox, scope=scope
                ),
                follower,
                fetcher,
                BackgroundRuns(settings, ledger, follower, fetcher, task_group),
            )

    async def person_of_token(self, token: str, name: str | None = None) -> Person:
        """The person a bearer token stands for (see :mod:`.credentials`)."""
        if self._token_people is None:
            self._token_people = TokenPeople(await self._ledger.secret(DIGEST_KEY_NAME))
        return self._token_people.person(token, name)

    def acting_for(self, person: Person) -> RodinService:
        """This service, acting for ``person`` (it shares everything else with this one)."""
        bound = copy.copy(self)
        bound._person = person
        return bound

    # What the faces may know.

    @property
    def person(self) -> Person:
        """Who the service acts for.

        Raises:
            RuntimeError: it was not bound to anyone (:meth:`acting_for`).
        """
        if self._person is None:
            raise RuntimeError("the service acts for nobody; bind it with acting_for(person)")
        return self._person

    @property
    def configured(self) -> bool:
        """Whether the service can reach Rodin (a key is set, or sandbox mode is on)."""
        return self._parts is not None

    async def spending(self) -> Spending:
        """What the person spent or reserved (in this mode) in the budget period up to now."""
        return await self._ledger.spending(
            self.person.key,
            sandbox=self.sandbox,
            period_seconds=self._settings.budget_period_seconds,
        )

    @property
    def output_dir(self) -> Path:
        """The folder that receives one sub-folder per downloaded task."""
        return self._settings.output_dir

    @property
    def asks_before_spending(self) -> bool:
        """Whether real spends are confirmed with the person where the host can ask."""
        return not self.sandbox and self._settings.confirm_spend == "ask"

    # Use cases.

    async def prepare(
        self, options: Mapping[str, Any], image_refs: Sequence[str] = ()
    ) -> PreparedGeneration:
        """Check a generation's options and load its images, once.

        Raises:
            NotConfiguredError: no key and no sandbox.
            InputError: the options or images cannot be used; nothing was sent or recorded.
        """
        return await self._require().submissions.prepare(options, image_refs, self.person)

    async def prepare_texture(
        self, options: Mapping[str, Any], model: str, image: str
    ) -> PreparedTexture:
        """Check a texture task's options, model file and image, and load them, once.

        Raises:
            NotConfiguredError: no key and no sandbox.
            InputError: the options, model or image cannot be used; nothing was sent or recorded.
        """
        self._require()
        return await prepare_texture(
            options, model, image, self.person, self._settings, self._ledger, self._uploads
        )

    async def prepare_split(self, options: Mapping[str, Any], task_uuid: str) -> PreparedSplit:
        """Check a part split's options and its source task (when the ledger knows it), once.

        Raises:
            NotConfiguredError: no key and no sandbox.
            InputError: the options cannot be used, or the task cannot be split; nothing was
                sent or recorded.
        """
        follower = self._require().follower
        return await prepare_split(options, task_uuid, self.person, self._ledger, follower)

    async def spend_needed(self, prepared: PreparedSubmission, *, force_new: bool = False) -> float:
        """Credits :meth:`generate` would spend now; 0 when it would reuse or refuse."""
        parts = self._require()
        spends = await parts.submissions.would_spend(prepared, self.person, force_new=force_new)
        return prepared.cost if spends else 0

    async def generate(
        self, prepared: PreparedSubmission, *, force_new: bool = False
    ) -> GenerateResult:
        """Submit a prepared generation, texture or split, or return the identical recent one.

        Raises:
            GuardError: the budget is spent, or an identical submission's outcome is unknown.
            OutcomeUnknownError: the submission may have been billed; it is recorded.
            APIError, NotSentError: Rodin refused it, or could not be reached.
        """
        submissions = self._require().submissions
        record, reused = await submissions.submit(prepared, self.person, force_new=force_new)
        return await self._generate_result(record, reused=reused)

    async def status(
        self,
        task_uuid: str,
        *,
        subscription_key: str | None = None,
        wait_seconds: float = 0.0,
        on_update: StatusCallback | None = None,
    ) -> StatusResult:
        """Where a task stands; with ``wait_seconds`` waits (sharing polls) until it finishes."""
        return await self._require().follower.status(
            task_uuid,
            self.person,
            subscription_key=subscription_key,
            wait_seconds=wait_seconds,
            on_update=on_update,
        )

    async def follow(
        self, task_uuid: str, *, give_up_after: float, on_update: StatusCallback | None = None
    ) -> StatusResult:
        """Wait until the task finishes or ``give_up_after`` seconds pass (its state says which)."""
        return await self._require().follower.follow(
            task_uuid, self.person, give_up_after=give_up_after, on_update=on_update
        )

    async def fetch_results(
        self,
        task_uuid: str,
        *,
        download: bool = True,
        folder: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> DownloadsResult:
        """Fetch (or list) a finished task's files into its folder, verified and inspected."""
        result = await self._require().fetcher.fetch(
            task_uuid, self.person, download=download, folder=folder, progress=progress
        )
        conversions = await self._converter.store.of_task(task_uuid, self.person.key)
        result.conversions = [summary_of(c) for c in conversions]
        return result

    # Background runs: a submitted task followed to its saved files (see .background_runs).

    async def start_run(
        self, task_uuid: str, *, ttl_seconds: float | None = None
    ) -> RunRecord | None:
        """Follow ``task_uuid`` to its saved files in the background; None when too many runs
        are working already (nothing was started)."""
        return await self._require().runs.start(task_uuid, self.person, ttl_seconds=ttl_seconds)

    async def run(self, run_id: str) -> RunRecord:
        """The person's background run (taken over here if its process is gone).

        Raises:
            UnknownRunError: no such run of theirs.
        """
        return await self._require().runs.get(run_id, self.person)

    async def cancel_run(self, run_id: str, message: str) -> RunRecord:
        """Stop following a run (Rodin's task is not stopped; it stays in the ledger).

        Raises:
            UnknownRunError: no such run of theirs.
        """
        return await self._require().runs.cancel(run_id, self.person, message)

    async def runs(self, limit: int, *, before: tuple[float, str] | None = None) -> list[RunRecord]:
        """The person's background runs, newest first."""
        return await self._require().runs.visible(self.person, limit, before=before)

    def watch_run(self, run_id: str, key: object, watcher: RunWatcher) -> None:
        """Tell ``watcher`` of a run's changes while this process follows it (one watcher per
        ``key``)."""
        self._require().runs.watch(run_id, key, watcher)

    async def resume_runs(self) -> int:
        """Take over the working runs of processes that are gone; returns how many."""
        return await self._parts.runs.resume() if self._parts is not None else 0

    async def balance(self) -> BalanceResult:
        """The account's credit balance, and the person's spending against their budget."""
        self._require()
        assert self._client is not None
        balance = await self._client.balance()
        spent = await self.spending()
        period = self._settings.budget_period_seconds
        frees = None if spent.oldest_at is None else iso_utc(spent.oldest_at + period)
        return BalanceResult(
            balance=balance,
            sandbox=self.sandbox,
            person=self.person.name,
            credits_spent=spent.credits,
            budget=self._settings.max_credits,
            budget_period_seconds=period,
            budget_frees_at=frees,
        )

    async def tasks(self, limit: int = 20) -> TasksResult:
        """The person's recent tasks from the ledger, newest first (this mode's only), and
        their recent conversions."""
        person = self.person.key
        records = await self._ledger.list_tasks(limit, sandbox=self.sandbox, person=person)
        conversions = [summary_of(c) for c in await self._converter.store.recent(limit, person)]
        return TasksResult(tasks=[_summary(r) for r in records], conversions=conversions)

    async def inspect_model(
        self, reference: str, *, preview: bool = False
    ) -> tuple[InspectResult, bytes | None]:
        """Facts about a model file (a local path or ``file://`` URI, or a download's resource
        URI, or an upload, used up by it) and, with ``preview``, its contact sheet (WEBP) when one
        can be rendered in time. Needs no key: nothing is sent to Rodin."""
        uploaded = UploadedInputs(self._uploads, self.person)
        result, path = await inspect_reference(
            reference, self.person, self._settings, self._ledger, uploaded
        )
        sheet: bytes | None = None
        if preview and result.task_uuid is not None:
            sheet_path = await self._previewer.sheet_file(path)
            sheet = None if sheet_path is None else await anyio.Path(sheet_path).read_bytes()
        elif preview:
            sheet = await self._previewer.sheet(path)
        await uploaded.use_up()
        return result, sheet

    # Uploads (see .uploads): files people send here once, to use once as an input.

    async def create_upload(
        self, kind: UploadKind, *, name: str | None = None, size: int | None = None
    ) -> UploadTicket:
        """A new upload of ``kind`` for the person: its URI and what its link carries.

        Raises:
            UploadRefusedError: ``size`` is over the kind's limit; nothing was made.
        """
        return await self._uploads.create(self.person, kind, name, size)

    async def receive_upload(
        self,
        upload_id: str,
        expires: int,
        signature: str,
        body: AsyncIterable[bytes],
        length: int | None = None,
    ) -> UploadRecord:
        """Store the file sent to an upload's link (the link is the only credential: this acts
        for whoever made the upload, not for a bound person).

        Raises:
            UploadRefusedError: the link is invalid or expired, the upload has its file already,
                or the body is too large or empty; nothing was kept.
        """
        return await self._uploads.receive(upload_id, expires, signature, body, length)

    async def sweep_uploads(self) -> int:
        """Expire uploads past their time and remove files no longer wanted; returns how many
        files were removed."""
        return await self._uploads.sweep()

    def upload_limit(self, kind: UploadKind) -> int:
        """The largest file an upload of ``kind`` takes."""
        return self._uploads.limit(kind)

    async def convert_model(self, reference: str, options: Mapping[str, Any]) -> ConvertResult:
        """Convert a model file (a local path or ``file://`` URI, a download's resource URI, or
        an upload, used up by it) to another format, size, orientation or triangle budget, into
        a new file beside it (or in the output folder). Needs no key and spends nothing:
        nothing is sent anywhere.

        Raises:
            ConversionError: an option is bad, or the model cannot be converted as asked.
            ModelInputError, FileNotDownloadedError: the reference is unusable.
            ConverterMissingError: a library the conversion needs is not installed.
        """
        uploaded = UploadedInputs(self._uploads, self.person)
        return await self._converter.convert(reference, options, self.person, uploaded)

    async def read_conversion_file(self, conversion_id: str, name: str) -> bytes | None:
        """The checked bytes of a file the person's conversion wrote (at most
        ``RODIN_MAX_RESOURCE_BYTES``); None when there is no such file of theirs on disk.

        Raises:
            ChangedFileError: the file on disk is no longer the one recorded.
            FileTooLargeError: it is too large to read whole.
        """
        limit = self._settings.max_resource_bytes
        return await self._converter.read_file(conversion_id, name, self.person, limit)

    async def viewer_files(self, task_uuid: str) -> list[ViewerFile]:
        """What a 3D viewer loads of each downloaded GLB of the task (large ones as a copy)."""
        return await self._viewer_copies.files(task_uuid, self.person)

    async def read_task_file(self, task_uuid: str, name: str) -> bytes:
        """The bytes of a downloaded file of the person's task, checked against the ledger's
        record (never through a symbolic link), at most ``RODIN_MAX_RESOURCE_BYTES``.

        Raises:
            FileNotDownloadedError: no such file of theirs (another person's is unknown).
            ChangedFileError: the file on disk is no longer the one recorded.
            FileTooLargeError: it is too large to read whole.
        """
        return await self._task_files.read(task_uuid, name, self.person)

    async def download_link(self, task_uuid: str, name: str) -> DownloadLink:
        """A short-lived signed link to one downloaded file of the person's task.

        Raises:
            FileNotDownloadedError: no such file of theirs.
        """
        return await self._task_files.link(task_uuid, name, self.person)

    async def open_download_link(
        self, task_uuid: str, name: str, expires: int, signature: str
    ) -> LinkedFile:
        """The file a download link names, checked, ready to stream (the link is the only
        credential: this acts for the file's owner, not for a bound person).

        Raises:
            DownloadLinkError: the link is not valid, or it expired.
            FileNotDownloadedError: the file is gone from the disk.
            ChangedFileError: the file on disk is no longer the one recorded.
        """
        return await self._task_files.open_link(task_uuid, name, expires, signature)

    async def read_view(self, task_uuid: str, name: str) -> bytes | None:
        """What a viewer loads of the person's downloaded GLB ``name`` (checked as
        :meth:`read_task_file` does); None when there is no such model."""
        return await self._task_files.read_view(task_uuid, name, self.person)

    def _require(self) -> _Parts:
        if self._parts is None:
            raise NotConfiguredError()
        return self._parts

    async def _generate_result(self, record: TaskRecord, *, reused: bool) -> GenerateResult:
        assert record.task_uuid is not None
        assert record.subscription_key is not None
        return GenerateResult(
            task_uuid=record.task_uuid,
            subscription_key=record.subscription_key,
            job_uuids=list(record.job_uuids),
            estimated_credits=record.estimated_credits,
            consumed=record.consumed,
            reused=reused,
            sandbox=record.sandbox,
            prompt=record.prompt,
            tier=record.tier or ("Regular" if record.kind is TaskKind.GENERATION else None),
            kind=record.kind,
            source=record.source,
            submitted_at=iso_utc(record.submitted_at or record.created_at),
            credits_spent=(await self.spending()).credits,
            next_step=NextStep(action=NextAction.WAIT, task_uuid=record.task_uuid, reused=reused),
        )


def _summary(record: TaskRecord) -> TaskSummary:
    return TaskSummary(
        task_uuid=record.task_uuid,
        prompt=record.prompt,
        tier=record.tier,
        state=record.state,
        submitted_at=iso_utc(record.submitted_at or record.created_at),
        output_dir=record.output_dir,
        estimated_credits=record.estimated_credits,
        sandbox=record.sandbox,
        kind=record.kind,
        source=record.source,
    )
