"""The fault soak: many tasks through several real server processes sharing one data folder.

Against the emulator with a random fault plan on every endpoint, while random servers are killed
with SIGKILL and restarted, each job fires its generation from one to three servers at once, then
follows it and downloads its files. At the end the emulator's request log, the ledger, the output
folder, the logs and every tool result are checked against the promises of docs/reliability.md.

Short form (CI): ``tests/soak/test_soak.py``. Long form::

    python -m tests.soak.soak --tasks 2000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import httpx2

from rodin_mcp.downloads.temp_files import is_temp_name, sweep_task_folders
from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, run_emulator_in_thread
from rodin_mcp.ledger import open_sqlite_ledger
from rodin_mcp.records import TaskRecord
from rodin_mcp.service.previews import CONTACT_SHEET_NAME
from rodin_mcp.service.viewer_copies import VIEWER_COPY_PREFIX
from tests.soak.stdio_server import ServerGone, StdioServer, ToolAnswer

__all__ = ["FAULT_PLAN", "SoakConfig", "SoakReport", "run_soak"]

SOAK_KEY = "SoAkKey0rodinMcpSoakTest0123456789abcdefghijKLMNOPQRSTuvwxyz0123"
REPO = Path(__file__).resolve().parents[2]

FAULT_PLAN = ";".join(
    [
        "rodin=429:p=0.04:retry_after=0.05",
        "rodin=503:p=0.03",
        "rodin=drop:accept:p=0.02",
        "rodin=drop:reject:p=0.01",
        "rodin=stall:seconds=0.3:p=0.05",
        "rodin=fail:p=0.03",
        "status=429:p=0.04:retry_after=0.05",
        "status=503:p=0.04",
        "status=drop:p=0.02",
        "status=stall:seconds=0.2:p=0.02",
        "download=500:p=0.04",
        "download=drop:p=0.02",
        "asset=truncate:p=0.04",
        "asset=drop:p=0.02",
        "asset=expired:p=0.02",
        "asset=503:p=0.02",
        "asset=stall:bytes=2048:seconds=0.2:p=0.03",
    ]
)
"""A probability for each fault on each endpoint; the emulator's seeded RNG picks."""

_NOUNS = ("chair", "teapot", "owl", "lantern", "robot", "vase", "boot", "kite", "bell", "frog")
_BILLED_MAYBE = "may have been accepted and billed"
_IN_FLIGHT = "another process"


@dataclass(frozen=True)
class SoakConfig:
    tasks: int = 200
    servers: int = 4
    concurrency: int = 8
    max_identical: int = 3
    kill_interval: tuple[float, float] = (0.4, 1.5)
    seed: int = 1
    faults: str = FAULT_PLAN


@dataclass
class SoakReport:
    counts: Counter[str] = field(default_factory=Counter[str])
    violations: list[str] = field(default_factory=list[str])
    seconds: float = 0.0

    def table(self) -> str:
        width = max(len(k) for k in self.counts) if self.counts else 10
        lines = [f"{k:<{width}}  {v:>7}" for k, v in sorted(self.counts.items())]
        lines.append(f"{'seconds':<{width}}  {self.seconds:>7.1f}")
        lines.append(f"{'violations':<{width}}  {len(self.violations):>7}")
        return "\n".join(lines)


class _Fleet:
    """The server slots: each holds a live process, or one being restarted."""

    def __init__(self, env: Mapping[str, str], logs: Path, size: int, rng: random.Random) -> None:
        self._env, self._logs, self._rng = env, logs, rng
        self._slots: list[StdioServer | None] = [None] * size
        self._started = 0
        self.retired: list[StdioServer] = []
        self.counts: Counter[str] = Counter()

    async def start_all(self, group: anyio.abc.TaskGroup) -> None:
        for index in range(len(self._slots)):
            await self._start(index, group)

    async def _start(self, index: int, group: anyio.abc.TaskGroup) -> None:
        self._started += 1
        server = StdioServer(self._env, self._logs / f"server-{self._started}.log")
        await server.start(group)
        self._slots[index] = server

    async def call(self, tool: str, arguments: Mapping[str, Any]) -> ToolAnswer:
        """Call on a random live server; a server killed under the call means another try."""
        for _ in range(50):
            live = [s for s in self._slots if s is not None]
            if not live:
                await anyio.sleep(0.05)
                continue
            try:
                return await self._rng.choice(live).call(tool, arguments)
            except ServerGone:
                self.counts["calls cut by a kill"] += 1
        raise RuntimeError(f"{tool}: no server answered in 50 tries")

    async def kill_and_restart(self, group: anyio.abc.TaskGroup) -> None:
        index = self._rng.randrange(len(self._slots))
        server = self._slots[index]
        if server is None:
            return
        self._slots[index] = None
        server.kill()
        self.retired.append(server)
        self.counts["servers killed (SIGKILL)"] += 1
        # Shielded: a restart cut short would leave a process no slot knows, and its reader.
        with anyio.CancelScope(shield=True), anyio.fail_after(120):
            await self._start(index, group)

    async def close(self) -> None:
        for index, server in enumerate(self._slots):
            if server is not None:
                await server.close()
                self.retired.append(server)
                self._slots[index] = None


