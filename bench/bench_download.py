"""Download benchmark: our verified downloader against curl, on loopback and on slow links.

The emulator runs on 127.0.0.1 in this process and serves synthetic files (deterministic bytes
streamed without being held in memory). Each download runs in its own child process, so its peak
memory (``VmHWM``) can be compared across sizes. The order of the clients alternates per round.

Scenarios:

- **loopback**: no link limit; 100 MiB and 1 GiB by default.
- **100 MiB/s** and **10 MiB/s + 50 ms**: the emulator's simulated link
  (:class:`rodin_mcp.emulator.AssetLink`: a round trip before each answer and a per-connection
  rate), the same for every client.
- **task**: one task of several files (a model, textures, a preview) at 10 MiB/s + 50 ms: ours
  with its default concurrency, ours one file after another, and curl one after another.

Clients:

- ``ours``: :func:`rodin_mcp.downloads.download_task` (streams, SHA-256 of every byte, size check,
  fsync, atomic rename, ``task.json``), timed inside the child around the call.
- ``curl``: ``curl -o`` alone (``-w %{time_total}``).
- ``curl+verify``: ``curl -o``, then ``sha256sum`` and ``sync`` of the file: the same guarantees as
  ours (a hash of what landed, on disk), timed as curl's transfer plus the two commands.
- ``floor`` (loopback only): bare ``httpx2`` streaming and hashing, no file: the ceiling of any
  downloader on the pure-Python HTTP stack.

Usage::

    .venv/bin/python bench/bench_download.py                  # every scenario, 3 rounds
    .venv/bin/python bench/bench_download.py --rounds 1 --sizes 64M --link-size 32M --slow-size 8M
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from measure import peak_rss_kib, summarize

MIB = 1024 * 1024
URLS_ENV = "RODIN_BENCH_URLS"  # signed URLs stay out of the process list
TASK_FILES = (8 * MIB, 4 * MIB, 4 * MIB + 1, MIB, 256 * 1024, 64 * 1024)
"""A task like Rodin's: a model, a few texture-sized files and a small preview."""


@dataclass(frozen=True)
class Link:
    """A scenario's simulated link."""

    label: str
    latency: float = 0.0
    mib_per_s: float | None = None


LOOPBACK_GOAL = 0.9
LINK_GOAL = 0.97
"""Ours over the baseline's speed: on loopback against curl+verify, on a link against both."""

LOOPBACK = Link("loopback")
FAST = Link("100 MiB/s link", 0.0, 100.0)
SLOW = Link("10 MiB/s + 50 ms link", 0.05, 10.0)


@dataclass(frozen=True)
class Run:
    """One timed download of one or more files."""

    client: str
    size: int
    seconds: float
    peak_rss_kib: int
    sha256s: tuple[str, ...]

    @property
    def mib_per_s(self) -> float:
        return self.size / MIB / self.seconds


Runner = Callable[[Sequence[str], Path, int], Run]


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MIB, "G": 1024 * MIB}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def wait_watching_rss(process: subprocess.Popen[bytes]) -> int:
    """Wait for the child while sampling its peak RSS; return the last sample (KiB).

    ``ru_maxrss`` from ``wait4`` is not used: with vfork it also counts the parent's memory.
    ``VmHWM`` is a high-water mark, so the last sample before exit is the peak up to then.
    """
    peak = 0
    while process.poll() is None:
        peak = max(peak, peak_rss_kib(process.pid))
        time.sleep(0.01)
    return peak


def python_child(client: str, parallel: int = 4) -> Runner:
    def run(urls: Sequence[str], out_dir: Path, size: int) -> Run:
        env = {**os.environ, URLS_ENV: json.dumps(list(urls))}
        command = [sys.executable, __file__, "--child", str(out_dir), "--client", client]
        process = subprocess.Popen(
            [*command, "--parallel", str(parallel)], env=env, stdout=subprocess.PIPE
        )
        assert process.stdout is not None
        report = process.stdout.read()
        if process.wait() != 0:
            raise SystemExit(f"{client} failed (exit {process.returncode})")
        data = json.loads(report)
        label = client if parallel != 1 else f"{client} one by one"
        return Run(label, size, data["seconds"], data["peak_rss_kib"], tuple(data["sha256s"]))

    return run


