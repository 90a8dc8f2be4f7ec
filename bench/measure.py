"""Helpers the benchmarks share: process statistics from /proc, percentiles, the summary.

Standard library only, so a benchmark's measured child that imports it pays for nothing else
(the MCP helpers are in ``mcp_session``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "SUMMARY_ENV",
    "child_pids",
    "cpu_seconds",
    "peak_rss_kib",
    "percentile",
    "summarize",
]

SUMMARY_ENV = "RODIN_BENCH_SUMMARY"
"""When set, each benchmark appends its headline figures to this file (JSON lines) for
``bench/run``."""


def summarize(what: str, ours: str, baseline: str, ratio: str, goal: str, met: bool) -> None:
    """Record one headline figure for ``bench/run``'s table (nothing when run alone)."""
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return
    row = {"what": what, "ours": ours, "baseline": baseline, "ratio": ratio, "goal": goal}
    row["met"] = "yes" if met else "no"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")


def child_pids() -> set[int]:
    """The processes whose parent is this process (from ``/proc``)."""
    me = os.getpid()
    children: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command name, which is in parentheses: state, ppid, ...
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            children.add(int(entry.name))
    return children


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_kib(pid: int | str = "self") -> int:
    """A process's peak resident set size (``VmHWM``) in KiB, or 0 if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    rank = min(max(1, math.ceil(fraction * len(ordered))), len(ordered))
    return ordered[rank - 1]
