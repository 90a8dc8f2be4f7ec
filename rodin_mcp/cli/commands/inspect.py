"""``rodin-mcp inspect``: facts about a model file, from the same code as the tools."""

from __future__ import annotations

from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_model

__all__ = ["run_inspect"]


async def run_inspect(ctx: CommandContext) -> int:
    """Inspect the model file the argument names (a local file or a downloaded one)."""
    result, _ = await ctx.service.inspect_model(ctx.args.model)
    if ctx.output.json_mode:
        ctx.output.json(result.model_dump(mode="json"))
    else:
        show_model(ctx.output, result.model)
    return EXIT_OK