def curl(verify: bool) -> Runner:
    """``curl -o`` of each URL in turn (one process, reusing its connection), maybe verified."""

    def run(urls: Sequence[str], out_dir: Path, size: int) -> Run:
        targets = [out_dir / f"curl-{index}.bin" for index in range(len(urls))]
        command = ["curl", "-sS", "--fail", "-w", "%{time_total}\\n"]
        for url, target in zip(urls, targets, strict=True):
            command += ["-o", str(target), url]
        with tempfile.TemporaryFile() as timing:
            process = subprocess.Popen(command, stdout=timing)
            peak = wait_watching_rss(process)
            timing.seek(0)
            seconds = sum(float(line) for line in timing.read().decode().split())
        if process.returncode != 0:
            raise SystemExit(f"curl failed (exit {process.returncode})")
        if verify:
            started = time.perf_counter()
            subprocess.run(["sha256sum", *map(str, targets)], check=True, stdout=subprocess.PIPE)
            subprocess.run(["sync", *map(str, targets)], check=True)
            seconds += time.perf_counter() - started
        digests = tuple(file_sha256(target) for target in targets)
        for target in targets:
            target.unlink()
        name = "curl+verify" if verify else "curl"
        return Run(name if len(urls) == 1 else f"{name} one by one", size, seconds, peak, digests)

    return run


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(4 * MIB):
            digest.update(block)
    return digest.hexdigest()


def expected_sha256(size: int) -> str:
    from rodin_mcp.emulator import synthetic_chunks

    digest = hashlib.sha256()
    for chunk in synthetic_chunks(size):
        digest.update(chunk)
    return digest.hexdigest()


def floor_child(urls: Sequence[str]) -> tuple[float, list[str]]:
    """Stream each URL with httpx2 alone, bytes hashed but neither written nor checked."""
    import anyio
    import httpx2

    async def main() -> tuple[float, list[str]]:
        digests: list[str] = []
        async with httpx2.AsyncClient() as http:
            started = time.perf_counter()
            for url in urls:
                digest = hashlib.sha256()
                async with http.stream("GET", url, headers={"Accept-Encoding": "identity"}) as body:
                    async for chunk in body.aiter_raw():
                        digest.update(chunk)
                digests.append(digest.hexdigest())
            return time.perf_counter() - started, digests

    return anyio.run(main)


def ours_child(urls: Sequence[str], out_dir: Path, parallel: int) -> tuple[float, list[str]]:
    """Download the URLs as one task with our downloader (verified, fsynced, renamed, recorded)."""
    import anyio
    from pydantic import SecretStr

    from rodin_mcp.api import DownloadItem
    from rodin_mcp.api.client import RodinClient, create_http_client
    from rodin_mcp.downloads import download_task
    from rodin_mcp.settings import Settings

    origin = urls[0].split("/_files/", 1)[0]
    settings = Settings(
        base_url=origin + "/api/v2",
        api_key=SecretStr("bench"),
        output_dir=out_dir,
        max_download_bytes=8 * 1024 * MIB,
        download_deadline=3600.0,
        download_parallel_files=parallel,
    )
    items = [DownloadItem(url=url, name=f"file-{index}.bin") for index, url in enumerate(urls)]

    async def main() -> tuple[float, list[str]]:
        async with create_http_client(settings) as http:
            rodin = RodinClient(http, settings=settings)
            started = time.perf_counter()
            result = await download_task(
                rodin, http, "bench", settings=settings, items=items, folder=out_dir / "ours"
            )
            seconds = time.perf_counter() - started
        shutil.rmtree(out_dir / "ours")
        return seconds, [file.sha256 for file in result.files]

    return anyio.run(main)


