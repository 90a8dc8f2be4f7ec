"""Per-call overhead of ``check_status`` over stdio, against a direct ``POST /status``.

Starts the emulator on 127.0.0.1 in this process with jobs slowed down (speed 0.01: a Regular
task takes about 2 hours), so the one task submitted stays ``waiting``/``generating`` and nothing
is downloaded. Then, in the same run, interleaved in batches (the order rotates every batch):

* ``check_status``: ``check_status(task_uuid, wait_seconds=0)`` through ``python -m rodin_mcp``
  over stdio (``mcp.Client``): JSON-RPC, our service, the ledger update and one upstream
  ``POST /status``;
* ``http``: ``POST /status`` for the same subscription key with ``httpx2`` on a keep-alive
  connection: the floor of any client of the same emulator;
* ``bare echo``: a trivial tool of ``bench/bare_server.py`` over stdio: the SDK's own round trip,
  to split the overhead between the SDK and our code.

Each protocol era is measured on its own server process: ``legacy`` (the 2025-11-25 handshake
that most hosts use) and ``auto`` (2026-07-28, the Python SDK's default). The headline figure is
the p50 overhead, check_status p50 - http p50 (goal: < 2 ms).

Usage::

    .venv/bin/python bench/bench_status_overhead.py                    # 400 calls each
    .venv/bin/python bench/bench_status_overhead.py --calls 300 --mode legacy
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import anyio
import httpx2
from mcp import Client
from mcp_session import connect_stdio, structured
from measure import cpu_seconds, percentile, summarize

from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, run_emulator_in_thread

BENCH_DIR = Path(__file__).resolve().parent
API_KEY = "bench-status-overhead-key"
EMULATOR_SPEED = 0.01
GOAL_MS = 2.0
WARMUP_CALLS = 30
TIME_LIMIT = 240.0
READ_TIMEOUT = 30.0
UNFINISHED = frozenset({"waiting", "generating"})

Mode = Literal["legacy", "auto"]
Call = Callable[[], Awaitable[None]]


@dataclass
class Subject:
    """One thing to time: a label and a coroutine function making one call."""

    name: str
    call: Call
    server_pid: int | None = None
    seconds: list[float] = field(default_factory=list[float])
    batch_medians: list[float] = field(default_factory=list[float])
    server_cpu: float = 0.0


async def servers_cpu(subjects: list[Subject]) -> dict[str, float]:
    """CPU seconds used so far by each subject's server process."""
    return {
        s.name: await anyio.to_thread.run_sync(cpu_seconds, s.server_pid)
        for s in subjects
        if s.server_pid is not None
    }


def server_env(emulator: RunningEmulator, scratch: Path) -> dict[str, str]:
    """rodin-mcp's environment: the emulator as Rodin, its own data and output folders."""
    return {
        "RODIN_API_KEY": API_KEY,
        "RODIN_BASE_URL": emulator.base_url,
        "RODIN_DATA_DIR": str(scratch / "data"),
        "RODIN_OUTPUT_DIR": str(scratch / "output"),
        "RODIN_CONFIRM_SPEND": "never",
    }


def status_call(client: Client, task_uuid: str) -> Call:
    async def call() -> None:
        result = structured(
            await client.call_tool("check_status", {"task_uuid": task_uuid, "wait_seconds": 0})
        )
        if result["state"] not in UNFINISHED:
            raise RuntimeError(f"the task is {result['state']}; the emulator runs too fast")

    return call


def echo_call(client: Client) -> Call:
    async def call() -> None:
        structured(await client.call_tool("echo", {"text": "ping"}))

    return call


def http_call(http: httpx2.AsyncClient, url: str, subscription_key: str) -> Call:
    async def call() -> None:
        response = await http.post(url, json={"subscription_key": subscription_key})
        response.raise_for_status()
        if not response.json().get("jobs"):
            raise RuntimeError(f"unexpected status answer: {response.text[:200]}")

    return call


