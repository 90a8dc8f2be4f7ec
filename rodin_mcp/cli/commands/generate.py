"""``rodin-mcp generate``: submit a generation; with ``--wait``, wait and download it too."""

from __future__ import annotations

import re
from pathlib import Path

from rodin_mcp.cli.commands.steps import FollowOutcome, follow_to_files
from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.generation_options import generation_options_from
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_generated
from rodin_mcp.cli.words import resume_commands, worded
from rodin_mcp.service import PreparedSubmission

__all__ = ["absolute_image_reference", "run_generate", "submit_and_follow"]

_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters or more: not a drive


def absolute_image_reference(reference: str) -> str:
    """A path as typed by a person made absolute (URIs and URLs are left as they are)."""
    if _URI_SCHEME.match(reference):
        return reference
    return str(Path(reference).expanduser().absolute())


async def run_generate(ctx: CommandContext) -> int:
    """Submit; then either say how to follow the task, or follow it to its files."""
    args, service = ctx.args, ctx.service
    given: list[str] = args.images or []
    images = [absolute_image_reference(r) for r in given]
    options = generation_options_from(args, args.prompt)
    return await submit_and_follow(ctx, await service.prepare(options, images))


async def submit_and_follow(ctx: CommandContext, prepared: PreparedSubmission) -> int:
    """Submit a prepared generation, texture or split; then say how to follow it, or (with
    ``--wait``) follow it to its files. The same progress, JSON and resume hints for all."""
    args, output, service = ctx.args, ctx.output, ctx.service
    ctx.resume.phase = "submitting"
    generated = await service.generate(prepared, force_new=args.force_new)
    ctx.resume.phase, ctx.resume.task_uuid = "waiting", generated.task_uuid
    show_generated(output, generated)
    if not args.wait:
        if output.json_mode:
            output.json(worded(generated, service.sandbox))
        else:
            output.text("Next:")
            for line in resume_commands(generated.task_uuid, service.sandbox):
                output.text(f"  {line}")
        return EXIT_OK
    outcome = FollowOutcome(generated)
    code = await follow_to_files(ctx, outcome, give_up_after=args.timeout, folder=args.out)
    if output.json_mode:
        output.json(outcome.as_json())
    return code