def child(out_dir: Path, client: str, parallel: int) -> None:
    """Fetch the URLs in $RODIN_BENCH_URLS; print seconds, digests and peak RSS as JSON."""
    urls: list[str] = json.loads(os.environ[URLS_ENV])
    if client == "ours":
        seconds, digests = ours_child(urls, out_dir, parallel)
    else:
        seconds, digests = floor_child(urls)
    report = {"seconds": seconds, "sha256s": digests, "peak_rss_kib": peak_rss_kib()}
    json.dump(report, sys.stdout)


def measure(
    link: Link, files: Sequence[int], runners: Sequence[Runner], rounds: int, out_dir: Path
) -> list[Run]:
    """Time every runner on one emulator behind ``link``, checking every byte."""
    from rodin_mcp.emulator import AssetLink, EmulatorConfig, run_emulator_in_thread

    rate = None if link.mib_per_s is None else link.mib_per_s * MIB
    config = EmulatorConfig(
        api_key="bench",
        url_ttl_seconds=24 * 3600,
        asset_link=AssetLink(latency_seconds=link.latency, bytes_per_second=rate),
    )
    expected = tuple(expected_sha256(size) for size in files)
    runs: list[Run] = []
    with run_emulator_in_thread(config) as emulator:
        urls = [emulator.signed_url(size) for size in files]
        for number in range(rounds):
            order = list(runners) if number % 2 == 0 else list(runners)[::-1]
            for runner in order:
                run = runner(urls, out_dir, sum(files))
                if run.sha256s != expected:
                    raise SystemExit(f"{run.client}: wrong bytes on the {link.label}")
                runs.append(run)
                sys.stderr.write(
                    f"  {link.label:22} {run.size / MIB:7.1f} MiB  {run.client:20} "
                    f"{run.seconds:7.3f} s {run.mib_per_s:7.1f} MiB/s  "
                    f"peak RSS {run.peak_rss_kib / 1024:5.1f} MiB\n"
                )
    return runs


def median_seconds(runs: Sequence[Run], client: str) -> float:
    return statistics.median(r.seconds for r in runs if r.client == client)


def table(title: str, runs: Sequence[Run]) -> None:
    print(f"\n{title}\n")
    print("| size | client | median s | median MiB/s | runs (MiB/s) | peak RSS MiB (max) |")
    print("|---|---|---|---|---|---|")
    for size in sorted({r.size for r in runs}):
        for client in dict.fromkeys(r.client for r in runs if r.size == size):
            mine = [r for r in runs if r.size == size and r.client == client]
            seconds = statistics.median(r.seconds for r in mine)
            each = ", ".join(f"{r.mib_per_s:.0f}" for r in mine)
            peak = max(r.peak_rss_kib for r in mine) / 1024
            print(
                f"| {size / MIB:.1f} MiB | {client} | {seconds:.3f} | {size / MIB / seconds:.1f} "
                f"| {each} | {peak:.1f} |"
            )


def speed_ratio(runs: Sequence[Run], ours: str, baseline: str) -> float:
    """Our speed as a multiple of the baseline's (above 1: faster), from median times."""
    return median_seconds(runs, baseline) / median_seconds(runs, ours)


