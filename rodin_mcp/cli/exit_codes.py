"""The exit codes of the `rodin-mcp` command line (documented in docs/cli.md)."""

from __future__ import annotations

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TASK_FAILED",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_TASK_FAILED = 3
EXIT_TIMEOUT = 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
