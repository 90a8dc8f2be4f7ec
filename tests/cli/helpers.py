"""Running `rodin-mcp` as a subprocess, the way people and scripts do."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

COMMAND = [sys.executable, "-m", "rodin_mcp"]
RUN_TIMEOUT = 60.0
# Variables that would let rich colour a pipe, or change the terminal it assumes.
_TERMINAL_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "COLUMNS")


def clean_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without RODIN_* or colour overrides, with folders in tmp_path."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith("RODIN_") and k not in _TERMINAL_OVERRIDES
    }
    env["RODIN_DATA_DIR"] = str(tmp_path / "data")
    env["RODIN_OUTPUT_DIR"] = str(tmp_path / "output")
    # Poll quickly: the emulators in these tests finish jobs in milliseconds.
    env["RODIN_POLL_INITIAL"] = "0.05"
    env["RODIN_POLL_MAX"] = "0.2"
    env.update(extra)
    return env


@dataclass(frozen=True)
class Run:
    """A finished command."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """stdout parsed as one JSON document (fails if anything else is there)."""
        return cast(dict[str, Any], json.loads(self.stdout))


def run_cli(args: Sequence[str], env: Mapping[str, str], *, cwd: Path | None = None) -> Run:
    """Run `rodin-mcp ARGS` to completion with pipes for stdin, stdout and stderr."""
    done = subprocess.run(
        [*COMMAND, *args],
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        encoding="utf-8",
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


class LineReader:
    """Reads a child's stream line by line on a thread, so a test can wait for a line."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        """The first line containing ``needle``; raises AssertionError if none comes in time."""
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line with {needle!r} within {timeout} s") from None
            if line is None:
                raise AssertionError(f"the stream ended without {needle!r}: {self.lines}")
            self.lines.append(line)
            if needle in line:
                return line

    def rest(self) -> str:
        """Everything read so far plus the remainder, once the stream has ended."""
        self._thread.join(RUN_TIMEOUT)
        while not self._queue.empty():
            line = self._queue.get()
            if line is not None:
                self.lines.append(line)
        return "".join(self.lines)
