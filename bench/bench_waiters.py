"""Many waiters: 100 tasks, each long-polled by several concurrent ``check_status`` callers.

One stdio server (``python -m rodin_mcp``) per poll configuration, each against its own emulator
on 127.0.0.1 in this process (speed 1: a Regular task takes 70 s). Per configuration, in the same
run and at the same time:

1. ``--tasks`` ``generate_3d`` calls with distinct prompts, all at once;
2. ``--callers`` concurrent ``check_status(task_uuid, wait_seconds=50)`` callers per task (300
   concurrent calls by default), each calling again until its task is done.

Configurations (the server shares one upstream poll loop per task among its waiters):

* ``default``: the default poll schedule (5 s, x1.5, capped at 30 s);
* ``no-backoff``: ``RODIN_POLL_INITIAL=5 RODIN_POLL_FACTOR=1``: a shared poll every 5 s.

Reported per configuration: upstream ``POST /status`` requests per task per minute of waiting
(from the emulator's request log), against the same-run ``no-backoff`` figure and the computed
figure of naive per-caller polling every 5 s without sharing (callers x 12/min); how late the
callers saw each task done; the peak RSS (``VmHWM``) of the server process, beside that of the
bare server (``bench/bare_server.py``) after one call; and the wall time.

Usage::

    .venv/bin/python bench/bench_waiters.py                 # 100 tasks x 3 callers, ~2 min
    .venv/bin/python bench/bench_waiters.py --tasks 10 --speed 7   # a quick smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import anyio
import anyio.to_thread
from mcp import Client
from mcp_session import connect_stdio, structured
from measure import cpu_seconds, peak_rss_kib, summarize

from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, run_emulator_in_thread
from rodin_mcp.emulator.jobs import TIER_SECONDS

BENCH_DIR = Path(__file__).resolve().parent
API_KEY = "bench-waiters-key"
WAIT_SECONDS = 50.0
NAIVE_INTERVAL = 5.0
READ_TIMEOUT = WAIT_SECONDS + 40.0
TIME_LIMIT = 280.0
FINAL_STATES = frozenset({"done", "failed"})
KIB_PER_MIB = 1024

Mode = Literal["legacy", "auto"]


@dataclass(frozen=True)
class PollConfig:
    """A poll schedule to run the server with: a label and its RODIN_POLL_* variables."""

    name: str
    env: dict[str, str]


CONFIGS = (
    PollConfig("default", {}),
    PollConfig("no-backoff", {"RODIN_POLL_INITIAL": "5", "RODIN_POLL_FACTOR": "1"}),
)


@dataclass
class TaskRun:
    """One submitted task, as the callers saw it."""

    task_uuid: str
    subscription_key: str
    done_at: float | None = None
    state: str | None = None
    calls: int = 0


@dataclass
class ConfigRun:
    """One configuration's server, emulator and results."""

    config: PollConfig
    emulator: RunningEmulator
    client: Client
    pid: int
    tasks: list[TaskRun] = field(default_factory=list[TaskRun])
    started: float = 0.0
    waiting_from: float = 0.0
    finished: float = 0.0
    peak_rss_kib: int = 0
    cpu_seconds: float = 0.0


async def connect(
    stack: AsyncExitStack, args: list[str], env: dict[str, str] | None, mode: Mode
) -> tuple[Client, int]:
    """Start a stdio server and connect; return the client and the server's pid."""
    return await connect_stdio(stack, args, env, mode, READ_TIMEOUT)


async def submit_all(run: ConfigRun, count: int) -> None:
    """Submit ``count`` distinct generations at once."""

    async def submit(index: int) -> None:
        prompt = f"benchmark object number {index}: a small carved wooden figure"
        made = structured(await run.client.call_tool("generate_3d", {"prompt": prompt}))
        run.tasks.append(TaskRun(made["task_uuid"], made["subscription_key"]))

    async with anyio.create_task_group() as group:
        for index in range(count):
            group.start_soon(submit, index)


