"""``rodin-mcp demo``: the whole product in one command, in the sandbox, without a key."""

from __future__ import annotations

from rodin_mcp.cli.commands.steps import FollowOutcome, follow_to_files
from rodin_mcp.cli.exit_codes import EXIT_OK
from rodin_mcp.cli.host_setup import (
    claude_code_command,
    claude_desktop_config,
    claude_desktop_config_path,
    server_command,
)
from rodin_mcp.cli.session import CommandContext
from rodin_mcp.cli.views import show_generated, show_host_setup

__all__ = ["run_demo"]


async def run_demo(ctx: CommandContext) -> int:
    """Generate in the sandbox, wait, download, inspect, then show how to connect a host."""
    output, service = ctx.output, ctx.service
    output.note(
        "Rodin demo in the sandbox: the embedded emulator answers like Rodin; no API key, no "
        f"credits. Files go to {service.output_dir}",
        style=None,
    )
    prepared = await service.prepare({"prompt": ctx.args.prompt})
    ctx.resume.phase = "submitting"
    # The demo shows a generation happening, so it asks for a new one every time.
    generated = await service.generate(prepared, force_new=True)
    show_generated(output, generated)
    outcome = FollowOutcome(generated)
    code = await follow_to_files(ctx, outcome, give_up_after=ctx.args.timeout, folder=None)
    server = server_command()
    if output.json_mode:
        output.json(
            {
                **outcome.as_json(),
                "host": {
                    "command": server.command,
                    "args": list(server.args),
                    "claude_desktop_config_path": claude_desktop_config_path(),
                    "claude_desktop_config": claude_desktop_config(server, sandbox=True),
                    "claude_code": claude_code_command(server, sandbox=True),
                },
            }
        )
    elif code == EXIT_OK:
        output.show()
        show_host_setup(output, server)
    return code
