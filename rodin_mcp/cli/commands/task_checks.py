"""Checks before following a task: can this command's mode reach it at all?

Sandbox tasks live in the sandbox emulator's journal (in the data folder) and real-API tasks at
Rodin; following one in the other mode cannot work, so say which flag to use instead of asking
the wrong side.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from rodin_mcp.errors import InputError, NoSuchTaskError
from rodin_mcp.service import RodinService

__all__ = ["check_reachable", "sandbox_task_lost"]


def check_reachable(service: RodinService, task_uuid: str) -> None:
    """Refuse, with advice, a task that belongs to the other mode.

    Raises:
        InputError: a sandbox task without --sandbox, or a real-API task with it.
    """
    record = service.ledger.get(task_uuid)
    if record is None or record.sandbox == service.sandbox:
        return  # the service explains unknown tasks (or records an external one)
    if record.sandbox:
        raise InputError(
            f"Task {task_uuid} was submitted to the sandbox (the embedded emulator). Add "
            "--sandbox to follow it."
        )
    raise InputError(
        f"Task {task_uuid} was submitted to the Rodin API at {record.base_url}, not to the "
        "sandbox. Run the command again without --sandbox (and without RODIN_SANDBOX)."
    )


@asynccontextmanager
async def sandbox_task_lost(service: RodinService, task_uuid: str) -> AsyncGenerator[None]:
    """Explain a sandbox task the sandbox emulator no longer knows (its journal is gone).

    Raises:
        InputError: in sandbox mode, instead of the emulator's NoSuchTaskError.
    """
    try:
        yield
    except NoSuchTaskError:
        if not service.sandbox or service.ledger.get(task_uuid) is None:
            raise
        raise InputError(
            f"The sandbox no longer knows task {task_uuid}: its record in the sandbox journal "
            f"({service.settings.data_dir}) is gone, so it cannot be followed. Generate it "
            "again with 'rodin-mcp generate --sandbox --wait'."
        ) from None
