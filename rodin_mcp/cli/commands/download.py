"""``rodin-mcp download``: fetch a finished task's files, verified, with progress."""

from __future__ import annotations

from rodin_mcp.cli.commands.steps import download_files, inspect_downloads
from rodin_mcp.cli.commands.task_checks import check_reachable, sandbox_task_lost
from rodin_mcp.cli.exit_codes import EXIT_ERROR, EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_files, show_model

__all__ = ["run_download"]


async def run_download(ctx: CommandContext) -> int:
    """Download the files (exit 1 if the task is not finished, 3 if it failed)."""
    args, output, service = ctx.args, ctx.output, ctx.service
    task: str = args.task
    check_reachable(service, task)
    async with sandbox_task_lost(service, task):
        downloads = await download_files(ctx, task, args.out)
    if output.json_mode:
        output.json(downloads.model_dump(mode="json"))
    if not downloads.downloaded:
        flag = " --sandbox" if service.sandbox else ""
        output.error(
            f"Task {task} is still {downloads.state}; nothing was downloaded. Wait for it with "
            f"'rodin-mcp status {task} --wait{flag}', then download again."
        )
        return EXIT_ERROR
    show_files(output, downloads)
    facts = await inspect_downloads(downloads)
    if facts is not None:
        output.show()
        show_model(output, facts)
    return EXIT_OK
