"""The steps commands share: wait with progress, download with progress, inspect the model,
and the messages for a failed or timed-out task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from rodin_mcp.cli.exit_codes import EXIT_OK, EXIT_TASK_FAILED, EXIT_TIMEOUT
from rodin_mcp.cli.formatting import format_duration
from rodin_mcp.cli.progress import DownloadDisplay, WaitDisplay
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_files, show_model, show_status
from rodin_mcp.cli.waiting import wait_for_task
from rodin_mcp.inspect import ModelFacts, inspect_model_file, main_model_file
from rodin_mcp.results import DownloadsResult, GenerateResult, StatusResult

__all__ = [
    "FollowOutcome",
    "download_files",
    "follow_to_files",
    "inspect_downloads",
    "report_failed",
    "report_timeout",
    "wait_with_progress",
]


async def wait_with_progress(
    ctx: CommandContext, task_uuid: str, give_up_after: float
) -> StatusResult:
    """Wait for the task with a live display; returns the final (or latest) status."""
    ctx.resume.phase, ctx.resume.task_uuid = "waiting", task_uuid
    with WaitDisplay(ctx.output, task_uuid) as display:
        return await wait_for_task(
            ctx.service, task_uuid, give_up_after=give_up_after, on_update=display.update
        )


async def download_files(
    ctx: CommandContext, task_uuid: str, folder: Path | None
) -> DownloadsResult:
    """Fetch the task's files with a progress bar per file."""
    ctx.resume.phase, ctx.resume.task_uuid = "downloading", task_uuid
    with DownloadDisplay(ctx.output) as display:
        return await ctx.service.fetch_results(task_uuid, folder=folder, progress=display)


async def inspect_downloads(downloads: DownloadsResult) -> ModelFacts | None:
    """Facts about the task's main model file, if it has one (read in a worker thread)."""
    main = main_model_file(Path(f.path) for f in downloads.files)
    if main is None:
        return None
    return await anyio.to_thread.run_sync(inspect_model_file, main)


def report_failed(ctx: CommandContext, status: StatusResult) -> int:
    """Say that Rodin failed the task; returns the exit code 3."""
    ctx.output.error(
        f"Rodin reported task {status.task_uuid} as failed, so it has no files. Generate again "
        "(consider another seed, prompt or image); Rodin gives no reason for failures."
    )
    return EXIT_TASK_FAILED


def report_timeout(ctx: CommandContext, status: StatusResult, give_up_after: float) -> int:
    """Say that waiting ran out and how to resume; returns the exit code 4."""
    task = status.task_uuid
    message = (
        f"Task {task} is still {status.state} after waiting {format_duration(give_up_after)} "
        "(--timeout)."
    )
    flag = " --sandbox" if status.sandbox else ""
    ctx.output.error(message + " It keeps running. To resume:")
    ctx.output.hint(f"  rodin-mcp status {task} --wait{flag}\n  rodin-mcp download {task}{flag}")
    return EXIT_TIMEOUT


@dataclass
class FollowOutcome:
    """Everything a generate-and-wait produced (``None`` for steps not reached)."""

    generated: GenerateResult
    status: StatusResult | None = None
    downloads: DownloadsResult | None = None
    inspection: ModelFacts | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON document of ``demo`` and ``generate --wait``."""
        return {
            "generate": self.generated.model_dump(mode="json"),
            "status": self.status.model_dump(mode="json") if self.status else None,
            "downloads": self.downloads.model_dump(mode="json") if self.downloads else None,
            "inspection": self.inspection.model_dump(mode="json") if self.inspection else None,
        }


async def follow_to_files(
    ctx: CommandContext, outcome: FollowOutcome, *, give_up_after: float, folder: Path | None
) -> int:
    """Wait for a submitted task, download and inspect its files, and show each step."""
    task = outcome.generated.task_uuid
    outcome.status = status = await wait_with_progress(ctx, task, give_up_after)
    if status.state == "failed":
        show_status(ctx.output, status)
        return report_failed(ctx, status)
    if status.state != "done":
        return report_timeout(ctx, status, give_up_after)
    ctx.output.note(f"Done in {format_duration(status.elapsed_seconds)}. Downloading the files...")
    outcome.downloads = downloads = await download_files(ctx, task, folder)
    outcome.inspection = await inspect_downloads(downloads)
    ctx.output.show()
    show_files(ctx.output, downloads)
    if outcome.inspection is not None:
        ctx.output.show()
        show_model(ctx.output, outcome.inspection)
    return EXIT_OK
