"""``rodin-mcp status``: where a task stands; with ``--wait``, until it finishes."""

from __future__ import annotations

from rodin_mcp.cli.commands.steps import report_failed, report_timeout, wait_with_progress
from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_status
from rodin_mcp.cli.words import next_step_text, worded

__all__ = ["run_status"]


async def run_status(ctx: CommandContext) -> int:
    """Show the task's status; exit 3 if it failed, 4 if --wait ran out first."""
    args, output, service = ctx.args, ctx.output, ctx.service
    task: str = args.task
    ctx.resume.task_uuid = task
    status = await service.status(task, subscription_key=args.subscription_key)
    if args.wait is not None and not status.state.is_final:
        status = await wait_with_progress(ctx, task, args.wait)
    if output.json_mode:
        output.json(worded(status, service.sandbox))
    else:
        show_status(output, status)
    if status.state == "failed":
        return report_failed(ctx, status)
    if args.wait is not None and not status.state.is_final:
        return report_timeout(ctx, status, args.wait)
    if status.state == "done" or args.wait is None:
        output.note(f"Next: {next_step_text(status.next_step, service.sandbox)}", style=None)
    return EXIT_OK
