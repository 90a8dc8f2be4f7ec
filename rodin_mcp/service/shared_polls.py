"""Asking Rodin for a task's status once for every replica (see :mod:`rodin_mcp.ledger.polls`).

Each replica's :class:`~.watching.StatusWatcher` keeps one poll loop per task for its own
waiters; :class:`SharedStatusFetch` is the loop's fetch. When this replica holds the task's lease
it asks Rodin and publishes the answer; otherwise it returns the newest answer another replica
published (or waits for the next one), so Rodin sees one loop per task, whoever waits where.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable

import anyio

from rodin_mcp.api import TaskStatus
from rodin_mcp.ledger.polls import PollBoard

__all__ = ["SharedStatusFetch"]

logger = logging.getLogger(__name__)

_CHECK_SECONDS = 10.0
"""How long a replica waits for another's answer before looking at the lease again (a holder
that is gone is replaced then)."""


class SharedStatusFetch:
    """A status fetch that replicas share through the ledger's poll board."""

    def __init__(
        self,
        board: PollBoard,
        fetch: Callable[[str], Awaitable[TaskStatus]],
        *,
        lease_seconds: float,
    ) -> None:
        self._board = board
        self._fetch = fetch
        self._lease = lease_seconds
        self._seen: dict[str, int] = {}

    async def __call__(self, subscription_key: str) -> TaskStatus:
        key = _digest(subscription_key)
        while True:
            woken = self._board.expect(key)
            state = await self._board.take(key, self._lease)
            if state.mine:
                return await self._poll(subscription_key, key)
            if state.answer is not None and state.version > self._seen.get(key, 0):
                self._seen[key] = state.version
                return TaskStatus.model_validate_json(state.answer)
            await self._board.wait(woken, _CHECK_SECONDS)

    async def loop_ended(self, subscription_key: str) -> None:
        """This replica's last waiter left: let the lease go, so another replica takes over."""
        key = _digest(subscription_key)
        self._seen.pop(key, None)
        with anyio.CancelScope(shield=True):
            try:
                await self._board.release(key)
            except Exception as exc:  # the lease then runs out by itself
                logger.info("could not release the poll lease: %s", type(exc).__name__)

    async def _poll(self, subscription_key: str, key: str) -> TaskStatus:
        try:
            value = await self._fetch(subscription_key)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._board.release(key)
            raise
        answer = value.model_dump_json(include={"jobs"})
        version = await self._board.publish(key, answer, self._lease)
        if version:
            self._seen[key] = version
        return value


def _digest(subscription_key: str) -> str:
    return hashlib.sha256(subscription_key.encode("utf-8")).hexdigest()
