"""Entry point of the `rodin-mcp` console script.

Sub-commands are looked up lazily so that starting the stdio server imports nothing it does not
need.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `rodin-mcp` command line and return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "emulator":
        from rodin_mcp.emulator.command import main as emulator_main

        return emulator_main(args[1:])
    sys.stderr.write("usage: rodin-mcp emulator [options]\n")
    return 2
