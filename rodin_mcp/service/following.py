"""Following a task: where it stands, waiting for it (shared polls), and following it to the end.

Every caller waiting on one task joins one upstream poll loop (:mod:`.watching`). A wait is
bounded by the caller's seconds; :meth:`Follower.follow` waits for as long as a person is willing
to, in chunks, so each chunk re-reads the task and reports progress.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio

from rodin_mcp.api import RodinClient, TaskStatus
from rodin_mcp.errors import (
    ForeignTaskRefusedError,
    MissingSubscriptionKeyError,
    NoSuchTaskError,
    SandboxTaskLostError,
    UnknownTaskError,
    WrongModeError,
)
from rodin_mcp.ledger import Ledger
from rodin_mcp.ledger.polls import PollBoard
from rodin_mcp.people import Person
from rodin_mcp.records import TaskRecord, TaskState
from rodin_mcp.service.next_steps import NextAction, NextStep
from rodin_mcp.service.reach import may_reach_elsewhere
from rodin_mcp.service.results import JobInfo, StatusResult
from rodin_mcp.service.shared_polls import SharedStatusFetch
from rodin_mcp.service.task_ids import check_subscription_key, check_task_uuid
from rodin_mcp.service.watching import PollSchedule, StatusWatcher

__all__ = ["FOLLOW_CHUNK_SECONDS", "Follower", "StatusCallback", "status_next_step"]

StatusCallback = Callable[[StatusResult], Awaitable[None]]

FOLLOW_CHUNK_SECONDS = 60.0
"""The longest single wait inside :meth:`Follower.follow`."""


class Follower:
    """Reads and waits on tasks the ledger knows (or that a subscription key names)."""

    def __init__(
        self,
        ledger: Ledger,
        client: RodinClient,
        *,
        sandbox: bool,
        scope: str,
        journal: str,
        task_group: anyio.abc.TaskGroup,
        poll_schedule: PollSchedule,
        allow_foreign_tasks: bool | None = None,
        poll_board: PollBoard | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._ledger = ledger
        self._allow_foreign = allow_foreign_tasks
        self._client = client
        self._sandbox = sandbox
        self._scope = scope
        self._journal = journal
        self._clock = clock
        fetch: Callable[[str], Awaitable[TaskStatus]] = client.status
        loop_end: Callable[[str], Awaitable[None]] | None = None
        if poll_board is not None:  # replicas: one loop per task for all of them
            lease = poll_schedule.maximum + FOLLOW_CHUNK_SECONDS
            shared = SharedStatusFetch(poll_board, client.status, lease_seconds=lease)
            fetch, loop_end = shared, shared.loop_ended
        self._watcher = StatusWatcher[TaskStatus](
            fetch, lambda s: s.state.is_final, poll_schedule, task_group, on_loop_end=loop_end
        )

    async def reachable(self, task_uuid: str, person: Person) -> TaskRecord:
        """``person``'s task's record, if this mode can follow it.

        Raises:
            UnknownTaskError: the ledger has no such task of theirs (another person's task is
                unknown to them).
            WrongModeError: the task belongs to the other mode.
        """
        record = await self._ledger.get(check_task_uuid(task_uuid), person.key)
        if record is None:
            raise UnknownTaskError(task_uuid)
        self._check_mode(record)
        return record

    async def status(
        self,
        task_uuid: str,
        person: Person,
        *,
        subscription_key: str | None = None,
        wait_seconds: float = 0.0,
        on_update: StatusCallback | None = None,
    ) -> StatusResult:
        """Where a task stands; with ``wait_seconds`` waits (sharing polls) until it finishes.

        Raises:
            InputError: the task is unknown to ``person`` (and no subscription key was given, or
                following tasks from elsewhere is not theirs to do), belongs to the other mode,
                has no known key, or the sandbox lost it.
            APIError, TransportError: Rodin could not answer.
        """
        record, answered = await self._task_for_status(task_uuid, person, subscription_key)
        key = subscription_key or record.subscription_key
        assert key is not None
        started = self._clock()

        async def report(wire: TaskStatus) -> None:
            if on_update is not None:
                await on_update(self._result(record, wire, self._clock() - started))

        async with self._sandbox_task_lost(task_uuid):
            wire = await self._watcher.wait(key, wait_seconds, report) if wait_seconds else answered
            if wire is None:  # no wait asked, or no poll answered in time
                wire = await self._client.status(key)
        await self._remember(record, wire)
        return self._result(record, wire, self._clock() - started)

    async def follow(
        self,
        task_uuid: str,
        person: Person,
        *,
        give_up_after: float,
        on_update: StatusCallback | None = None,
    ) -> StatusResult:
        """Wait until the task is done or failed, or ``give_up_after`` seconds pass.

        Returns:
            The final status, or the latest one when the time ran out.
        """
        deadline = anyio.current_time() + give_up_after
        while True:
            chunk = min(deadline - anyio.current_time(), FOLLOW_CHUNK_SECONDS)
            if chunk <= 0:
                return await self.status(task_uuid, person)
            status = await self.status(task_uuid, person, wait_seconds=chunk, on_update=on_update)
            if status.state.is_final or anyio.current_time() >= deadline:
                return status

    def may_reach_elsewhere(self, person: Person) -> bool:
        """Whether ``person`` may act on tasks this server did not submit (see :mod:`.reach`)."""
        return may_reach_elsewhere(person, self._allow_foreign)

    async def _task_for_status(
        self, task_uuid: str, person: Person, subscription_key: str | None
    ) -> tuple[TaskRecord, TaskStatus | None]:
        """The task's record, and Rodin's answer when a new key had to be checked first."""
        check_task_uuid(task_uuid)
        if subscription_key:
            check_subscription_key(subscription_key)
        record = await self._ledger.get(task_uuid, person.key)
        if record is None:
            if not subscription_key:
                raise UnknownTaskError(task_uuid)
            if not self.may_reach_elsewhere(person):
                raise ForeignTaskRefusedError(task_uuid)
            # Recorded only once Rodin has answered for the key: a refused key leaves no row.
            answered = await self._client.status(subscription_key)
            external = await self._ledger.record_external(
                task_uuid=task_uuid,
                subscription_key=subscription_key,
                sandbox=self._sandbox,
                scope=self._scope,
                person=person.key,
            )
            if external is None:  # another person's task: unknown to this one
                raise UnknownTaskError(task_uuid)
            return external, answered
        self._check_mode(record)
        if record.subscription_key is None and not subscription_key:
            raise MissingSubscriptionKeyError(task_uuid, record.state.value)
        return record, None

    def _check_mode(self, record: TaskRecord) -> None:
        if record.sandbox != self._sandbox:
            raise WrongModeError(
                record.task_uuid or "", task_in_sandbox=record.sandbox, scope=record.scope
            )

    @asynccontextmanager
    async def _sandbox_task_lost(self, task_uuid: str) -> AsyncGenerator[None]:
        try:
            yield
        except NoSuchTaskError:
            if not self._sandbox:
                raise
            raise SandboxTaskLostError(task_uuid, self._journal) from None

    async def _remember(self, record: TaskRecord, wire: TaskStatus) -> None:
        jobs = tuple((j.uuid, j.status) for j in wire.jobs)
        if (wire.state.value, jobs) != (record.state.value, record.jobs):
            # Writes are synchronous (fsync): skip them when nothing changed.
            await self._ledger.record_status(record.task_uuid or "", wire.state, list(jobs))

    def _result(self, record: TaskRecord, wire: TaskStatus, waited: float) -> StatusResult:
        submitted = record.submitted_at or record.created_at
        task_uuid = record.task_uuid or ""
        return StatusResult(
            task_uuid=task_uuid,
            state=wire.state,
            jobs=[JobInfo(uuid=j.uuid, status=j.status) for j in wire.jobs],
            elapsed_seconds=round(max(0.0, self._clock() - submitted), 3),
            waited_seconds=round(waited, 3),
            sandbox=self._sandbox,
            prompt=record.prompt,
            next_step=status_next_step(task_uuid, wire.state),
        )


def status_next_step(task_uuid: str, state: TaskState) -> NextStep:
    """What to do after reading a task in ``state``."""
    if state == TaskState.DONE:
        return NextStep(action=NextAction.DOWNLOAD, task_uuid=task_uuid)
    if state == TaskState.FAILED:
        return NextStep(action=NextAction.GENERATE_AGAIN, task_uuid=task_uuid)
    return NextStep(action=NextAction.WAIT, task_uuid=task_uuid, state=state)