async def run_soak(config: SoakConfig, root: Path) -> SoakReport:
    """Run the soak in ``root`` (which receives data/, output/ and logs/) and check it."""
    report = SoakReport()
    started = time.monotonic()
    emulator_config = EmulatorConfig(
        api_key=SOAK_KEY,
        speed=2000.0,
        starting_balance=1e9,
        parallelism_limit=1_000_000,
        faults=config.faults,
        seed=config.seed,
        file_cache_tasks=64,
    )
    with run_emulator_in_thread(emulator_config) as emulator:
        (root / "logs").mkdir(parents=True, exist_ok=True)
        env = _server_env(root, emulator)
        rng = random.Random(config.seed)
        fleet = _Fleet(env, root / "logs", config.servers, rng)
        async with anyio.create_task_group() as servers:
            await fleet.start_all(servers)
            async with anyio.create_task_group() as killer:
                killer.start_soon(_kill_forever, fleet, servers, rng, config.kill_interval)
                limit = anyio.Semaphore(config.concurrency)
                async with (
                    httpx2.AsyncClient(timeout=60) as http,
                    anyio.create_task_group() as jobs,
                ):
                    upstream = _Upstream(emulator, http)
                    for index in range(config.tasks):
                        await limit.acquire()
                        jobs.start_soon(_job, fleet, upstream, config, index, rng, report, limit)
                killer.cancel_scope.cancel()
            await fleet.close()
            servers.cancel_scope.cancel()  # the readers of closed servers, if any still wait
        emulator.faults.clear()
        # The next start sweeps what killed servers left behind.
        report.counts["partial files swept at the next start"] = sweep_task_folders(root / "output")
        report.counts.update(fleet.counts)
        await _check(root, emulator, fleet, report)
    report.seconds = time.monotonic() - started
    return report


