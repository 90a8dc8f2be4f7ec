"""Where the command line writes: results to stdout, progress and messages to stderr.

With ``--json`` stdout carries exactly one JSON document and nothing else; progress is
suppressed and only errors and hints reach stderr. Progress bars and colours appear only on a
terminal. rich is imported on first use, never by the stdio server's start-up.

Both streams write UTF-8 (:func:`write_utf8`), whatever the console's code page or the locale:
Python writes to a pipe or a file in the locale's encoding (cp1252 and the like on Windows, PEP
540), which cannot hold most of what a prompt may say, and JSON read by another program must be
UTF-8 (RFC 8259, section 8.1). A string that is not valid Unicode (a file name's undecodable
bytes) is written as its ``\\udcxx`` escape, which is also valid inside a JSON string.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

__all__ = ["Output", "write_utf8"]

_PIPE_WIDTH = 200  # rich wraps at 80 columns off a terminal; results should not wrap in a pipe


def write_utf8() -> None:
    """Make stdout and stderr write UTF-8 from now on (a no-op for streams that cannot change)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="backslashreplace")


def _console(stream: Any) -> Console:
    from rich.console import Console

    terminal = bool(getattr(stream, "isatty", lambda: False)())
    return Console(
        file=stream,
        highlight=False,
        width=None if terminal else _PIPE_WIDTH,
        force_jupyter=False,
    )


class Output:
    """The command's two channels, aware of ``--json`` and of whether they are terminals."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        self._out: Console | None = None
        self._err: Console | None = None

    @property
    def out(self) -> Console:
        """The results channel (stdout) as a rich console."""
        if self._out is None:
            self._out = _console(sys.stdout)
        return self._out

    @property
    def err(self) -> Console:
        """The messages channel (stderr) as a rich console."""
        if self._err is None:
            self._err = _console(sys.stderr)
        return self._err

    @property
    def live(self) -> bool:
        """Whether to draw live progress: a person is watching stderr and --json is off."""
        return not self.json_mode and sys.stderr.isatty()

    @property
    def chatty(self) -> bool:
        """Whether to write progress lines and notes (off with --json)."""
        return not self.json_mode

    def json(self, document: Any) -> None:
        """Write the one JSON document of this command to stdout."""
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def show(self, renderable: RenderableType = "", *, style: str | None = None) -> None:
        """Print a result to stdout (human mode only)."""
        if not self.json_mode:
            self.out.print(renderable, style=style, soft_wrap=isinstance(renderable, str))

    def table(self, renderable: RenderableType) -> None:
        """Print a table to stdout; off a terminal, without the padding at line ends."""
        if self.json_mode:
            return
        if self.out.is_terminal:
            self.out.print(renderable)
            return
        with self.out.capture() as captured:
            self.out.print(renderable)
        lines = captured.get().splitlines()
        self.out.file.write("".join(line.rstrip() + "\n" for line in lines))

    def text(self, line: str, *, style: str | None = None) -> None:
        """Print a line of plain text (no markup) to stdout (human mode only)."""
        if not self.json_mode:
            self.out.print(line, style=style, markup=False, soft_wrap=True)

    def note(self, line: str, *, style: str | None = "dim") -> None:
        """A progress line or remark on stderr (human mode only)."""
        if self.chatty:
            self.err.print(line, style=style, markup=False, soft_wrap=True)

    def hint(self, line: str) -> None:
        """Advice on what to do next, on stderr, even with --json."""
        self.err.print(line, markup=False, soft_wrap=True)

    def error(self, message: str) -> None:
        """The error line, ``error: <curated message>``, on stderr."""
        self.err.print(f"error: {message}", style="bold red", markup=False, soft_wrap=True)
