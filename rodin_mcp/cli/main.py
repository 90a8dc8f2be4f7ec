"""Entry point of the `rodin-mcp` console script.

``rodin-mcp`` with no arguments serves MCP over stdio (what MCP hosts run). ``serve`` and
``emulator`` run the servers; the people's commands (``demo``, ``generate``, ``status``,
``download``, ``tasks``, ``balance``, ``config``) live in :mod:`rodin_mcp.cli.app`. Everything
is imported lazily, so starting the stdio server loads no command module and no presentation
library.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rodin_mcp.cli.command_names import PEOPLE_COMMANDS
from rodin_mcp.cli.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

EPILOG = """\
examples:
  rodin-mcp demo                       try it now: sandbox generation, no key needed
  rodin-mcp generate "a wooden chair" --wait
  rodin-mcp tasks
  rodin-mcp                            serve MCP over stdio (what MCP hosts run)
  rodin-mcp serve --http --port 8000   serve MCP over Streamable HTTP

run 'rodin-mcp COMMAND --help' for a command's options.
exit codes: 0 ok, 1 error, 2 usage, 3 task failed, 4 timeout, 130 interrupted (Ctrl-C)
"""


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of the server commands; the people's commands are listed, parsed elsewhere."""
    parser = argparse.ArgumentParser(
        prog="rodin-mcp",
        description=(
            "MCP server for Hyper3D Rodin 3D generation. With no command, serves MCP over stdio."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sandbox", action="store_true", help="use the embedded emulator")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve MCP (stdio by default, --http for HTTP)")
    serve.add_argument("--http", action="store_true", help="serve Streamable HTTP at /mcp")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS)
    commands.add_parser(
        "emulator", help="run the Rodin-compatible emulator (see: rodin-mcp emulator --help)"
    )
    for name, summary in PEOPLE_COMMANDS.items():
        commands.add_parser(name, help=summary, add_help=False)
    return parser


def _command_name(args: Sequence[str]) -> str | None:
    # Every option before the command is a flag, so the first bare word is the command.
    return next((a for a in args if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `rodin-mcp` command line and return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "emulator":
        from rodin_mcp.emulator.command import main as emulator_main

        return emulator_main(args_list[1:])
    if _command_name(args_list) in PEOPLE_COMMANDS:
        from rodin_mcp.cli.app import run

        return run(args_list)
    args = build_parser().parse_args(args_list)
    _configure_logging(args.verbose)
    return _serve(args)


def _serve(args: argparse.Namespace) -> int:
    from rodin_mcp.errors import ConfigError
    from rodin_mcp.server.transports import run_http, run_stdio
    from rodin_mcp.settings import Settings

    settings = Settings(sandbox=True) if args.sandbox else Settings()
    try:
        if getattr(args, "http", False):
            run_http(settings, args.host, args.port)
        else:
            run_stdio(settings)
    except ConfigError as exc:
        sys.stderr.write(f"rodin-mcp: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK
