"""Child processes that start their work at the same moment (for the ledger's concurrency tests).

Each child prints ``ready`` once set up, then waits for a line on stdin; the test releases them
all together once every one of them is ready.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start_together(arguments: Sequence[Sequence[str]]) -> list[subprocess.Popen[str]]:
    """Run ``python ARGS`` for each argument list, and release them once all are ready."""
    processes = [
        subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for args in arguments
    ]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    return processes
