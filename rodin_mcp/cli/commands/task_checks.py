"""Checks before following a task: is it one this command can reach at all?

A sandbox task lives inside the emulator of the command that submitted it, so no later command
can follow it; the ledger still lists it. Say so plainly instead of asking the new emulator.
"""

from __future__ import annotations

from pathlib import Path

from rodin_mcp.errors import InputError
from rodin_mcp.service import RodinService

__all__ = ["check_reachable"]


def _files_note(output_dir: str | None, files: list[str]) -> str:
    if output_dir and files and all((Path(output_dir) / name).is_file() for name in files):
        return f" Its files were downloaded to {output_dir}."
    return ""


def check_reachable(service: RodinService, task_uuid: str) -> None:
    """Refuse, with advice, a task that this command's mode cannot follow.

    Raises:
        InputError: the task is a sandbox task (from another command), or a real-API task
            while this command runs in sandbox mode.
    """
    record = service.ledger.get(task_uuid)
    if record is None:
        return  # the service explains unknown tasks (or records an external one)
    if record.sandbox:
        names = [str(row.get("name")) for row in record.files]
        raise InputError(
            f"Task {task_uuid} is a sandbox task. The sandbox emulator lives only as long as the "
            "command that started it, so a sandbox task cannot be followed by a later command."
            + _files_note(record.output_dir, names)
            + " To generate, wait and download in one command, use "
            "'rodin-mcp generate --sandbox --wait' or 'rodin-mcp demo'."
        )
    if service.sandbox:
        raise InputError(
            f"Task {task_uuid} was submitted to the Rodin API at {record.base_url}, not to the "
            "sandbox. Run the command again without --sandbox (and without RODIN_SANDBOX)."
        )
