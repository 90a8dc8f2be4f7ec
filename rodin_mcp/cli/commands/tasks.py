"""``rodin-mcp tasks``: recent tasks from the ledger, newest first."""

from __future__ import annotations

from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_tasks

__all__ = ["run_tasks"]


async def run_tasks(ctx: CommandContext) -> int:
    """List this mode's tasks (real API, or sandbox with --sandbox)."""
    result = await ctx.service.tasks(ctx.args.limit)
    if ctx.output.json_mode:
        ctx.output.json(result.model_dump(mode="json"))
    else:
        show_tasks(ctx.output, result, sandbox=ctx.service.sandbox)
    return EXIT_OK
