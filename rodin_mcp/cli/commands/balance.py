"""``rodin-mcp balance``: the account's credits."""

from __future__ import annotations

from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_balance

__all__ = ["run_balance"]


async def run_balance(ctx: CommandContext) -> int:
    """Ask Rodin (or the sandbox) for the balance."""
    result = await ctx.service.balance()
    if ctx.output.json_mode:
        ctx.output.json(result.model_dump(mode="json"))
    else:
        show_balance(ctx.output, result)
    return EXIT_OK
