"""Progress while a command waits on a task or downloads its files.

On a terminal (stderr), a live display: a spinner, the task state, a bar of finished jobs, the
time since submission, and one row per job. Off a terminal, one plain line per change of state.
With ``--json``, nothing.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING

from rodin_mcp.cli.formatting import format_duration
from rodin_mcp.cli.output import Output
from rodin_mcp.service import StatusResult

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.live import Live
    from rich.progress import Progress, TaskID
    from rich.spinner import Spinner

__all__ = ["JOB_STYLES", "STATE_STYLES", "DownloadDisplay", "WaitDisplay", "job_label"]

JOB_STYLES = {"Done": "green", "Failed": "bold red", "Generating": "yellow", "Waiting": "cyan"}
STATE_STYLES = {"done": "green", "failed": "bold red", "generating": "yellow", "waiting": "cyan"}


def job_label(index: int, uuid: str) -> str:
    """How a job is named on screen: its position and the start of its id."""
    return f"job {index + 1} ({uuid[:8]})"


class WaitDisplay:
    """Shows a task's progress while the command waits; use as a context manager."""

    def __init__(self, output: Output, task_uuid: str) -> None:
        self._output = output
        self._task_uuid = task_uuid
        self._status: StatusResult | None = None
        self._received = time.monotonic()
        self._started = time.monotonic()
        self._last_line: tuple[str, tuple[str, ...]] | None = None
        self._live: Live | None = None
        self._spinner: Spinner | None = None

    def __enter__(self) -> WaitDisplay:
        if self._output.live:
            from rich.live import Live
            from rich.spinner import Spinner

            self._spinner = Spinner("dots", style="cyan")
            self._live = Live(
                get_renderable=self._render,
                console=self._output.err,
                refresh_per_second=8,
                transient=False,
            )
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

    async def update(self, status: StatusResult) -> None:
        """Take a fresh status (the service calls this after every poll)."""
        self._status = status
        self._received = time.monotonic()
        if self._live is not None:
            self._live.refresh()
        elif self._output.chatty:
            self._print_change(status)

    def _elapsed(self) -> float:
        if self._status is None:
            return time.monotonic() - self._started
        return self._status.elapsed_seconds + (time.monotonic() - self._received)

    def _print_change(self, status: StatusResult) -> None:
        key = (status.state, tuple(j.status for j in status.jobs))
        if key == self._last_line:
            return
        self._last_line = key
        jobs = ", ".join(f"{job_label(i, j.uuid)} {j.status}" for i, j in enumerate(status.jobs))
        self._output.note(f"[{format_duration(status.elapsed_seconds)}] {status.state}: {jobs}")

    def _render(self) -> RenderableType:
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        status = self._status
        grid = Table.grid(padding=(0, 1))
        state = status.state if status else "submitted"
        jobs = status.jobs if status else []
        done = sum(1 for j in jobs if j.status == "Done")
        final = state in ("done", "failed")
        grid.add_row(
            Text(" ") if final or self._spinner is None else self._spinner,
            Text(f"Task {self._task_uuid[:8]}", style="bold"),
            Text(state, style=STATE_STYLES.get(state, "")),
            ProgressBar(total=max(len(jobs), 1), completed=done, width=24),
            Text(f"{done}/{len(jobs)} jobs" if jobs else "", style="dim"),
            Text(format_duration(self._elapsed()), style="bold"),
        )
        for i, job in enumerate(jobs):
            grid.add_row(
                "",
                Text(job_label(i, job.uuid), style="dim"),
                Text(job.status, style=JOB_STYLES.get(job.status, "")),
            )
        return grid


class DownloadDisplay:
    """A progress bar per file while a task's files stream in (off a terminal, a line as each
    file starts); the downloader calls it."""

    def __init__(self, output: Output) -> None:
        self._output = output
        self._progress: Progress | None = None
        self._bars: dict[str, TaskID] = {}
        self._started: set[str] = set()

    def __enter__(self) -> DownloadDisplay:
        if self._output.live:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TransferSpeedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeElapsedColumn(),
                console=self._output.err,
            )
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __call__(self, name: str, so_far: int, total: int | None) -> None:
        if self._progress is None:
            if name not in self._started:  # off a terminal: one line as each file starts
                self._started.add(name)
                size = "" if total is None else f" ({total:,} bytes)"
                self._output.note(f"downloading {name}{size}")
            return
        bar = self._bars.get(name)
        if bar is None:
            bar = self._bars[name] = self._progress.add_task(name, total=total)
        self._progress.update(bar, completed=so_far, total=total)
