"""The steps commands share: wait with progress, download with progress, and the messages for a
failed or timed-out task."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rodin_mcp.cli.exit_codes import EXIT_OK, EXIT_TASK_FAILED, EXIT_TIMEOUT
from rodin_mcp.cli.formatting import format_duration
from rodin_mcp.cli.progress import DownloadDisplay, WaitDisplay
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_files, show_model, show_status
from rodin_mcp.cli.words import advice_for, resume_commands, worded
from rodin_mcp.errors import TaskFailedError
from rodin_mcp.service import DownloadsResult, GenerateResult, StatusResult

__all__ = [
    "FollowOutcome",
    "download_files",
    "follow_to_files",
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
        return await ctx.service.follow(
            task_uuid, give_up_after=give_up_after, on_update=display.update
        )


async def download_files(
    ctx: CommandContext, task_uuid: str, folder: Path | None
) -> DownloadsResult:
    """Fetch the task's files with a progress bar per file."""
    ctx.resume.phase, ctx.resume.task_uuid = "downloading", task_uuid
    with DownloadDisplay(ctx.output) as display:
        return await ctx.service.fetch_results(task_uuid, folder=folder, progress=display)


def report_failed(ctx: CommandContext, status: StatusResult) -> int:
    """Say that Rodin failed the task; returns the exit code 3."""
    failure = TaskFailedError(status.task_uuid)
    ctx.output.error(f"{failure} {advice_for(failure)}")
    return EXIT_TASK_FAILED


def report_timeout(ctx: CommandContext, status: StatusResult, give_up_after: float) -> int:
    """Say that waiting ran out and how to resume; returns the exit code 4."""
    task = status.task_uuid
    ctx.output.error(
        f"Task {task} is still {status.state} after waiting {format_duration(give_up_after)} "
        "(--timeout). It keeps running. To resume:"
    )
    ctx.output.hint("\n".join(f"  {line}" for line in resume_commands(task, status.sandbox)))
    return EXIT_TIMEOUT


@dataclass
class FollowOutcome:
    """Everything a generate-and-wait produced (``None`` for steps not reached)."""

    generated: GenerateResult
    status: StatusResult | None = None
    downloads: DownloadsResult | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON document of ``demo`` and ``generate --wait``."""
        sandbox = self.generated.sandbox
        downloads = self.downloads
        return {
            "generate": worded(self.generated, sandbox),
            "status": worded(self.status, sandbox) if self.status else None,
            "downloads": worded(downloads, sandbox) if downloads else None,
            "inspection": (
                downloads.model.model_dump(mode="json") if downloads and downloads.model else None
            ),
        }


async def follow_to_files(
    ctx: CommandContext, outcome: FollowOutcome, *, give_up_after: float, folder: Path | None
) -> int:
    """Wait for a submitted task, download its files (inspected), and show each step."""
    task = outcome.generated.task_uuid
    outcome.status = status = await wait_with_progress(ctx, task, give_up_after)
    if status.state == "failed":
        show_status(ctx.output, status)
        return report_failed(ctx, status)
    if status.state != "done":
        return report_timeout(ctx, status, give_up_after)
    ctx.output.note(f"Done in {format_duration(status.elapsed_seconds)}. Downloading the files...")
    outcome.downloads = downloads = await download_files(ctx, task, folder)
    ctx.output.show()
    show_files(ctx.output, downloads)
    if downloads.model is not None:
        ctx.output.show()
        show_model(ctx.output, downloads.model)
    return EXIT_OK
