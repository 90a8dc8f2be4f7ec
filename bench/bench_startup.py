"""Cold-start benchmark: spawn to the first ``initialize`` answer on stdio, against a bare server.

Each sample spawns a fresh process, writes one ``initialize`` JSON-RPC request on its stdin and
stops the clock when the answer line arrives on its stdout, which is what an MCP host waits for
before it can list tools. Subjects, interleaved in every round (the order alternates):

* ``rodin-mcp``: ``python -m rodin_mcp`` with no key and default settings, except that
  ``RODIN_DATA_DIR`` points at a temporary folder;
* ``bare``: ``python bench/bare_server.py``, a bare ``MCPServer`` with one tool: the floor of any
  server built on the same SDK;
* ``python``: an interpreter that echoes the line back: the floor of any Python process.

Both servers get only the environment the MCP SDK passes to stdio servers (HOME, PATH, ...).
The headline figure is the ratio of the medians, rodin-mcp / bare (goal <= 1.2x). With
``--importtime`` the script also runs each server once under ``python -X importtime`` and lists
the modules rodin-mcp imports beyond the bare server, to show where the extra time goes.

Usage::

    .venv/bin/python bench/bench_startup.py                 # 25 rounds
    .venv/bin/python bench/bench_startup.py --rounds 30 --importtime
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from measure import percentile, summarize

BENCH_DIR = Path(__file__).resolve().parent
ANSWER_TIMEOUT = 30.0
EXIT_TIMEOUT = 10.0
GOAL_RATIO = 1.2
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "bench-startup", "version": "0"},
    },
}
ECHO_LINE = "import sys; sys.stdout.write(sys.stdin.readline()); sys.stdout.flush()"


@dataclass(frozen=True)
class Subject:
    """A process to start: its label, its command line and its environment."""

    name: str
    argv: list[str]
    env: dict[str, str]


def subjects(data_dir: Path) -> list[Subject]:
    """rodin-mcp, the bare server and the interpreter floor, as an MCP host would start them."""
    # Imported here so that a --phases-child process starts with nothing of mcp loaded.
    from mcp.client.stdio import get_default_environment

    host_env = get_default_environment()
    return [
        Subject(
            "rodin-mcp",
            [sys.executable, "-m", "rodin_mcp"],
            {**host_env, "RODIN_DATA_DIR": str(data_dir)},
        ),
        Subject("bare", [sys.executable, str(BENCH_DIR / "bare_server.py")], dict(host_env)),
        Subject("python", [sys.executable, "-c", ECHO_LINE], dict(host_env)),
    ]


def read_answer_line(process: subprocess.Popen[bytes], deadline: float) -> bytes:
    """The first complete line on the child's stdout, read without blocking past ``deadline``."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    buffer = b""
    while b"\n" not in buffer:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError("no answer line in time")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"stdout closed before an answer (exit {process.poll()})")
            buffer += chunk
    return buffer.split(b"\n", 1)[0]


def stop(process: subprocess.Popen[bytes]) -> float:
    """Close the child's stdin (a stdio server's signal to exit), reap it, return its CPU time.

    The CPU seconds (user + system, from ``wait4``) hardly depend on how busy the machine is,
    unlike the wall time; they include the child's exit after end of input.
    """
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()
    deadline = time.monotonic() + EXIT_TIMEOUT
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.002)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Sample:
    """One cold start: wall seconds to the answer, and the child's CPU seconds in all."""

    wall: float
    cpu: float


def cold_start(subject: Subject, cwd: Path) -> Sample:
    """Spawn ``subject``, time its answer to ``initialize``, then let it exit."""
    request = (json.dumps(INITIALIZE) + "\n").encode()
    started = time.perf_counter()
    process = subprocess.Popen(
        subject.argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=subject.env,
        cwd=cwd,
    )
    try:
        assert process.stdin is not None
        process.stdin.write(request)
        process.stdin.flush()
        line = read_answer_line(process, started + ANSWER_TIMEOUT)
        elapsed = time.perf_counter() - started
    finally:
        cpu = stop(process)
    answer = json.loads(line)
    if subject.name != "python" and (answer.get("id") != 1 or "result" not in answer):
        raise RuntimeError(f"{subject.name} answered initialize with {line[:200]!r}")
    return Sample(elapsed, cpu)


def run_rounds(items: list[Subject], rounds: int, cwd: Path) -> dict[str, list[Sample]]:
    """``rounds`` samples of every subject; the order within a round alternates."""
    for subject in items:  # warm the page cache and .pyc files; not counted
        cold_start(subject, cwd)
    samples: dict[str, list[Sample]] = {s.name: [] for s in items}
    for round_index in range(rounds):
        order = items if round_index % 2 == 0 else list(reversed(items))
        for subject in order:
            samples[subject.name].append(cold_start(subject, cwd))
    return samples


