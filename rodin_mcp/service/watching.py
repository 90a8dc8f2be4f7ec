"""Shared status polling: many waiters on one task cause one upstream poll per interval.

A :class:`StatusWatcher` runs at most one poll loop per key (a task's subscription key). Every
caller that waits on the key joins that loop and sees each fresh answer; the loop stops when the
answer is final or when its last waiter leaves. Cancelling a waiter only removes that waiter.

The delay between polls grows with the loop's age, but a caller who joins a loop deep in a long
delay gets a fresh answer within the schedule's first delay: its arrival brings the next poll
forward. Callers who keep coming back therefore see a finished task within about that first
delay, not the schedule's maximum.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio
from anyio.abc import TaskGroup

__all__ = ["PollSchedule", "StatusWatcher"]

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollSchedule:
    """Delays between polls: ``initial``, then multiplied by ``factor``, never above ``maximum``."""

    initial: float = 5.0
    factor: float = 1.5
    maximum: float = 30.0


@dataclass
class _Watch(Generic[T]):
    value: T | None = None
    error: BaseException | None = None
    version: int = 0
    waiters: int = 0
    changed: anyio.Event = field(default_factory=anyio.Event)
    arrivals: anyio.Event = field(default_factory=anyio.Event)  # a waiter joined or the last left
    last_poll: float = 0.0
    finished: bool = False


class StatusWatcher(Generic[T]):
    """Coalesces waiting on keys into one poll loop per key."""

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[T]],
        is_final: Callable[[T], bool],
        schedule: PollSchedule,
        task_group: TaskGroup,
        on_loop_end: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._fetch = fetch
        self._is_final = is_final
        self._schedule = schedule
        self._task_group = task_group
        self._on_loop_end = on_loop_end
        self._watches: dict[str, _Watch[T]] = {}

    def active_loops(self) -> int:
        """How many poll loops are running now."""
        return len(self._watches)

    async def wait(
        self,
        key: str,
        seconds: float,
        on_update: Callable[[T], Awaitable[None]] | None = None,
    ) -> T | None:
        """Wait up to ``seconds`` for a final answer on ``key``.

        Returns the final answer as soon as it arrives, else the latest answer seen when the time
        runs out (``None`` if no poll finished in time). Re-raises the error of a failed poll.
        """
        watch = self._join(key)
        seen = 0
        try:
            with anyio.move_on_after(seconds):
                while True:
                    if watch.version > seen:
                        seen = watch.version
                        if watch.error is not None:
                            raise watch.error
                        assert watch.value is not None
                        if on_update is not None:
                            await on_update(watch.value)
                        if self._is_final(watch.value):
                            return watch.value
                    await watch.changed.wait()
            return watch.value if watch.version > 0 and watch.error is None else None
        finally:
            watch.waiters -= 1
            if watch.waiters == 0:
                watch.arrivals.set()

    def _join(self, key: str) -> _Watch[T]:
        watch = self._watches.get(key)
        if watch is None or watch.finished:
            watch = _Watch[T]()
            self._watches[key] = watch
            self._task_group.start_soon(self._poll_loop, key, watch)
        watch.waiters += 1
        watch.arrivals.set()
        return watch

    async def _poll_loop(self, key: str, watch: _Watch[T]) -> None:
        delay = self._schedule.initial
        try:
            while watch.waiters > 0:
                final = await self._poll_once(key, watch)
                if final:
                    break
                await self._pause(watch, delay)
                delay = min(delay * self._schedule.factor, self._schedule.maximum)
        finally:
            watch.finished = True
            if self._watches.get(key) is watch:
                del self._watches[key]
            if self._on_loop_end is not None:
                await self._on_loop_end(key)

    async def _pause(self, watch: _Watch[T], delay: float) -> None:
        """Sleep ``delay`` after the last poll, cut short by the last waiter leaving, or brought
        forward to ``initial`` after the last poll by a waiter joining."""
        deadline = watch.last_poll + delay
        watch.arrivals = anyio.Event()
        while watch.waiters > 0:
            remaining = deadline - anyio.current_time()
            if remaining <= 0:
                return
            with anyio.move_on_after(remaining):
                await watch.arrivals.wait()
            if not watch.arrivals.is_set():
                return
            watch.arrivals = anyio.Event()
            deadline = min(deadline, watch.last_poll + self._schedule.initial)

    async def _poll_once(self, key: str, watch: _Watch[T]) -> bool:
        final = False
        try:
            value = await self._fetch(key)
        except Exception as exc:  # handed to every waiter, which re-raises it
            watch.error = exc
        else:
            watch.value, watch.error = value, None
            final = self._is_final(value)
        watch.version += 1
        watch.last_poll = anyio.current_time()
        changed, watch.changed = watch.changed, anyio.Event()
        changed.set()
        return final or watch.error is not None
