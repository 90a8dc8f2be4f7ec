"""``rodin-mcp texture`` and ``rodin-mcp split``: paid tasks that start from an existing model,
submitted and followed exactly as ``generate`` does."""

from __future__ import annotations

from rodin_mcp.cli.commands.generate import absolute_image_reference, submit_and_follow
from rodin_mcp.cli.generation_options import split_options_from, texture_options_from
from rodin_mcp.cli.session import CommandContext

__all__ = ["run_split", "run_texture"]


async def run_texture(ctx: CommandContext) -> int:
    """Texture MODEL from --image; then follow it like a generation."""
    args = ctx.args
    model = absolute_image_reference(args.model)  # rodin:// URIs are left as they are
    image = absolute_image_reference(args.image)
    prepared = await ctx.service.prepare_texture(texture_options_from(args), model, image)
    return await submit_and_follow(ctx, prepared)


async def run_split(ctx: CommandContext) -> int:
    """Split TASK into parts; then follow it like a generation."""
    args = ctx.args
    prepared = await ctx.service.prepare_split(split_options_from(args), args.task)
    return await submit_and_follow(ctx, prepared)
