"""Waiting on a task for as long as a person is willing to: the service's waits, in chunks."""

from __future__ import annotations

import anyio

from rodin_mcp.results import StatusResult
from rodin_mcp.service import RodinService, StatusCallback

__all__ = ["FINAL_STATES", "WAIT_CHUNK_SECONDS", "wait_for_task"]

FINAL_STATES = frozenset({"done", "failed"})
WAIT_CHUNK_SECONDS = 60.0


async def wait_for_task(
    service: RodinService,
    task_uuid: str,
    *,
    give_up_after: float,
    on_update: StatusCallback | None = None,
) -> StatusResult:
    """Wait until the task is done or failed, or ``give_up_after`` seconds pass.

    Returns:
        The final status, or the latest one when the time ran out (its state then is
        ``waiting`` or ``generating``).

    Raises:
        RodinError: the status could not be read.
    """
    deadline = anyio.current_time() + give_up_after
    while True:
        remaining = deadline - anyio.current_time()
        chunk = min(remaining, WAIT_CHUNK_SECONDS)
        if chunk <= 0:
            return await service.status(task_uuid)
        status = await service.status(task_uuid, wait_seconds=chunk, on_update=on_update)
        if status.state in FINAL_STATES or anyio.current_time() >= deadline:
            return status