async def time_batches(subjects: list[Subject], batches: int, batch_size: int) -> None:
    """``batches`` rounds of ``batch_size`` sequential calls per subject, order rotating."""
    for subject in subjects:
        for _ in range(WARMUP_CALLS):
            await subject.call()
    cpu_before = await servers_cpu(subjects)
    for index in range(batches):
        shift = index % len(subjects)
        for subject in subjects[shift:] + subjects[:shift]:
            batch: list[float] = []
            for _ in range(batch_size):
                started = time.perf_counter()
                await subject.call()
                batch.append(time.perf_counter() - started)
            subject.seconds += batch
            subject.batch_medians.append(statistics.median(batch))
    cpu_after = await servers_cpu(subjects)
    for subject in subjects:
        if subject.name in cpu_after:
            subject.server_cpu = cpu_after[subject.name] - cpu_before[subject.name]


def report(subjects: list[Subject], modes: Sequence[Mode]) -> None:
    by_name = {s.name: s for s in subjects}
    calls = len(subjects[0].seconds)
    print(f"\nper-call latency, {calls} calls each, interleaved in batches")
    print(f"{'subject':<28} {'p50 ms':>8} {'p90 ms':>8} {'mean ms':>8} {'server CPU ms/call':>19}")
    for s in subjects:
        cpu = f"{s.server_cpu / len(s.seconds) * 1000:>19.3f}" if s.server_pid else f"{'-':>19}"
        print(
            f"{s.name:<28} {statistics.median(s.seconds) * 1000:>8.3f} "
            f"{percentile(s.seconds, 0.9) * 1000:>8.3f} {statistics.fmean(s.seconds) * 1000:>8.3f}"
            f" {cpu}"
        )
    http = by_name["http POST /status"]
    http_p50 = statistics.median(http.seconds)
    for mode in modes:
        ours = by_name[f"check_status ({mode})"]
        bare = by_name[f"bare echo ({mode})"]
        overhead = (statistics.median(ours.seconds) - http_p50) * 1000
        paired = statistics.median(
            o - h for o, h in zip(ours.batch_medians, http.batch_medians, strict=True)
        )
        sdk = statistics.median(bare.seconds) * 1000
        verdict = "meets" if overhead < GOAL_MS else "MISSES"
        ratio = statistics.median(ours.seconds) / http_p50
        summarize(
            f"check_status overhead per call, {mode} era",
            f"p50 {statistics.median(ours.seconds) * 1000:.2f} ms (+{overhead:.2f} ms)",
            f"direct POST /status {http_p50 * 1000:.2f} ms",
            f"{ratio:.2f}x",
            f"< +{GOAL_MS:g} ms",
            overhead < GOAL_MS,
        )
        print(
            f"\n{mode}: p50 overhead of check_status over direct HTTP: {overhead:.3f} ms "
            f"({verdict} the < {GOAL_MS:g} ms goal); median of per-batch differences: "
            f"{paired * 1000:.3f} ms; ratio of p50s {ratio:.2f}x"
        )
        print(
            f"{mode}: of which the SDK's stdio round trip of a trivial tool (bare echo p50): "
            f"{sdk:.3f} ms; left for rodin-mcp's own code: {overhead - sdk:.3f} ms"
        )
        in_memory = by_name.get(f"check_status ({mode}, shm)")
        if in_memory is not None:
            saved = statistics.median(ours.seconds) - statistics.median(in_memory.seconds)
            print(
                f"{mode}: with the ledger in /dev/shm (fsync free) check_status p50 is "
                f"{saved * 1000:.3f} ms lower: p50 overhead "
                f"{(statistics.median(in_memory.seconds) - http_p50) * 1000:.3f} ms"
            )


def check_upstream(emulator: RunningEmulator, expected_status_calls: int) -> None:
    """Every check_status made exactly one upstream call, and nothing was downloaded."""
    counts: dict[str, int] = {}
    for record in emulator.requests:
        counts[record.endpoint] = counts.get(record.endpoint, 0) + 1
    print(f"\nemulator requests by endpoint: {dict(sorted(counts.items()))}")
    if counts.get("status", 0) != expected_status_calls:
        print(f"WARNING: expected {expected_status_calls} status requests")
    if counts.get("download", 0) or counts.get("asset", 0):
        print("WARNING: something was downloaded; the timings include it")


