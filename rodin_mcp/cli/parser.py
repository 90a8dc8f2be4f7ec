"""The one argument parser of `rodin-mcp`: the servers and the people's commands.

Every command's ``--help`` carries examples and the exit codes. ``emulator`` is only named here:
its arguments go, unparsed, to the emulator's own parser (:mod:`rodin_mcp.emulator.command`).
Kept light to import: the stdio server parses its (empty) command line with it on every start.
"""

from __future__ import annotations

import argparse
import functools
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rodin_mcp.cli.command_names import PEOPLE_COMMANDS
from rodin_mcp.cli.generation_options import (
    add_generation_options,
    add_split_options,
    add_texture_options,
)
from rodin_mcp.service import (
    FORMATS,
    MAX_IMAGES,
    MAX_MODEL_BYTES,
    PRESETS,
    PRICES,
    SPLITTABLE_TIER,
    UNITS,
)
from rodin_mcp.settings import Settings

__all__ = [
    "DEFAULT_DEMO_PROMPT",
    "DEFAULT_DEMO_TIMEOUT",
    "DEFAULT_WAIT_TIMEOUT",
    "build_parser",
    "parse_command_line",
]

DEFAULT_DEMO_PROMPT = "a wooden chair"
DEFAULT_DEMO_TIMEOUT = 120.0
DEFAULT_WAIT_TIMEOUT = 1800.0
EXIT_CODES = (
    "exit codes: 0 ok, 1 error, 2 usage, 3 task failed, 4 timeout (the task keeps running),\n"
    "130 interrupted by Ctrl-C (the task keeps running; the hint says how to resume)"
)

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
_SERVE_EPILOG = """\
examples:
  rodin-mcp serve --http                       http://127.0.0.1:8000/mcp, this machine only
  RODIN_HTTP_TOKEN=alice:TOKEN_A,bob:TOKEN_B \\
    rodin-mcp serve --http --host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem
  RODIN_HTTP_TOKEN=alice:TOKEN_A rodin-mcp serve --http --host 0.0.0.0 --behind-tls-proxy

Off loopback, serving needs RODIN_HTTP_TOKEN (clients send 'Authorization: Bearer TOKEN'; each
token is one person, 'name:token' names them) and TLS: --tls-cert and --tls-key, or a reverse
proxy that terminates TLS in front (--behind-tls-proxy).
"""
# The people's commands also take --json before their name; the top-level help leaves it out
# (it describes the servers too), but their usage errors show it.
_PEOPLE_USAGE = "%(prog)s [-h] [--sandbox] [--json] [-v] COMMAND ..."

_EXAMPLES = {
    "demo": """\
examples:
  rodin-mcp demo
  rodin-mcp demo "a red teapot"
  rodin-mcp demo --json > demo.json""",
    "generate": """\
examples:
  rodin-mcp generate "a wooden chair"                      submit and return at once
  rodin-mcp generate "a wooden chair" --wait               wait, then download the files
  rodin-mcp generate --image ./chair.png --tier Gen-2 --geometry-file-format fbx --wait
  rodin-mcp generate "a robot" --tier Sketch --seed 42 --wait --out ./models
  rodin-mcp generate "a vase" --sandbox --wait             try it without a key""",
    "status": """\
examples:
  rodin-mcp status 062a023b-fcfe-4b98-bb87-5311d80ccfe4
  rodin-mcp status 062a023b-fcfe-4b98-bb87-5311d80ccfe4 --wait
  rodin-mcp status 062a023b-fcfe-4b98-bb87-5311d80ccfe4 --wait 300 --json""",
    "download": """\
examples:
  rodin-mcp download 062a023b-fcfe-4b98-bb87-5311d80ccfe4
  rodin-mcp download 062a023b-fcfe-4b98-bb87-5311d80ccfe4 --out ./models""",
    "tasks": """\
examples:
  rodin-mcp tasks
  rodin-mcp tasks --limit 5 --json
  rodin-mcp tasks --sandbox                                tasks of the sandbox""",
    "texture": """\
examples:
  rodin-mcp texture ./chair.glb --image ./oak.png --wait          retexture, wait, download
  rodin-mcp texture rodin://tasks/TASK/files/model.glb --image ./oak.png --resolution High""",
    "split": """\
examples:
  rodin-mcp split 062a023b-fcfe-4b98-bb87-5311d80ccfe4 --wait     split a Gen-2 model
  rodin-mcp split TASK --strength 8 --material None --wait""",
    "inspect": """\
examples:
  rodin-mcp inspect ./chair.glb
  rodin-mcp inspect ~/models/statue.stl --json
  rodin-mcp inspect rodin://tasks/062a023b-fcfe-4b98-bb87-5311d80ccfe4/files/base_basic_pbr.glb""",
    "convert": """\
examples:
  rodin-mcp convert ./chair.glb --preset 3d-print --size 120 --unit mm
  rodin-mcp convert ./chair.glb --preset ar-quick-look
  rodin-mcp convert rodin://tasks/TASK/files/base_basic_pbr.glb --format obj --max-triangles 20000
  rodin-mcp convert ./statue.stl --format 3mf --repair --json""",
    "balance": """\
examples:
  rodin-mcp balance
  rodin-mcp balance --json""",
    "config": """\
examples:
  rodin-mcp config
  RODIN_OUTPUT_DIR=~/models rodin-mcp config --json""",
}


