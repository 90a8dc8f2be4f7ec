"""The emulator's world and its operations: what submit, status, download and balance answer.

Everything here runs on the emulator's event loop; the parts a test thread may also touch (the
account, tasks, fault plan and request log) carry their own locks.
"""

from __future__ import annotations

import contextlib
import hmac
import random
import threading
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal

import anyio
from starlette.types import Receive

from rodin_mcp.emulator.accounts import Account, RateLimiter
from rodin_mcp.emulator.config import EmulatorConfig
from rodin_mcp.emulator.error_codes import (
    INSUFFICIENT_FUNDS,
    INVALID_REQUEST,
    NO_SUCH_TASK,
    PARALLELISM_LIMIT_REACHED,
    ArrayFieldSyntaxError,
    Refusal,
    wire_code,
)
from rodin_mcp.emulator.faults import FaultPlan
from rodin_mcp.emulator.form_values import FormFields
from rodin_mcp.emulator.jobs import plan_jobs
from rodin_mcp.emulator.journal import TaskJournal
from rodin_mcp.emulator.request_log import RequestLog
from rodin_mcp.emulator.signing import Signer
from rodin_mcp.emulator.submission import read_submission
from rodin_mcp.emulator.synthetic import SYNTHETIC_NAME, synthetic_chunks
from rodin_mcp.emulator.tasks import PREVIEW_NAME, Task, TaskStore

__all__ = ["SYNTHETIC_TASK", "AssetBody", "EmulatorState", "StallEnd", "WireAnswer"]

SYNTHETIC_TASK = "_synthetic"
StallEnd = Literal["elapsed", "client_gone", "shutting_down"]


@dataclass(frozen=True)
class WireAnswer:
    """An HTTP status and JSON body, before any fault spoils it."""

    status: int
    body: dict[str, object]
    task_uuid: str | None = None


@dataclass(frozen=True)
class AssetBody:
    """A file to stream: its type, its length and a factory of its chunks."""

    content_type: str
    length: int
    chunks: Callable[[], Iterator[bytes]]


