"""``rodin-mcp download``: fetch a finished task's files, verified, with progress."""

from __future__ import annotations

from rodin_mcp.cli.commands.steps import download_files
from rodin_mcp.cli.exit_codes import EXIT_ERROR, EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_files, show_model
from rodin_mcp.cli.words import resume_commands, worded

__all__ = ["run_download"]


async def run_download(ctx: CommandContext) -> int:
    """Download the files (exit 1 if the task is not finished, 3 if it failed)."""
    args, output, service = ctx.args, ctx.output, ctx.service
    task: str = args.task
    downloads = await download_files(ctx, task, args.out)
    if output.json_mode:
        output.json(worded(downloads, service.sandbox))
    if not downloads.downloaded:
        output.error(
            f"Task {task} is still {downloads.state}; nothing was downloaded. Wait for it with "
            f"'{resume_commands(task, service.sandbox)[0]}', then download again."
        )
        return EXIT_ERROR
    show_files(output, downloads)
    if downloads.model is not None:
        output.show()
        show_model(output, downloads.model)
    return EXIT_OK