def report_timings(samples: dict[str, list[Sample]]) -> None:
    rounds = len(samples["rodin-mcp"])
    print(f"\ncold start to the initialize answer, {rounds} rounds each, interleaved")
    print(
        f"{'subject':<10} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'max ms':>8}"
        f" {'CPU median ms':>14}"
    )
    for name, runs in samples.items():
        wall = [r.wall for r in runs]
        print(
            f"{name:<10} {statistics.median(wall) * 1000:>10.1f} "
            f"{percentile(wall, 0.9) * 1000:>8.1f} {min(wall) * 1000:>8.1f} "
            f"{max(wall) * 1000:>8.1f} {statistics.median(r.cpu for r in runs) * 1000:>14.1f}"
        )
    ours, bare, floor = (
        statistics.median(r.wall for r in samples[n]) for n in ("rodin-mcp", "bare", "python")
    )
    paired = statistics.median(
        o.wall / b.wall for o, b in zip(samples["rodin-mcp"], samples["bare"], strict=True)
    )
    ratio = ours / bare
    verdict = "meets" if ratio <= GOAL_RATIO else "MISSES"
    summarize(
        "cold start to the first initialize answer (stdio)",
        f"{ours * 1000:.0f} ms",
        f"bare MCPServer {bare * 1000:.0f} ms",
        f"{ratio:.2f}x",
        f"<= {GOAL_RATIO}x",
        ratio <= GOAL_RATIO,
    )
    print(
        f"\nratio of medians rodin-mcp/bare: {ratio:.2f}x ({verdict} the <= {GOAL_RATIO}x goal); "
        f"median of per-round ratios: {paired:.2f}x; rodin-mcp - bare = {(ours - bare) * 1000:.1f}"
        " ms"
    )
    cpu_ours, cpu_bare = (
        statistics.median(r.cpu for r in samples[n]) for n in ("rodin-mcp", "bare")
    )
    print(
        f"CPU time (start, answer, exit; hardly load-dependent): rodin-mcp/bare "
        f"{cpu_ours / cpu_bare:.2f}x, rodin-mcp - bare = {(cpu_ours - cpu_bare) * 1000:.1f} ms"
    )
    print(
        f"above the bare interpreter ({floor * 1000:.1f} ms): rodin-mcp "
        f"+{(ours - floor) * 1000:.1f} ms, bare +{(bare - floor) * 1000:.1f} ms"
    )


# Import-time analysis.


@dataclass(frozen=True)
class ImportRow:
    """One line of ``-X importtime``: a module and its self and cumulative microseconds."""

    module: str
    self_us: int
    cumulative_us: int


def import_rows(subject: Subject, cwd: Path) -> list[ImportRow]:
    """Run ``subject`` once under ``-X importtime`` (up to its initialize answer) and parse it."""
    argv = [subject.argv[0], "-X", "importtime", *subject.argv[1:]]
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=subject.env,
            cwd=cwd,
        )
        try:
            assert process.stdin is not None
            process.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
            process.stdin.flush()
            read_answer_line(process, time.perf_counter() + ANSWER_TIMEOUT)
        finally:
            stop(process)
        stderr.seek(0)
        text = stderr.read().decode(errors="replace")
    rows: list[ImportRow] = []
    for line in text.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, cumulative_us, module = line.removeprefix("import time:").split("|", 2)
        rows.append(ImportRow(module.strip(), int(self_us), int(cumulative_us)))
    return rows


def report_imports(items: list[Subject], cwd: Path, top: int) -> None:
    ours = import_rows(items[0], cwd)
    bare = import_rows(items[1], cwd)
    bare_modules = {r.module for r in bare}
    extra = [r for r in ours if r.module not in bare_modules]
    total = sum(r.self_us for r in ours) / 1000
    base = sum(r.self_us for r in bare) / 1000
    print(
        f"\n-X importtime (one run each; importtime inflates times): rodin-mcp imports "
        f"{len(ours)} modules ({total:.0f} ms self time), bare {len(bare)} ({base:.0f} ms); "
        f"{len(extra)} extra modules, {sum(r.self_us for r in extra) / 1000:.0f} ms"
    )
    by_package: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for row in extra:
        package = row.module.split(".", 1)[0]
        by_package[package] += row.self_us
        counts[package] += 1
    print("extra modules by top-level package (self time):")
    for package, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {package:<28} {us / 1000:>7.1f} ms  ({counts[package]} modules)")
    ours_first = [r for r in ours if r.module.startswith("rodin_mcp")]
    print("rodin_mcp modules by cumulative import time (includes what they pull in):")
    for row in sorted(ours_first, key=lambda r: -r.cumulative_us)[:top]:
        print(f"  {row.module:<40} {row.cumulative_us / 1000:>7.1f} ms")