class EmulatorState:
    """Account, tasks, fault plan, request log and signer of one emulator instance."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.account = Account(config.starting_balance)
        self.rate_limiter = RateLimiter(config.rate_limit_per_minute, config.clock)
        self.tasks = TaskStore(config.clock, config.speed, config.file_cache_tasks)
        self.faults: FaultPlan = config.fault_plan()
        self.requests = RequestLog()
        self.signer = Signer(config.url_ttl_seconds, config.clock)
        self._seeds = random.Random(config.seed)
        self._stalls: set[anyio.CancelScope] = set()
        self._stalls_begun = 0
        self._stall_begun = threading.Condition()
        self._journal = TaskJournal(config.journal) if config.journal is not None else None
        if self._journal is not None:
            for task in self._journal.load():
                self.tasks.add(task)
                self.account.charge(task.submission.cost)

    # --- access -------------------------------------------------------------------------------

    def is_authorized(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header value carries an accepted Bearer token."""
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return False
        expected = self.config.api_key
        return expected is None or hmac.compare_digest(token.encode(), expected.encode())

    # --- the four endpoints ---------------------------------------------------------------------

    def submit(
        self, fields: FormFields, images: Sequence[bytes], *, texture_fails: bool = False
    ) -> WireAnswer:
        """Check, bill and create a task, or refuse (``POST /rodin``)."""
        try:
            submission = read_submission(fields, images, default_seed=self._seeds.randrange(65536))
        except Refusal as refusal:
            return self.refusal(refusal.code, refusal.message)
        except ArrayFieldSyntaxError as exc:
            return WireAnswer(500, {"error": "UNKNOWN", "message": str(exc)})
        cost = submission.cost
        if self.account.balance < cost:
            return self._insufficient(cost)
        if self.tasks.unfinished_count() >= self.config.parallelism_limit:
            return self.refusal(
                PARALLELISM_LIMIT_REACHED,
                f"At most {self.config.parallelism_limit} tasks may run at once; "
                "retry once an in-flight task finishes.",
            )
        if not self.account.charge(cost):
            return self._insufficient(cost)
        job_count = 3 if submission.preview_render_job else 2
        job_ids = [str(uuid.uuid4()) for _ in range(job_count)]
        jobs = plan_jobs(
            submission.tier,
            job_ids,
            preview_render_job=submission.preview_render_job,
            texture_fails=texture_fails,
            preview_fails=self.config.preview_job_fails,
        )
        now = self.config.clock()
        task = Task(
            uuid=str(uuid.uuid4()),
            subscription_key=self.signer.subscription_key(job_ids),
            submission=submission,
            jobs=jobs,
            created_at=now,
        )
        self.tasks.add(task)
        if self._journal is not None:
            self._journal.append(task)
        body: dict[str, object] = {
            "message": "Submitted.",
            "prompt": submission.prompt,
            "submit_time": _iso8601(now),
            "uuid": task.uuid,
            "jobs": {"uuids": job_ids, "subscription_key": task.subscription_key},
            "consumed": _number(cost),
        }
        return WireAnswer(201, self._success(body, None), task_uuid=task.uuid)

    def status(self, subscription_key: str | None) -> WireAnswer:
        """Each job's state now (``POST /status``)."""
        if not subscription_key:
            return self.refusal(INVALID_REQUEST, "Invalid parameter 'subscription_key': required.")
        task = self.tasks.by_subscription_key(subscription_key)
        if task is None:
            return self.refusal(NO_SUCH_TASK, "No task has this subscription key.")
        jobs: list[dict[str, object]] = []
        for state in self.tasks.job_states(task):
            job: dict[str, object] = {"uuid": state.uuid, "status": state.status}
            if state.queue_length is not None:
                job["queue_length"] = state.queue_length
            jobs.append(job)
        return WireAnswer(201, self._success({"jobs": jobs}, "OK"))

    async def download(self, task_uuid: str | None, origin: str) -> WireAnswer:
        """The files ready now, with fresh signed URLs (``POST /download``)."""
        if not task_uuid:
            return self.refusal(INVALID_REQUEST, "Invalid parameter 'task_uuid': required.")
        task = self.tasks.get(task_uuid)
        if task is None:
            return self.refusal(NO_SUCH_TASK, "No task has this uuid.")
        stage = self.tasks.file_stage(task)
        names: list[str] = []
        if stage != "none":
            files = await self.tasks.files(task)
            names = [f.name for f in files if stage == "all" or f.name == PREVIEW_NAME]
            if stage == "all" and self.config.synthetic_asset_bytes > 0:
                names.append(SYNTHETIC_NAME)
        items = [{"url": self.signer.asset_url(origin, task.uuid, n), "name": n} for n in names]
        return WireAnswer(201, self._success({"list": items}, "OK"))

    def balance(self) -> WireAnswer:
        """The account's credits (``GET /check_balance``)."""
        return WireAnswer(200, {"balance": _number(self.account.balance)})

    # --- files ----------------------------------------------------------------------------------

    async def asset(self, task_uuid: str, name: str) -> AssetBody | None:
        """The bytes behind a signed URL, or ``None`` if there is no such file."""
        if task_uuid == SYNTHETIC_TASK:
            size_text = name.removesuffix(".bin")
            if not size_text.isdigit():
                return None
            return _synthetic_body(int(size_text))
        task = self.tasks.get(task_uuid)
        if task is None:
            return None
        if name == SYNTHETIC_NAME and self.config.synthetic_asset_bytes > 0:
            return _synthetic_body(self.config.synthetic_asset_bytes)
        if self.tasks.file_stage(task) == "none":
            return None
        for file in await self.tasks.files(task):
            if file.name == name:
                return AssetBody(file.content_type, len(file.data), partial(_slices, file.data))
        return None

    # --- refusals, stalls, reset ----------------------------------------------------------------

    def refusal(self, code: str, message: str) -> WireAnswer:
        """A business error, named in the configured generation, with HTTP 201."""
        return WireAnswer(
            201, {"error": wire_code(code, self.config.error_names), "message": message}
        )

    async def hold(self, seconds: float, receive: Receive) -> StallEnd:
        """Hold a request for ``seconds``, or until the client leaves or the emulator stops."""
        with self._stall() as release:
            with anyio.move_on_after(seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
                return "client_gone"
        return "shutting_down" if release.cancelled_caught else "elapsed"

    async def pause(self, seconds: float) -> None:
        """Hold a response mid-body for ``seconds`` (counted as a stall), or until shutdown."""
        with self._stall():
            await anyio.sleep(seconds)

    @contextlib.contextmanager
    def _stall(self) -> Generator[anyio.CancelScope]:
        """A stall: counted, and ended early by :meth:`release_stalls`."""
        with anyio.CancelScope() as release:
            self._stalls.add(release)
            with self._stall_begun:
                self._stalls_begun += 1
                self._stall_begun.notify_all()
            try:
                yield release
            finally:
                self._stalls.discard(release)

    def wait_for_stalls(self, count: int, timeout: float) -> bool:
        """Block until ``count`` requests have begun stalling since start (any thread)."""
        with self._stall_begun:
            return self._stall_begun.wait_for(lambda: self._stalls_begun >= count, timeout)

    def release_stalls(self) -> None:
        """End every stall now (call on the emulator's event loop)."""
        for release in list(self._stalls):
            release.cancel()

    def reset(self) -> None:
        """Back to a fresh start: no tasks, no log, no faults, the starting balance."""
        self.tasks.clear()
        if self._journal is not None:
            self._journal.clear()
        self.requests.clear()
        self.faults.clear()
        self.account.reset()
        self.rate_limiter.reset()

    def _insufficient(self, cost: float) -> WireAnswer:
        return self.refusal(
            INSUFFICIENT_FUNDS,
            f"This generation costs {_number(cost)} credits; the balance is "
            f"{_number(self.account.balance)}.",
        )

    def _success(self, body: dict[str, object], documented_error: str | None) -> dict[str, object]:
        if self.config.success_error == "documented":
            return {"error": documented_error, **body}
        return body


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _iso8601(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _slices(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), size):
        yield bytes(view[start : start + size])


def _synthetic_body(size: int) -> AssetBody:
    return AssetBody("application/octet-stream", size, lambda: synthetic_chunks(size))
