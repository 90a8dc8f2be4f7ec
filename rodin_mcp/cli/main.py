"""Entry point of the `rodin-mcp` console script.

``rodin-mcp`` with no arguments serves MCP over stdio (what MCP hosts run). Sub-commands are
imported lazily, so starting the stdio server loads nothing it does not need.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the server commands (people's commands register their own)."""
    parser = argparse.ArgumentParser(
        prog="rodin-mcp",
        description=(
            "MCP server for Hyper3D Rodin 3D generation. With no command, serves MCP over stdio."
        ),
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `rodin-mcp` command line and return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "emulator":
        from rodin_mcp.emulator.command import main as emulator_main

        return emulator_main(args_list[1:])
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
