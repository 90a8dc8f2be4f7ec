"""Shared polling: one upstream poll loop per key, however many wait on it."""

from __future__ import annotations

import anyio
import pytest

from rodin_mcp.service.watching import PollSchedule, StatusWatcher

pytestmark = pytest.mark.anyio

FAST = PollSchedule(initial=0.001, factor=1.0, maximum=0.001)


class Upstream:
    """A status source that turns final on its n-th poll (or fails on it)."""

    def __init__(self, final_on: int, fail: bool = False) -> None:
        self.polls = 0
        self.final_on = final_on
        self.fail = fail

    async def fetch(self, key: str) -> str:
        self.polls += 1
        if self.polls >= self.final_on:
            if self.fail:
                raise RuntimeError("upstream broke")
            return "done"
        return "waiting"


async def test_many_waiters_on_one_key_cause_one_poll_per_interval() -> None:
    upstream = Upstream(final_on=4)
    answers: list[str | None] = []
    async with anyio.create_task_group() as group:
        watcher = StatusWatcher(upstream.fetch, lambda s: s == "done", FAST, group)

        async def wait() -> None:
            answers.append(await watcher.wait("task", 10))

        async with anyio.create_task_group() as waiters:
            for _ in range(25):
                waiters.start_soon(wait)
    assert answers == ["done"] * 25
    assert upstream.polls == 4


async def test_every_answer_is_reported_to_each_waiter_in_order() -> None:
    upstream = Upstream(final_on=3)
    seen: list[str] = []

    async def record(state: str) -> None:
        seen.append(state)

    async with anyio.create_task_group() as group:
        watcher = StatusWatcher(upstream.fetch, lambda s: s == "done", FAST, group)
        assert await watcher.wait("task", 10, record) == "done"
    assert seen == ["waiting", "waiting", "done"]


async def test_a_failed_poll_reaches_the_waiters_and_ends_the_loop() -> None:
    upstream = Upstream(final_on=2, fail=True)
    async with anyio.create_task_group() as group:
        watcher = StatusWatcher(upstream.fetch, lambda s: s == "done", FAST, group)
        with pytest.raises(RuntimeError, match="upstream broke"):
            await watcher.wait("task", 10)
        await anyio.wait_all_tasks_blocked()
        assert watcher.active_loops() == 0


async def test_the_loop_stops_when_its_last_waiter_gives_up() -> None:
    upstream = Upstream(final_on=10**9)
    slow = PollSchedule(initial=3600, factor=1.0, maximum=3600)
    async with anyio.create_task_group() as group:
        watcher = StatusWatcher(upstream.fetch, lambda s: s == "done", slow, group)
        with anyio.CancelScope() as waiter:

            async def give_up_once_blocked() -> None:
                await anyio.wait_all_tasks_blocked()  # the first poll is answered; an hour's pause
                waiter.cancel()

            group.start_soon(give_up_once_blocked)
            await watcher.wait("task", 3600)
        await anyio.wait_all_tasks_blocked()
        assert watcher.active_loops() == 0
    assert upstream.polls == 1


async def test_a_wait_that_times_out_returns_the_latest_answer() -> None:
    upstream = Upstream(final_on=10**9)
    slow = PollSchedule(initial=3600, factor=1.0, maximum=3600)
    async with anyio.create_task_group() as group:
        watcher = StatusWatcher(upstream.fetch, lambda s: s == "done", slow, group)
        assert await watcher.wait("task", 0.05) == "waiting"


async def test_a_caller_joining_a_long_pause_brings_the_next_poll_forward() -> None:
    # The schedule's second pause is an hour long; a caller who joins during it is answered after
    # the first delay (a few milliseconds), not after the hour.
    upstream = Upstream(final_on=3)
    schedule = PollSchedule(initial=0.01, factor=360_000.0, maximum=3600.0)
    async with anyio.create_task_group() as group:
        watcher = StatusWatcher(upstream.fetch, lambda s: s == "done", schedule, group)
        two_answers = anyio.Event()
        first_answers: list[str] = []

        async def first_caller() -> None:
            async def record(state: str) -> None:
                first_answers.append(state)
                if len(first_answers) == 2:  # polls at 0 and 0.01 s; the next pause is an hour
                    two_answers.set()

            await watcher.wait("task", 3600, record)

        group.start_soon(first_caller)
        await two_answers.wait()
        with anyio.fail_after(60):
            assert await watcher.wait("task", 3600) == "done"
    assert upstream.polls == 3