async def wait_all(run: ConfigRun, callers: int) -> None:
    """``callers`` concurrent long-polling callers per task, until every task is done."""

    async def caller(task: TaskRun) -> None:
        arguments = {"task_uuid": task.task_uuid, "wait_seconds": WAIT_SECONDS}
        while True:
            result = structured(await run.client.call_tool("check_status", arguments))
            task.calls += 1
            if result["state"] in FINAL_STATES:
                if task.done_at is None:
                    task.done_at, task.state = time.time(), result["state"]
                return

    async with anyio.create_task_group() as group:
        for task in run.tasks:
            for _ in range(callers):
                group.start_soon(caller, task)


async def drive(run: ConfigRun, tasks: int, callers: int) -> None:
    run.started = time.time()
    await submit_all(run, tasks)
    run.waiting_from = time.time()
    await wait_all(run, callers)
    run.finished = time.time()
    run.peak_rss_kib = await anyio.to_thread.run_sync(peak_rss_kib, run.pid)
    run.cpu_seconds = await anyio.to_thread.run_sync(cpu_seconds, run.pid)


@dataclass(frozen=True)
class Figures:
    """What one configuration measured."""

    status_requests: int
    per_task_minute: float
    median_polls: float
    median_calls: float
    median_lag: float
    p90_lag: float
    max_lag: float
    states: Counter[str]


def figures(run: ConfigRun, speed: float) -> Figures:
    """Upstream traffic per task and minute of waiting, and how late 'done' was seen."""
    polls: Counter[str] = Counter()
    for record in run.emulator.requests:
        if record.endpoint == "status":
            polls[record.fields.get("subscription_key", [""])[0]] += 1
    views = {view.uuid: view for view in run.emulator.tasks}
    minutes = 0.0
    lags: list[float] = []
    for task in run.tasks:
        assert task.done_at is not None
        minutes += (task.done_at - run.waiting_from) / 60
        view = views[task.task_uuid]
        assert view.tier is not None  # the bench only generates
        lags.append(task.done_at - (view.created_at + TIER_SECONDS[view.tier] / speed))
    lags.sort()
    return Figures(
        status_requests=sum(polls.values()),
        per_task_minute=sum(polls.values()) / minutes,
        median_polls=statistics.median(polls[t.subscription_key] for t in run.tasks),
        median_calls=statistics.median(t.calls for t in run.tasks),
        median_lag=statistics.median(lags),
        p90_lag=lags[min(len(lags) - 1, int(0.9 * len(lags)))],
        max_lag=lags[-1],
        states=Counter(t.state or "?" for t in run.tasks),
    )