async def open_subjects(
    stack: AsyncExitStack,
    modes: Sequence[Mode],
    emulator: RunningEmulator,
    scratch: Path,
    shm: Path | None,
) -> list[Subject]:
    """Start the servers and the HTTP client; submit the task; one subject per thing timed."""
    http = await stack.enter_async_context(
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=READ_TIMEOUT)
    )

    async def connect(
        args: list[str], env: dict[str, str] | None, mode: Mode
    ) -> tuple[Client, int]:
        return await connect_stdio(stack, args, env, mode, READ_TIMEOUT)

    ours_env = server_env(emulator, scratch)
    subjects: list[Subject] = []
    task_uuid = subscription_key = ""
    for mode in modes:
        ours, ours_pid = await connect(["-m", "rodin_mcp"], ours_env, mode)
        bare, bare_pid = await connect([str(BENCH_DIR / "bare_server.py")], None, mode)
        if not task_uuid:
            made = structured(await ours.call_tool("generate_3d", {"prompt": "a benchmark crate"}))
            task_uuid, subscription_key = made["task_uuid"], made["subscription_key"]
        subjects.append(Subject(f"check_status ({mode})", status_call(ours, task_uuid), ours_pid))
        subjects.append(Subject(f"bare echo ({mode})", echo_call(bare), bare_pid))
    if shm is not None:
        # The same server with its ledger in memory: shows what the ledger's fsync costs.
        mode = modes[0]
        in_memory, in_memory_pid = await connect(
            ["-m", "rodin_mcp"], server_env(emulator, shm), mode
        )
        arguments = {"task_uuid": task_uuid, "subscription_key": subscription_key}
        structured(await in_memory.call_tool("check_status", arguments))  # records the task
        subjects.append(
            Subject(f"check_status ({mode}, shm)", status_call(in_memory, task_uuid), in_memory_pid)
        )
    subjects.insert(
        0,
        Subject(
            "http POST /status", http_call(http, emulator.base_url + "/status", subscription_key)
        ),
    )
    return subjects


async def run(
    args: argparse.Namespace, emulator: RunningEmulator, scratch: Path, shm: Path | None
) -> None:
    """Time every subject, then print the figures and check the upstream traffic."""
    modes: list[Mode] = ["legacy", "auto"] if args.mode == "both" else [args.mode]
    batches = math.ceil(args.calls / args.batch)
    async with AsyncExitStack() as stack:
        subjects = await open_subjects(stack, modes, emulator, scratch, shm)
        with anyio.fail_after(TIME_LIMIT):
            await time_batches(subjects, batches, args.batch)
    report(subjects, modes)
    per_subject = WARMUP_CALLS + batches * args.batch
    status_subjects = sum(1 for s in subjects if not s.name.startswith("bare"))
    check_upstream(emulator, per_subject * status_subjects + (1 if shm else 0))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=400, help="timed calls per subject (>= 300)")
    parser.add_argument("--batch", type=int, default=20, help="calls per batch")
    parser.add_argument("--mode", choices=["legacy", "auto", "both"], default="both")
    parser.add_argument(
        "--no-shm",
        action="store_true",
        help="skip the extra server whose ledger lives in /dev/shm (no fsync cost)",
    )
    args = parser.parse_args(argv)
    if args.calls < 1 or args.batch < 1:
        parser.error("--calls and --batch must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"bench_status_overhead: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, emulator speed {EMULATOR_SPEED}"
        f", load average {os.getloadavg()[0]:.1f}"
    )
    shm_root = None if args.no_shm or not Path("/dev/shm").is_dir() else "/dev/shm"
    config = EmulatorConfig(api_key=API_KEY, speed=EMULATOR_SPEED)
    with (
        tempfile.TemporaryDirectory(prefix="rodin-bench-status-") as scratch,
        tempfile.TemporaryDirectory(prefix="rodin-bench-status-", dir=shm_root) as shm,
        run_emulator_in_thread(config) as emulator,
    ):
        anyio.run(run, args, emulator, Path(scratch), Path(shm) if shm_root else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