def _server_env(root: Path, emulator: RunningEmulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("RODIN_")}
    env.update(
        {
            "RODIN_API_KEY": SOAK_KEY,
            "RODIN_BASE_URL": emulator.base_url,
            "RODIN_DATA_DIR": str(root / "data"),
            "RODIN_OUTPUT_DIR": str(root / "output"),
            "RODIN_CONFIRM_SPEND": "never",
            "RODIN_MAX_CREDITS": "1000000000",
            "RODIN_POLL_INITIAL": "0.02",
            "RODIN_POLL_MAX": "0.1",
            "RODIN_RETRY_INITIAL_WAIT": "0.02",
            "RODIN_RETRY_MAX_WAIT": "0.1",
            "RODIN_READ_TIMEOUT": "5",
            "RODIN_IN_FLIGHT_WAIT_SECONDS": "20",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


async def _kill_forever(
    fleet: _Fleet,
    group: anyio.abc.TaskGroup,
    rng: random.Random,
    interval: tuple[float, float],
) -> None:
    while True:
        await anyio.sleep(rng.uniform(*interval))  # the kills' moments are part of the plan
        await fleet.kill_and_restart(group)


class _Upstream:
    """What the emulator serves for a task's file, fetched while its files are still cached."""

    def __init__(self, emulator: RunningEmulator, http: httpx2.AsyncClient) -> None:
        self._emulator, self._http = emulator, http
        self.verified: dict[str, str] = {}

    async def verify(self, task_uuid: str, files: list[dict[str, Any]], report: SoakReport) -> None:
        if not files:
            return
        folder = Path(str(files[0]["path"])).parent
        manifest = json.loads(await anyio.Path(folder / "task.json").read_text(encoding="utf-8"))
        source_names = {str(f["name"]): str(f["source_name"]) for f in manifest["files"]}
        for file in files:
            path = Path(str(file["path"]))
            data = await anyio.Path(path).read_bytes()
            url = self._emulator.signed_url(f"{task_uuid}/{source_names[path.name]}")
            served = await self._served(url)
            if served is None:
                continue
            if hashlib.sha256(served).hexdigest() != hashlib.sha256(data).hexdigest():
                report.violations.append(f"file {path} differs from what Rodin serves")
            else:
                report.counts["files verified against upstream"] += 1
                self.verified[str(path)] = hashlib.sha256(data).hexdigest()

    async def _served(self, url: str) -> bytes | None:
        for _ in range(20):  # the fault plan spoils these GETs too
            try:
                response = await self._http.get(url)
            except httpx2.TransportError:
                continue
            if response.status_code == 200 and len(response.content) == int(
                response.headers.get("content-length", "-1")
            ):
                return response.content
        return None


async def _job(
    fleet: _Fleet,
    upstream: _Upstream,
    config: SoakConfig,
    index: int,
    rng: random.Random,
    report: SoakReport,
    limit: anyio.Semaphore,
) -> None:
    counts = report.counts
    try:
        prompt = f"soak {config.seed}-{index}: a {rng.choice(_NOUNS)}"
        fan = rng.randint(1, config.max_identical)
        counts["jobs"] += 1
        counts[f"jobs fired from {fan} server(s) at once"] += 1
        answers: list[dict[str, Any] | None] = []
        async with anyio.create_task_group() as group:
            for _ in range(fan):
                group.start_soon(_generate, fleet, prompt, answers, counts)
        made = next((a for a in answers if a is not None), None)
        if made is None:
            return
        task_uuid = str(made["task_uuid"])
        if len({str(a["task_uuid"]) for a in answers if a is not None}) > 1:
            report.violations.append(f"one request gave several tasks: {prompt!r}")
        state = await _follow(fleet, task_uuid, counts)
        if state == "done":
            files = await _download(fleet, task_uuid, counts)
            await upstream.verify(task_uuid, files, report)
    finally:
        limit.release()


async def _generate(
    fleet: _Fleet, prompt: str, answers: list[dict[str, Any] | None], counts: Counter[str]
) -> None:
    for _ in range(8):
        answer = await fleet.call("generate_3d", {"prompt": prompt})
        if not answer.is_error:
            counts["generate: reused" if answer.structured.get("reused") else "generate: new"] += 1
            answers.append(answer.structured)
            return
        if _BILLED_MAYBE in answer.text:
            counts["generate: refused, outcome unknown"] += 1
            answers.append(None)
            return
        counts[
            "generate: waited on one in flight, asked again"
            if _IN_FLIGHT in answer.text
            else "generate: error, asked again"
        ] += 1
    answers.append(None)


async def _follow(fleet: _Fleet, task_uuid: str, counts: Counter[str]) -> str | None:
    for _ in range(40):
        answer = await fleet.call("check_status", {"task_uuid": task_uuid, "wait_seconds": 5})
        if answer.is_error:
            counts["check_status: error, asked again"] += 1
            continue
        state = str(answer.structured.get("state"))
        if state in ("done", "failed"):
            counts[f"tasks {state}"] += 1
            return state
    counts["tasks never finished"] += 1
    return None


async def _download(fleet: _Fleet, task_uuid: str, counts: Counter[str]) -> list[dict[str, Any]]:
    for _ in range(10):
        answer = await fleet.call("list_downloads", {"task_uuid": task_uuid})
        if not answer.is_error and answer.structured.get("downloaded"):
            counts["tasks downloaded"] += 1
            return list(answer.structured.get("files") or [])
        counts["list_downloads: error, asked again"] += 1
    counts["tasks never downloaded"] += 1
    return []


# --- the checks ---------------------------------------------------------------------------------


async def _check(root: Path, emulator: RunningEmulator, fleet: _Fleet, report: SoakReport) -> None:
    async with await open_sqlite_ledger(root / "data" / "ledger.sqlite3") as ledger:
        rows = await ledger.list_tasks(limit=10**7)
    checks: list[Callable[[], list[str]]] = [
        lambda: _no_accepted_submission_missing(emulator, rows),
        lambda: _none_paid_twice(emulator),
        lambda: _no_resend_after_unknown(emulator, rows),
        lambda: _files_complete_and_verified(rows, root / "output"),
        lambda: _no_temporary_files(root),
        lambda: _nothing_outside_the_output_folder(root, rows),
        lambda: _no_secret_anywhere(root, emulator, fleet),
    ]
    for check in checks:
        report.violations.extend(check())
    requests = emulator.requests
    report.counts["submit POSTs received"] = sum(1 for r in requests if r.endpoint == "rodin")
    report.counts["tasks created upstream (paid)"] = len(emulator.tasks)
    report.counts["faults fired"] = sum(1 for r in requests if r.fault)
    report.counts["ledger rows"] = len(rows)
    for state, n in Counter(r.state.value for r in rows).items():
        report.counts[f"ledger rows {state}"] = n


def _no_accepted_submission_missing(emulator: RunningEmulator, rows: list[TaskRecord]) -> list[str]:
    known = {r.task_uuid for r in rows if r.task_uuid}
    pending = {r.prompt for r in rows if r.state.value in ("unknown", "submitting", "superseded")}
    return [
        f"accepted task {t.uuid} ({t.prompt!r}) is missing from the ledger"
        for t in emulator.tasks
        if t.uuid not in known and t.prompt not in pending
    ]


def _none_paid_twice(emulator: RunningEmulator) -> list[str]:
    by_prompt: defaultdict[str, int] = defaultdict(int)
    for task in emulator.tasks:
        by_prompt[task.prompt or ""] += 1  # the soak only generates, and always with a prompt
    return [f"{n} paid tasks for one request {p!r}" for p, n in by_prompt.items() if n > 1]


def _no_resend_after_unknown(emulator: RunningEmulator, rows: list[TaskRecord]) -> list[str]:
    unknown_since: dict[str, float] = {}
    for row in rows:
        if row.state.value in ("unknown", "superseded") and row.prompt is not None:
            since = unknown_since.get(row.prompt, row.updated_at)
            unknown_since[row.prompt] = min(since, row.updated_at)
    found: list[str] = []
    for request in emulator.requests:
        prompt = (request.fields.get("prompt") or [None])[0]
        since = unknown_since.get(prompt or "")
        if request.endpoint == "rodin" and since is not None and request.time > since + 0.001:
            found.append(f"a submit of {prompt!r} was resent after its outcome was unknown")
    return found


def _files_complete_and_verified(rows: list[TaskRecord], output: Path) -> list[str]:
    """Every recorded file is on disk, whole, matching its recorded hash, inside the output."""
    found: list[str] = []
    for row in rows:
        for stored in row.files:
            path = stored.path
            if not path.is_file():
                found.append(f"recorded file {path} is missing")
                continue
            data = path.read_bytes()
            if len(data) != stored.size or hashlib.sha256(data).hexdigest() != stored.sha256:
                found.append(f"file {path} does not match its recorded size and hash")
            if output.resolve() not in path.resolve().parents:
                found.append(f"file {path} lies outside the output folder")
    return found


def _no_temporary_files(root: Path) -> list[str]:
    leftovers = [p for p in root.rglob("*") if is_temp_name(p.name)]
    return [f"temporary file left: {p}" for p in leftovers]


def _nothing_outside_the_output_folder(root: Path, rows: list[TaskRecord]) -> list[str]:
    found = [
        f"unexpected entry {p}" for p in root.iterdir() if p.name not in ("data", "output", "logs")
    ]
    output = root / "output"
    recorded = {f.path.resolve() for r in rows for f in r.files}
    folders = {Path(r.output_dir).resolve() for r in rows if r.output_dir}
    if output.exists():
        for path in output.rglob("*"):
            if path.is_dir():
                if path.resolve() not in folders:
                    found.append(f"unexpected folder {path}")
            elif not _recorded_or_derived(path, recorded):
                found.append(f"unexpected file {path}")
    return found


def _recorded_or_derived(path: Path, recorded: set[Path]) -> bool:
    """A downloaded file, or one made here from them: task.json, the contact sheet, or the
    viewer's copy of a recorded model."""
    if path.resolve() in recorded or path.name in ("task.json", CONTACT_SHEET_NAME):
        return True
    source = path.with_name(path.name.removeprefix(VIEWER_COPY_PREFIX))
    return path.name.startswith(VIEWER_COPY_PREFIX) and source.resolve() in recorded


def _no_secret_anywhere(root: Path, emulator: RunningEmulator, fleet: _Fleet) -> list[str]:
    """No API key or signed URL in any log line or tool result, no subscription key in a log.

    (``generate_3d`` hands the task's subscription key to the model on purpose.)
    """
    always = {"the API key": SOAK_KEY, "a signed URL": "sig="}
    keys = {f"the subscription key of {t.uuid}": t.subscription_key for t in emulator.tasks}
    found: list[str] = []
    for log in sorted((root / "logs").iterdir()):
        text = log.read_text(encoding="utf-8", errors="replace")
        found.extend(f"{what} in {log.name}" for what, s in {**always, **keys}.items() if s in text)
    for server in fleet.retired:
        text = "\n".join(server.answers)
        found.extend(f"{what} in a tool result" for what, s in always.items() if s in text)
        found.extend(f"a non-JSON-RPC line on stdout: {line[:80]!r}" for line in server.stray_lines)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The fault soak of rodin-mcp.")
    parser.add_argument("--tasks", type=int, default=SoakConfig.tasks)
    parser.add_argument("--servers", type=int, default=SoakConfig.servers)
    parser.add_argument("--concurrency", type=int, default=SoakConfig.concurrency)
    parser.add_argument("--seed", type=int, default=SoakConfig.seed)
    args = parser.parse_args(argv)
    config = SoakConfig(
        tasks=args.tasks, servers=args.servers, concurrency=args.concurrency, seed=args.seed
    )
    with tempfile.TemporaryDirectory(prefix="rodin-soak-") as folder:
        report = anyio.run(run_soak, config, Path(folder))
    sys.stdout.write(report.table() + "\n")
    for violation in report.violations:
        sys.stdout.write(f"VIOLATION: {violation}\n")
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
