"""Background runs: a submitted task followed to its saved files while the caller does other work.

A run waits for its task (sharing the task's poll loop), then downloads and inspects its files
exactly as a person's ``fetch_results`` would, and keeps the downloads result in the ledger. The
ledger holds every run (:class:`~rodin_mcp.ledger.RunStore`), so a run outlives its process: when
the process dies, the next one on the data folder takes the run over (:meth:`BackgroundRuns.resume`
on opening, or on first being asked) and goes on waiting and downloading. Nothing is ever
submitted again: a run only follows a task that already has its id.

Cancelling stops the waiting and downloading here. It cannot stop Rodin: the task may still finish
and be billed, and its record stays in the ledger to be fetched later.

Memory per run is bounded: a run holds its cancel scope and at most :data:`MAX_WATCHERS`
listeners; its status and result live in the ledger. At most ``task_runners`` runs follow at
once; the others wait their turn.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import anyio
import anyio.abc

from rodin_mcp.errors import RodinError, TaskFailedError, UnknownRunError
from rodin_mcp.ledger import Ledger, RunStore
from rodin_mcp.people import Person
from rodin_mcp.records import RunRecord, RunState, TaskKind, TaskState
from rodin_mcp.service.fetching import Fetcher
from rodin_mcp.service.following import Follower
from rodin_mcp.service.results import StatusResult
from rodin_mcp.settings import Settings

__all__ = ["MAX_WATCHERS", "BackgroundRuns", "RunWatcher"]

logger = logging.getLogger(__name__)

RunWatcher = Callable[[RunRecord], Awaitable[None]]
"""Told of every change of one run (best effort: a watcher that fails is dropped)."""

MAX_WATCHERS = 8
"""Listeners kept per run; the oldest is dropped for a new one."""


class BackgroundRuns:
    """Starts, follows, resumes and cancels background runs."""

    def __init__(
        self,
        settings: Settings,
        ledger: Ledger,
        follower: Follower,
        fetcher: Fetcher,
        task_group: anyio.abc.TaskGroup,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._store = RunStore(ledger)
        self._follower = follower
        self._fetcher = fetcher
        self._group = task_group
        self._limiter = anyio.CapacityLimiter(settings.task_runners)
        self._scopes: dict[str, anyio.CancelScope] = {}
        self._watchers: dict[str, dict[object, RunWatcher]] = {}
        self._said: dict[str, str] = {}

    def ttl_for(self, asked_seconds: float | None) -> float:
        """The time to live a run gets when ``asked_seconds`` (or nothing) was asked for."""
        if asked_seconds is None:
            return self._settings.task_ttl_seconds
        return max(60.0, min(asked_seconds, self._settings.task_max_ttl_seconds))

    async def start(
        self, task_uuid: str, person: Person, *, ttl_seconds: float | None = None
    ) -> RunRecord | None:
        """Start following ``person``'s ``task_uuid`` (already submitted and recorded) in the
        background.

        Returns None, starting nothing, when too many runs are working already (of everyone's,
        or of this person's).
        """
        await self._store.sweep()
        if await self._store.working_count() >= self._settings.task_max_working:
            return None
        mine = await self._store.working_count(person.key)
        if mine >= self._settings.task_max_working_per_person:
            return None
        task = await self._ledger.get(task_uuid, person.key)
        kind = task.kind if task is not None else TaskKind.GENERATION
        run = await self._store.create(task_uuid, kind, person.key, self.ttl_for(ttl_seconds))
        self._group.start_soon(self._run, run)
        return run

    async def get(self, run_id: str, person: Person) -> RunRecord:
        """``person``'s run; an orphaned working run is taken over.

        Raises:
            UnknownRunError: no such run, it expired, or it is another person's.
        """
        run = await self._visible(run_id, person)
        if run.state is RunState.WORKING and run_id not in self._scopes:
            await self._adopt(run)
        return run

    async def cancel(self, run_id: str, person: Person, message: str) -> RunRecord:
        """Stop following the run (it keeps its last state when it had already ended).

        Raises:
            UnknownRunError: no such run, it expired, or it is another person's.
        """
        run = await self._visible(run_id, person)
        ended = await self._store.finish(run_id, RunState.CANCELLED, message)
        scope = self._scopes.get(run_id)
        if scope is not None:
            scope.cancel()
        return ended or run

    async def visible(
        self, person: Person, limit: int, *, before: tuple[float, str] | None = None
    ) -> list[RunRecord]:
        """``person``'s runs, newest first."""
        await self._store.sweep()
        return await self._store.visible(person.key, limit, before=before)

    def watch(self, run_id: str, key: object, watcher: RunWatcher) -> None:
        """Tell ``watcher`` of the run's changes until it ends (here, in this process); a second
        watcher under the same ``key`` (one connection, say) replaces the first."""
        if run_id not in self._scopes:
            return
        watchers = self._watchers.setdefault(run_id, {})
        watchers.pop(key, None)
        watchers[key] = watcher
        while len(watchers) > MAX_WATCHERS:
            del watchers[next(iter(watchers))]

    async def resume(self) -> int:
        """Take over every working run whose process is gone; returns how many."""
        resumed = 0
        for run_id in await self._store.orphans():
            run = await self._store.get(run_id)
            if run is not None and await self._adopt(run):
                resumed += 1
        return resumed

    # The run itself.

    async def _visible(self, run_id: str, person: Person) -> RunRecord:
        run = await self._store.get(run_id)
        if run is None or run.person != person.key:
            raise UnknownRunError(run_id)
        expires = run.expires_at()
        if run.state.is_final and expires is not None and expires < time.time():
            raise UnknownRunError(run_id)
        return run

    async def _adopt(self, run: RunRecord) -> bool:
        if run.run_id in self._scopes or not await self._store.adopt(run.run_id):
            return False
        logger.info("resuming background run of task %s", run.task_uuid)
        self._group.start_soon(self._run, run)
        return True

    async def _run(self, run: RunRecord) -> None:
        run_id, task_uuid, person = run.run_id, run.task_uuid, Person.stored(run.person)
        with anyio.CancelScope() as scope:
            self._scopes[run_id] = scope
            try:
                await self._note(run_id, "queued: waiting for a free runner")
                async with self._limiter:
                    await self._follow_and_fetch(run_id, task_uuid, person)
            except RodinError as exc:
                await self._end(run_id, RunState.FAILED, str(exc), error=str(exc))
            except Exception:
                logger.exception("background run of task %s failed", task_uuid)
                message = "An internal error stopped this run; the task is still in the ledger."
                await self._end(run_id, RunState.FAILED, message, error=message)
        self._scopes.pop(run_id, None)
        self._watchers.pop(run_id, None)
        self._said.pop(run_id, None)

    async def _follow_and_fetch(self, run_id: str, task_uuid: str, person: Person) -> None:
        async def progress(status: StatusResult) -> None:
            done = sum(1 for job in status.jobs if job.status == "Done")
            await self._note(run_id, f"{status.state}: {done}/{len(status.jobs)} jobs done")

        status = await self._follower.status(task_uuid, person)
        await progress(status)
        if not status.state.is_final:
            status = await self._follower.follow(
                task_uuid,
                person,
                give_up_after=self._settings.task_follow_seconds,
                on_update=progress,
            )
        if status.state is TaskState.FAILED:
            raise TaskFailedError(task_uuid)
        if status.state is not TaskState.DONE:
            hours = self._settings.task_follow_seconds / 3600
            message = (
                f"Stopped waiting after {hours:g} h; the task is still {status.state} at Rodin "
                "and stays in the ledger."
            )
            await self._end(run_id, RunState.FAILED, message, error=message)
            return
        await self._note(run_id, "done: downloading and checking the files")
        result = await self._fetcher.fetch(task_uuid, person, download=True)
        count = len(result.files)
        await self._end(
            run_id,
            RunState.COMPLETED,
            f"done: {count} file{'s' if count != 1 else ''} saved in {result.output_dir}",
            result=result.model_dump(mode="json"),
        )

    async def _note(self, run_id: str, message: str) -> None:
        if self._said.get(run_id) == message:
            return
        self._said[run_id] = message
        run = await self._store.note(run_id, message)
        if run is None:  # cancelled, here or by another process
            scope = self._scopes.get(run_id)
            if scope is not None:
                scope.cancel()
            return
        await self._tell(run)

    async def _end(
        self,
        run_id: str,
        state: RunState,
        message: str,
        *,
        result: dict[str, object] | None = None,
        error: str | None = None,
    ) -> None:
        with anyio.CancelScope(shield=True):
            run = await self._store.finish(run_id, state, message, result=result, error=error)
            if run is not None:
                await self._tell(run)

    async def _tell(self, run: RunRecord) -> None:
        for key, watcher in list(self._watchers.get(run.run_id, {}).items()):
            try:
                with anyio.fail_after(5):
                    await watcher(run)
            except Exception:  # the connection is gone: stop telling it
                self._watchers.get(run.run_id, {}).pop(key, None)