_LONG_QUOTED = re.compile(r"'([^']{60})[^']{20,}'")


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors that do not echo pages of input or control characters."""

    def error(self, message: str) -> NoReturn:
        shortened = _LONG_QUOTED.sub(lambda m: f"'{m.group(1)}…'", message)
        if len(shortened) > _MAX_ERROR_CHARS:
            shortened = shortened[:_MAX_ERROR_CHARS] + "…"
        super().error("".join(ch if ch.isprintable() else "?" for ch in shortened))


_MAX_ERROR_CHARS = 500


if TYPE_CHECKING:
    # argparse exposes no public name for the object add_subparsers() returns.
    _Commands = argparse._SubParsersAction[_Parser]  # pyright: ignore[reportPrivateUsage]


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _folder(text: str) -> Path:
    return Path(text).expanduser().absolute()


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("must be from 1 to 1000")
    return value


@functools.cache  # one parent for every command: each parser built costs start-up time
def _common_options() -> _Parser:
    # The defaults are suppressed so that flags given before the command are not overwritten.
    common = _Parser(add_help=False)
    common.add_argument(
        "--sandbox",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the embedded emulator: no API key, no real credits",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON document on stdout and nothing else there",
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log more to stderr"
    )
    return common


def _command(
    commands: _Commands,
    name: str,
    description: str,
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        parents=[_common_options()],
        help=PEOPLE_COMMANDS[name],
        description=textwrap.fill(description, width=78),
        epilog=_EXAMPLES[name] + "\n\n" + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _add_wait_timeout(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=default,
        metavar="SECONDS",
        help=f"stop waiting after this long, exit code 4 (default {default:g})",
    )


def _add_demo(commands: _Commands) -> None:
    demo = _command(
        commands,
        "demo",
        "Generate a model in the sandbox (the embedded emulator: no key, no credits), wait for "
        "it with live progress, download and inspect the files, then show how to connect an "
        "MCP host. Files go to the usual output folder (RODIN_OUTPUT_DIR).",
    )
    demo.add_argument(
        "prompt",
        nargs="?",
        default=DEFAULT_DEMO_PROMPT,
        help=f'what to generate (default "{DEFAULT_DEMO_PROMPT}")',
    )
    _add_wait_timeout(demo, DEFAULT_DEMO_TIMEOUT)


def _generate_description() -> str:
    window = Settings.model_fields["dedupe_window_seconds"].default / 60
    return (
        f"Submit a Rodin generation from a prompt and/or up to {MAX_IMAGES} images. Spends "
        f"credits ({PRICES.base:g} for most tiers) unless --sandbox. An identical request within "
        f"{window:g} minutes (RODIN_DEDUPE_WINDOW_SECONDS) reuses the existing task instead of "
        "paying again (--force-new to submit anyway)."
    )


def _add_generate(commands: _Commands) -> None:
    generate = _command(
        commands,
        "generate",
        _generate_description(),
    )
    generate.add_argument("prompt", nargs="?", help="what to generate, in plain words")
    generate.add_argument(
        "--image",
        dest="images",
        action="append",
        metavar="PATH",
        help=f"input image: a path, file:/data: URI or http(s) URL (repeat for up to {MAX_IMAGES})",
    )
    generate.add_argument(
        "--wait", action="store_true", help="wait until the task finishes, then download it"
    )
    _add_wait_timeout(generate, DEFAULT_WAIT_TIMEOUT)
    generate.add_argument(
        "--out", type=_folder, metavar="DIR", help="with --wait: download into DIR"
    )
    generate.add_argument(
        "--force-new",
        action="store_true",
        help="submit even if an identical request was made recently (may bill again)",
    )
    add_generation_options(generate)


def _add_follow_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", action="store_true", help="wait until the task finishes, then download it"
    )
    _add_wait_timeout(parser, DEFAULT_WAIT_TIMEOUT)
    parser.add_argument("--out", type=_folder, metavar="DIR", help="with --wait: download into DIR")
    parser.add_argument(
        "--force-new",
        action="store_true",
        help="submit even if an identical request was made recently (may bill again)",
    )


def _add_derived(commands: _Commands) -> None:
    window = Settings.model_fields["dedupe_window_seconds"].default / 60
    reuse = f"An identical request within {window:g} minutes reuses the existing task."
    texture = _command(
        commands,
        "texture",
        f"Give a 3D model new textures from one reference image (Rodin Generate Texture). "
        f"Spends {PRICES.texture:g} credit unless --sandbox. {reuse}",
    )
    texture.add_argument(
        "model",
        help=f"a GLB, USDZ, FBX, OBJ or STL file (at most {MAX_MODEL_BYTES // 2**20} MB), or a "
        "downloaded file's rodin:// URI",
    )
    texture.add_argument(
        "--image", required=True, metavar="PATH", help="the reference image (path, URI or URL)"
    )
    _add_follow_flags(texture)
    add_texture_options(texture)
    split = _command(
        commands,
        "split",
        f"Split the model of a finished {SPLITTABLE_TIER} generation into parts (Rodin BANG). "
        f"Spends {PRICES.split:g} credit unless --sandbox. {reuse}",
    )
    split.add_argument("task", help=f"the task uuid of a finished {SPLITTABLE_TIER} generation")
    _add_follow_flags(split)
    add_split_options(split)


def _add_task_commands(commands: _Commands) -> None:
    status = _command(
        commands,
        "status",
        "Show where a task stands. With --wait, wait until it is done or failed (polling "
        "politely), up to SECONDS (default 1800).",
    )
    status.add_argument("task", help="the task uuid (from generate, tasks, or the assistant)")
    status.add_argument(
        "--wait",
        nargs="?",
        type=_positive_seconds,
        const=DEFAULT_WAIT_TIMEOUT,
        metavar="SECONDS",
        help="wait until the task finishes, at most SECONDS (default 1800); exit code 4 after",
    )
    status.add_argument(
        "--subscription-key",
        metavar="KEY",
        help="the task's subscription key, for a task this computer's ledger does not know",
    )
    download = _command(
        commands,
        "download",
        "Download a finished task's files (verified, atomic) into its folder under the output "
        "folder, or into --out DIR.",
    )
    download.add_argument("task", help="the task uuid")
    download.add_argument("--out", type=_folder, metavar="DIR", help="download into DIR")
    inspect = _command(
        commands,
        "inspect",
        "Show facts about a 3D model file (GLB, OBJ, STL, FBX, USDZ, 3MF): counts, dimensions, "
        "meshes, materials, textures, watertightness. Nothing is sent to Rodin.",
    )
    inspect.add_argument(
        "model", help="a model file's path, file:// URI, or rodin:// URI of a downloaded file"
    )


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _add_convert(commands: _Commands) -> None:
    convert = _command(
        commands,
        "convert",
        "Convert a 3D model here, for free (no key, nothing sent anywhere): to GLB, OBJ, STL, "
        "3MF or USDZ, scaled, turned, re-centred, simplified, with smaller textures. The new "
        "file goes beside a downloaded task's files, or into converted/ in the output folder, "
        "never over another file; STL and 3MF get a printability report. Presets: "
        + "; ".join(f"{p.name}: {p.why}" for p in PRESETS.values())
        + ".",
    )
    convert.add_argument(
        "model", help="a GLB, OBJ, STL or USDZ file's path, file:// URI, or a rodin:// URI"
    )
    convert.add_argument("--format", choices=FORMATS, help="the format to write")
    convert.add_argument("--preset", choices=tuple(PRESETS), help="defaults for a destination")
    convert.add_argument(
        "--size", type=_positive_number, metavar="N", help="scale to this height (see --along)"
    )
    convert.add_argument(
        "--unit", choices=UNITS, help="unit of --size and of the file (default by format)"
    )
    convert.add_argument(
        "--along", choices=("height", "longest"), help="what --size measures (default height)"
    )
    convert.add_argument("--up-axis", choices=("y", "z"), help="the axis that points up")
    convert.add_argument(
        "--origin", choices=("bottom", "center"), help="bottom centre (standing) or centre"
    )
    convert.add_argument(
        "--max-triangles", type=_count, metavar="N", help="simplify to at most N triangles"
    )
    convert.add_argument(
        "--max-texture-size", type=_count, metavar="PX", help="longest texture side"
    )
    convert.add_argument(
        "--repair",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="for stl and 3mf: close the mesh into a solid where possible",
    )


def _add_account_commands(commands: _Commands) -> None:
    tasks = _command(
        commands,
        "tasks",
        "List recent tasks from the local ledger, newest first (sandbox tasks with --sandbox).",
    )
    tasks.add_argument(
        "--limit", type=_limit, default=20, metavar="N", help="how many (default 20)"
    )
    _command(commands, "balance", "Show the Rodin account's credit balance.")
    _command(
        commands,
        "config",
        "Show the effective settings (secrets hidden) and where each value comes from: an "
        "argument, a RODIN_* environment variable, or the default.",
    )


def _add_server_commands(commands: _Commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve MCP (stdio by default, --http for HTTP)",
        epilog=_SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--http", action="store_true", help="serve Streamable HTTP at /mcp")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument("--sandbox", action="store_true", default=argparse.SUPPRESS)
    serve.add_argument(
        "--tls-cert",
        type=Path,
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="serve HTTPS with this PEM certificate chain (RODIN_TLS_CERT); needs --tls-key",
    )
    serve.add_argument(
        "--tls-key",
        type=Path,
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="the certificate's unencrypted PEM private key (RODIN_TLS_KEY)",
    )
    serve.add_argument(
        "--behind-tls-proxy",
        action="store_true",
        default=argparse.SUPPRESS,
        help="a reverse proxy in front terminates TLS: plain HTTP off loopback, tokens "
        "required, X-Forwarded-* ignored (RODIN_BEHIND_TLS_PROXY=1)",
    )
    # No options of its own, not even --help: everything after the name is the emulator's.
    commands.add_parser(
        "emulator",
        help="run the Rodin-compatible emulator (see: rodin-mcp emulator --help)",
        add_help=False,
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; with none, ``rodin-mcp`` serves MCP over stdio."""
    parser = _Parser(
        prog="rodin-mcp",
        description=(
            "MCP server for Hyper3D Rodin 3D generation. With no command, serves MCP over stdio."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sandbox", action="store_true", help="use the embedded emulator")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_server_commands(commands)
    _add_demo(commands)
    _add_generate(commands)
    _add_derived(commands)
    _add_task_commands(commands)
    _add_convert(commands)
    _add_account_commands(commands)
    return parser


def _usage_error(parser: argparse.ArgumentParser, command: str | None, message: str) -> NoReturn:
    if command in PEOPLE_COMMANDS:
        parser.usage = _PEOPLE_USAGE
    parser.error(message)


def parse_command_line(argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line; ``emulator_arguments`` holds what follows ``emulator``.

    Raises:
        SystemExit: 0 after ``--help``, 2 after a usage error (explained on stderr).
    """
    parser = build_parser()
    # Known args only, so that the emulator's options reach the emulator's own parser.
    args, extras = parser.parse_known_args(argv)
    command: str | None = args.command
    if command == "emulator":
        args.emulator_arguments = extras
        return args
    if args.json and command not in PEOPLE_COMMANDS:
        extras = ["--json", *extras]
    if extras:
        _usage_error(parser, command, f"unrecognized arguments: {' '.join(extras)}")
    if command in ("generate", "texture", "split") and args.out is not None and not args.wait:
        _usage_error(parser, command, "--out needs --wait (without --wait nothing is downloaded)")
    return args