# Start-up phases, timed inside a child process.

PHASES_CHILD = "--phases-child"


def time_phases(kind: str) -> dict[str, float]:
    """Seconds spent in each start-up phase of ``kind`` ("bare" or "rodin-mcp"), this process."""
    phases: dict[str, float] = {}
    last = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        phases[name] = now - last
        last = now

    import anyio

    importlib.import_module("mcp.server")
    mark("import mcp.server (shared)")

    async def nothing() -> None:
        pass

    anyio.run(nothing)  # the first run imports anyio's asyncio backend; mcp.run() pays it too
    mark("first anyio.run() (shared)")
    if kind == "bare":
        sys.path.insert(0, str(BENCH_DIR))
        importlib.import_module("bare_server")
        mark("MCPServer + 1 tool")
        return phases
    importlib.import_module("rodin_mcp.cli.main")
    importlib.import_module("rodin_mcp.server.transports")
    from rodin_mcp.api.client import create_http_client
    from rodin_mcp.ledger import open_sqlite_ledger
    from rodin_mcp.server.app import build_server
    from rodin_mcp.service import LEDGER_FILE, open_service
    from rodin_mcp.settings import Settings

    mark("import rodin_mcp (server path)")
    settings = Settings()
    mark("Settings()")
    build_server(settings)
    mark("build_server()")

    modules_before = len(sys.modules)

    async def open_and_close() -> None:
        async with open_service(settings):
            mark("open_service() (the lifespan)")

    anyio.run(open_and_close)
    phases[f"  modules it imported: {len(sys.modules) - modules_before}"] = 0.0
    # Again, now that every module is loaded: what the work itself costs.
    last = time.perf_counter()

    async def open_ledger_again() -> None:
        async with await open_sqlite_ledger(settings.data_dir / LEDGER_FILE):
            mark("  again: Ledger open")

    anyio.run(open_ledger_again)
    create_http_client(settings)
    mark("  again: create_http_client()")
    return phases


def run_phase_children(items: list[Subject], repeats: int, cwd: Path) -> None:
    """Time the phases of both servers in ``repeats`` fresh children each; print medians."""
    results: dict[str, dict[str, list[float]]] = {"rodin-mcp": {}, "bare": {}}
    by_name = {s.name: s for s in items}
    for index in range(repeats):
        order = ["rodin-mcp", "bare"] if index % 2 == 0 else ["bare", "rodin-mcp"]
        for name in order:
            completed = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), PHASES_CHILD, name],
                capture_output=True,
                env=by_name[name].env,
                cwd=cwd,
                timeout=ANSWER_TIMEOUT,
                check=True,
            )
            for phase, seconds in json.loads(completed.stdout).items():
                results[name].setdefault(phase, []).append(seconds)
    print(f"\nstart-up phases inside the process, median of {repeats} fresh children each:")
    for name, phases in results.items():
        for phase, values in phases.items():
            if phase.startswith("  modules"):
                print(f"  {name:<10} {phase}")
            else:
                print(f"  {name:<10} {phase:<34} {statistics.median(values) * 1000:>7.1f} ms")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=25, help="samples per subject (>= 15)")
    parser.add_argument(
        "--importtime", action="store_true", help="also compare -X importtime of both servers"
    )
    parser.add_argument("--top", type=int, default=12, help="rows in the import lists")
    parser.add_argument(
        "--phases",
        type=int,
        default=0,
        metavar="N",
        help="also time the start-up phases in N fresh children of each server",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == [PHASES_CHILD]:
        print(json.dumps(time_phases(arguments[1])))
        return 0
    args = parse_args(arguments)
    if args.rounds < 1:
        raise SystemExit("--rounds must be >= 1")
    print(
        f"bench_startup: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}"
        f", {os.cpu_count()} CPUs, {platform.machine()}, load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="rodin-bench-startup-") as scratch:
        root = Path(scratch)
        items = subjects(root / "data")
        samples = run_rounds(items, args.rounds, root)
        report_timings(samples)
        if args.importtime:
            report_imports(items, root, args.top)
        if args.phases:
            run_phase_children(items, args.phases, root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
