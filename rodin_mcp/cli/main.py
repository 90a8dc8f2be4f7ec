"""Entry point of the `rodin-mcp` console script: parse once, set up logging, run one command.

``rodin-mcp`` with no command serves MCP over stdio (what MCP hosts run). ``serve`` and
``emulator`` run the servers; the people's commands (``demo``, ``generate``, ``status``,
``download``, ``tasks``, ``balance``, ``config``) run in :mod:`rodin_mcp.cli.commands`. What a
command needs is imported once it runs, so starting the stdio server loads no command module
and no presentation library.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any, cast

from rodin_mcp.cli.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from rodin_mcp.cli.output import write_utf8
from rodin_mcp.cli.parser import parse_command_line

__all__ = ["configure_logging", "main"]

# Command name -> the module and function running it with the service.
SERVICE_COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("rodin_mcp.cli.commands.demo", "run_demo"),
    "generate": ("rodin_mcp.cli.commands.generate", "run_generate"),
    "texture": ("rodin_mcp.cli.commands.derived", "run_texture"),
    "split": ("rodin_mcp.cli.commands.derived", "run_split"),
    "status": ("rodin_mcp.cli.commands.status", "run_status"),
    "download": ("rodin_mcp.cli.commands.download", "run_download"),
    "tasks": ("rodin_mcp.cli.commands.tasks", "run_tasks"),
    "balance": ("rodin_mcp.cli.commands.balance", "run_balance"),
    "inspect": ("rodin_mcp.cli.commands.inspect", "run_inspect"),
    "convert": ("rodin_mcp.cli.commands.convert", "run_convert"),
}


def configure_logging(verbose: bool) -> None:
    """Log to stderr: warnings and errors, or everything (DEBUG) with ``-v``/``--verbose``."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `rodin-mcp` command line and return its exit code."""
    write_utf8()
    try:
        args = parse_command_line(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already explained on stderr
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "emulator":
        from rodin_mcp.emulator.command import main as emulator_main

        return emulator_main(args.emulator_arguments)
    configure_logging(args.verbose)
    if args.command in (None, "serve"):
        return _serve(args)
    return _run_people_command(args)


_SERVE_SETTINGS = ("tls_cert", "tls_key", "behind_tls_proxy")


def _settings_arguments(args: argparse.Namespace) -> dict[str, Any]:
    # The demo always runs in the sandbox; elsewhere --sandbox overrides RODIN_SANDBOX.
    sandbox = args.sandbox or args.command == "demo"
    arguments: dict[str, Any] = {"sandbox": True} if sandbox else {}
    # serve's flags override their RODIN_* variables when given (they are absent otherwise).
    arguments.update({name: getattr(args, name) for name in _SERVE_SETTINGS if name in args})
    return arguments


def _serve(args: argparse.Namespace) -> int:
    from rodin_mcp.cli.settings_sources import load_settings
    from rodin_mcp.errors import ConfigError

    try:
        settings = load_settings(_settings_arguments(args))
    except ConfigError as exc:
        from rodin_mcp.cli.output import Output

        Output(json_mode=False).error(str(exc))
        return EXIT_ERROR
    from rodin_mcp.server.transports import run_http, run_stdio

    try:
        if getattr(args, "http", False):
            run_http(settings, args.host, args.port)
        else:
            run_stdio(settings)
    except ConfigError as exc:
        from rodin_mcp.cli.words import advice_for

        advice = advice_for(exc)
        sys.stderr.write(f"rodin-mcp: {exc}" + (f" {advice}" if advice else "") + "\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK


def _run_people_command(args: argparse.Namespace) -> int:
    from rodin_mcp.cli.output import Output
    from rodin_mcp.cli.session import ServiceCommand, run_plain, run_with_service

    output = Output(json_mode=args.json)
    arguments = _settings_arguments(args)
    if args.command == "config":
        from rodin_mcp.cli.commands.config import run_config

        return run_plain(lambda: run_config(output, arguments), output)
    module, function = SERVICE_COMMANDS[args.command]
    command = cast(ServiceCommand, getattr(importlib.import_module(module), function))
    return run_with_service(command, args, output, arguments)
