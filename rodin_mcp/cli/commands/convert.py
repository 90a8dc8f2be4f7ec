"""``rodin-mcp convert``: a model converted here for free, from the same code as the tool."""

from __future__ import annotations

from rodin_mcp.cli.commands.generate import absolute_image_reference
from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_conversion

__all__ = ["run_convert"]

_OPTIONS = (
    "format",
    "preset",
    "size",
    "unit",
    "along",
    "up_axis",
    "origin",
    "max_triangles",
    "max_texture_size",
    "repair",
)


async def run_convert(ctx: CommandContext) -> int:
    """Convert MODEL (a path, file:// URI or a downloaded file's rodin:// URI)."""
    args = ctx.args
    options = {name: getattr(args, name) for name in _OPTIONS}
    result = await ctx.service.convert_model(absolute_image_reference(args.model), options)
    if ctx.output.json_mode:
        ctx.output.json(result.model_dump(mode="json"))
    else:
        show_conversion(ctx.output, result)
    return EXIT_OK
