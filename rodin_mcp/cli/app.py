"""The people's command line: parse, then run one command with its settings and service.

Command modules are imported only once the arguments parse, so ``--help`` and usage errors
answer without loading the service.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any, cast

from rodin_mcp.cli.exit_codes import EXIT_USAGE
from rodin_mcp.cli.output import Output
from rodin_mcp.cli.parser import build_people_parser

__all__ = ["run"]

# Command name -> the module and function running it with the service.
SERVICE_COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("rodin_mcp.cli.commands.demo", "run_demo"),
    "generate": ("rodin_mcp.cli.commands.generate", "run_generate"),
    "status": ("rodin_mcp.cli.commands.status", "run_status"),
    "download": ("rodin_mcp.cli.commands.download", "run_download"),
    "tasks": ("rodin_mcp.cli.commands.tasks", "run_tasks"),
    "balance": ("rodin_mcp.cli.commands.balance", "run_balance"),
}


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _parse(argv: Sequence[str]) -> argparse.Namespace | int:
    parser = build_people_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "generate" and args.out is not None and not args.wait:
            parser.error("--out needs --wait (without --wait nothing is downloaded)")
    except SystemExit as exc:  # --help (0) or a usage error (2), already explained on stderr
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return args


def run(argv: Sequence[str]) -> int:
    """Run one people's command and return its exit code."""
    parsed = _parse(argv)
    if isinstance(parsed, int):
        return parsed
    _configure_logging(parsed.verbose)
    output = Output(json_mode=parsed.json)
    # The demo always runs in the sandbox; elsewhere --sandbox overrides RODIN_SANDBOX.
    sandbox = parsed.sandbox or parsed.command == "demo"
    arguments: dict[str, Any] = {"sandbox": True} if sandbox else {}
    from rodin_mcp.cli.session import ServiceCommand, run_plain, run_with_service

    if parsed.command == "config":
        from rodin_mcp.cli.commands.config import run_config

        return run_plain(lambda: run_config(output, arguments), output)
    module, function = SERVICE_COMMANDS[parsed.command]
    command = cast(ServiceCommand, getattr(importlib.import_module(module), function))
    return run_with_service(command, parsed, output, arguments)
