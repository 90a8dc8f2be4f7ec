"""``rodin-mcp status``: where a task stands; with ``--wait``, until it finishes."""

from __future__ import annotations

from rodin_mcp.cli.commands.steps import report_failed, report_timeout, wait_with_progress
from rodin_mcp.cli.commands.task_checks import check_reachable, sandbox_task_lost
from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_status
from rodin_mcp.cli.waiting import FINAL_STATES

__all__ = ["run_status"]


async def run_status(ctx: CommandContext) -> int:
    """Show the task's status; exit 3 if it failed, 4 if --wait ran out first."""
    args, output, service = ctx.args, ctx.output, ctx.service
    task: str = args.task
    check_reachable(service, task)
    ctx.resume.task_uuid = task
    async with sandbox_task_lost(service, task):
        status = await service.status(task, subscription_key=args.subscription_key)
        if args.wait is not None and status.state not in FINAL_STATES:
            status = await wait_with_progress(ctx, task, args.wait)
    if output.json_mode:
        output.json(status.model_dump(mode="json"))
    else:
        show_status(output, status)
    if status.state == "failed":
        return report_failed(ctx, status)
    if args.wait is not None and status.state not in FINAL_STATES:
        return report_timeout(ctx, status, args.wait)
    flag = " --sandbox" if service.sandbox else ""
    if status.state == "done":
        output.note(f"Next: rodin-mcp download {task}{flag}", style=None)
    elif args.wait is None:
        output.note(f"Next: rodin-mcp status {task} --wait{flag}", style=None)
    return EXIT_OK