def report(runs: list[ConfigRun], callers: int, speed: float, bare_rss_kib: int) -> None:
    tasks = len(runs[0].tasks)
    print(
        f"\n{tasks} tasks x {callers} callers (check_status wait_seconds={WAIT_SECONDS:g}), "
        f"emulator speed {speed:g} (Regular task {TIER_SECONDS['Regular'] / speed:.0f} s)"
    )
    header = (
        f"{'config':<11} {'status req':>10} {'/task/min':>9} {'polls/task':>10} "
        f"{'calls/task':>10} {'lag p50/p90/max s':>17} {'submit s':>8} {'wall s':>7}"
        f" {'peak RSS MiB':>12} {'server CPU s':>12}"
    )
    print(header)
    measured: dict[str, Figures] = {}
    for run in runs:
        f = figures(run, speed)
        measured[run.config.name] = f
        print(
            f"{run.config.name:<11} {f.status_requests:>10} {f.per_task_minute:>9.2f} "
            f"{f.median_polls:>10.1f} {f.median_calls:>10.1f} "
            f"{f'{f.median_lag:.1f}/{f.p90_lag:.1f}/{f.max_lag:.1f}':>17} "
            f"{run.waiting_from - run.started:>8.1f} {run.finished - run.started:>7.1f} "
            f"{run.peak_rss_kib / KIB_PER_MIB:>12.1f} {run.cpu_seconds:>12.1f}"
        )
        if set(f.states) != {"done"}:
            print(f"  task end states: {dict(f.states)}")
    for run in runs:
        last = max(run.tasks, key=lambda t: t.done_at or 0.0)
        for label, task in (
            ("a typical task", run.tasks[len(run.tasks) // 2]),
            ("the last task done", last),
        ):
            times = [
                round(r.time - run.waiting_from, 1)
                for r in run.emulator.requests
                if r.endpoint == "status"
                and r.fields.get("subscription_key") == [task.subscription_key]
            ]
            print(f"{run.config.name}: polls of {label}, s after the waiters started: {times}")
    naive = callers * 60 / NAIVE_INTERVAL
    ours = measured["default"].per_task_minute
    shared = measured["no-backoff"].per_task_minute
    summarize(
        f"{callers} concurrent waiters per task: upstream polls per task per minute",
        f"{ours:.1f}",
        f"naive per-caller {NAIVE_INTERVAL:g} s polling {naive:g}; shared {shared:.1f}",
        f"{ours / naive:.2f}x",
        "one poll loop per task (< 1/callers of naive)",
        ours < naive / callers,
    )
    print(
        f"\nupstream status requests per task per minute: default {ours:.2f}; same-run "
        f"no-backoff (shared, every {NAIVE_INTERVAL:g} s) {shared:.2f} ({ours / shared:.2f}x); "
        f"naive per-caller polling every {NAIVE_INTERVAL:g} s without sharing, computed: "
        f"{callers} x {60 / NAIVE_INTERVAL:g} = {naive:g} ({ours / naive:.3f}x, "
        f"{naive / ours:.1f} times fewer)"
    )
    print(
        f"peak RSS: bare server after one call {bare_rss_kib / KIB_PER_MIB:.1f} MiB; "
        + "; ".join(
            f"rodin-mcp {r.config.name} {r.peak_rss_kib / KIB_PER_MIB:.1f} MiB "
            f"({r.peak_rss_kib / bare_rss_kib:.2f}x)"
            for r in runs
        )
    )


async def run_all(
    args: argparse.Namespace, emulators: list[RunningEmulator], scratch: Path
) -> tuple[list[ConfigRun], int]:
    async with AsyncExitStack() as stack:
        bare, bare_pid = await connect(stack, [str(BENCH_DIR / "bare_server.py")], None, args.mode)
        structured(await bare.call_tool("echo", {"text": "ping"}))
        bare_rss = await anyio.to_thread.run_sync(peak_rss_kib, bare_pid)
        runs: list[ConfigRun] = []
        for config, emulator in zip(CONFIGS, emulators, strict=True):
            env = {
                "RODIN_API_KEY": API_KEY,
                "RODIN_BASE_URL": emulator.base_url,
                "RODIN_DATA_DIR": str(scratch / config.name / "data"),
                "RODIN_OUTPUT_DIR": str(scratch / config.name / "output"),
                "RODIN_CONFIRM_SPEND": "never",
                "RODIN_MAX_CREDITS": "100000",
                **config.env,
            }
            client, pid = await connect(stack, ["-m", "rodin_mcp"], env, args.mode)
            runs.append(ConfigRun(config, emulator, client, pid))
        with anyio.fail_after(TIME_LIMIT):
            async with anyio.create_task_group() as group:
                for run in runs:
                    group.start_soon(drive, run, args.tasks, args.callers)
        return runs, bare_rss


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=100, help="tasks per configuration")
    parser.add_argument("--callers", type=int, default=3, help="concurrent waiters per task")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="emulator speed (1: a Regular task takes 70 s)"
    )
    parser.add_argument("--mode", choices=["legacy", "auto"], default="legacy")
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.callers < 1 or args.speed <= 0:
        parser.error("--tasks and --callers must be >= 1, --speed > 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"bench_waiters: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, mode {args.mode}"
        f", load average {os.getloadavg()[0]:.1f}"
    )
    config = EmulatorConfig(
        api_key=API_KEY,
        speed=args.speed,
        parallelism_limit=args.tasks + 10,
        starting_balance=float(args.tasks * 10),
    )
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rodin-bench-")))
        emulators = [stack.enter_context(run_emulator_in_thread(config)) for _ in CONFIGS]
        started = time.perf_counter()
        runs, bare_rss = anyio.run(run_all, args, emulators, scratch)
        report(runs, args.callers, args.speed, bare_rss)
        print(f"total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