def single_file(link: Link, sizes: Sequence[int], rounds: int, out: Path) -> list[Run]:
    runners = [python_child("ours"), curl(False), curl(True)]
    if link is LOOPBACK:
        runners.append(python_child("floor"))
    runs: list[Run] = []
    for size in sizes:
        mine = measure(link, [size], runners, rounds, out)
        runs += mine
        label = f"{size / MIB:.0f} MiB on the {link.label}"
        fair = speed_ratio(mine, "ours", "curl+verify")
        bare = speed_ratio(mine, "ours", "curl")
        fair_goal = LOOPBACK_GOAL if link is LOOPBACK else LINK_GOAL
        summarize(
            f"{label}: ours / (curl -o, sha256sum, sync)",
            f"{size / MIB / median_seconds(mine, 'ours'):.0f} MiB/s",
            f"{size / MIB / median_seconds(mine, 'curl+verify'):.0f} MiB/s",
            f"{fair:.2f}x",
            f">= {fair_goal}x",
            fair >= fair_goal,
        )
        if link is not LOOPBACK:
            summarize(
                f"{label}: ours / curl -o",
                f"{size / MIB / median_seconds(mine, 'ours'):.1f} MiB/s",
                f"{size / MIB / median_seconds(mine, 'curl'):.1f} MiB/s",
                f"{bare:.2f}x",
                f">= {LINK_GOAL}x",
                bare >= LINK_GOAL,
            )
    return runs


def memory_row(runs: Sequence[Run]) -> None:
    sizes = sorted({r.size for r in runs})
    if len(sizes) < 2:
        return
    peaks = [max(r.peak_rss_kib for r in runs if r.size == s and r.client == "ours") for s in sizes]
    floors = [
        max(r.peak_rss_kib for r in runs if r.size == s and r.client == "floor") for s in sizes
    ]
    growth = (peaks[-1] - peaks[0]) / 1024
    summarize(
        f"peak RSS of a download, {sizes[0] / MIB:.0f} MiB vs {sizes[-1] / MIB:.0f} MiB",
        f"{peaks[0] / 1024:.0f} / {peaks[-1] / 1024:.0f} MiB",
        f"bare httpx2 {floors[0] / 1024:.0f} / {floors[-1] / 1024:.0f} MiB",
        f"+{growth:.1f} MiB",
        "flat (< +8 MiB)",
        growth < 8,
    )


def task_files(rounds: int, out: Path) -> list[Run]:
    runners = [python_child("ours"), python_child("ours", parallel=1), curl(False)]
    runs = measure(SLOW, TASK_FILES, runners, rounds, out)
    ratio = median_seconds(runs, "ours") / median_seconds(runs, "ours one by one")
    summarize(
        f"a task of {len(TASK_FILES)} files ({sum(TASK_FILES) / MIB:.1f} MiB) on the "
        f"{SLOW.label}: wall time, 4 at once / one by one",
        f"{median_seconds(runs, 'ours'):.2f} s",
        f"{median_seconds(runs, 'ours one by one'):.2f} s "
        f"(curl one by one {median_seconds(runs, 'curl one by one'):.2f} s)",
        f"{ratio:.2f}x",
        "<= 0.6x",
        ratio <= 0.6,
    )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description="Download benchmark: ours against curl.")
    parser.add_argument("--sizes", default="100M,1G", help="loopback sizes (default 100M,1G)")
    parser.add_argument("--link-size", default="256M", help="size on the 100 MiB/s link")
    parser.add_argument("--slow-size", default="64M", help="size on the 10 MiB/s + 50 ms link")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario (alternating)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--client", default="ours", help=argparse.SUPPRESS)
    parser.add_argument("--parallel", type=int, default=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.client, args.parallel)
        return
    for tool in ("curl", "sha256sum", "sync"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed for the baselines")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="rodin-bench-") as name:
        out = Path(name)
        loopback = single_file(LOOPBACK, sizes, args.rounds, out)
        memory_row(loopback)
        fast = single_file(FAST, [parse_size(args.link_size)], args.rounds, out)
        slow = single_file(SLOW, [parse_size(args.slow_size)], args.rounds, out)
        task = task_files(args.rounds, out)
    table("Loopback (no link limit)", loopback)
    table(f"{FAST.label} (emulator-paced, per connection)", fast)
    table(f"{SLOW.label} (emulator-paced, per connection)", slow)
    table(f"A task of {len(TASK_FILES)} files on the {SLOW.label}", task)


if __name__ == "__main__":
    main()
