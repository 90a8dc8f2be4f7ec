"""Download benchmark: our verified downloader against ``curl -o``, same URL, same run.

Starts the emulator on 127.0.0.1, asks it for signed URLs of synthetic files (deterministic bytes
streamed without being held in memory), then downloads each size several times, alternating which
client goes first. Each download runs in its own child process, so its peak memory (``VmHWM``)
can be compared across sizes: ours reports its own at the end, curl's is sampled while it runs.

Transfer times exclude process start-up on both sides: ``curl -w %{time_total}`` for curl, and a
timer around :func:`rodin_mcp.downloads.download_task` inside our child. Our figure includes what
curl does not do: SHA-256 of every byte, fsync, an atomic rename and ``task.json``.

A third client, ``floor``, streams the same URL with bare ``httpx2`` and only hashes the bytes (no
file): the ceiling of any downloader built on the Python HTTP stack, for reading the gap.

Usage::

    .venv/bin/python bench/bench_download.py                 # 100 MiB and 1 GiB, 3 rounds
    .venv/bin/python bench/bench_download.py --sizes 64M --rounds 1
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
from dataclasses import dataclass
from pathlib import Path

from measure import peak_rss_kib, summarize

MIB = 1024 * 1024
URL_ENV = "RODIN_BENCH_URL"


@dataclass(frozen=True)
class Run:
    """One timed download."""

    client: str
    size: int
    seconds: float
    peak_rss_kib: int
    sha256: str

    @property
    def mib_per_s(self) -> float:
        return self.size / MIB / self.seconds


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


def run_ours(url: str, out_dir: Path, size: int) -> Run:
    return run_python_child("ours", url, out_dir, size)


def run_floor(url: str, out_dir: Path, size: int) -> Run:
    return run_python_child("floor", url, out_dir, size)


def run_python_child(client: str, url: str, out_dir: Path, size: int) -> Run:
    env = {**os.environ, URL_ENV: url}  # the signed URL stays out of the process list
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(out_dir), "--client", client],
        env=env,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    report = process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"{client} failed (exit {process.returncode})")
    data = json.loads(report)
    return Run(client, size, data["seconds"], data["peak_rss_kib"], data["sha256"])


def run_curl(url: str, out_dir: Path, size: int) -> Run:
    target = out_dir / "curl.bin"
    with tempfile.TemporaryFile() as timing:
        process = subprocess.Popen(
            ["curl", "-sS", "--fail", "-o", str(target), "-w", "%{time_total}", url],
            stdout=timing,
        )
        peak = wait_watching_rss(process)
        timing.seek(0)
        seconds = float(timing.read().decode().strip())
    if process.returncode != 0:
        raise SystemExit(f"curl failed (exit {process.returncode})")
    digest = file_sha256(target)
    target.unlink()
    return Run("curl", size, seconds, peak, digest)


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


def floor_child() -> tuple[float, str]:
    """Stream the URL with httpx2 alone, bytes hashed but neither written nor checked."""
    import anyio
    import httpx2

    url = os.environ[URL_ENV]

    async def main() -> tuple[float, str]:
        digest = hashlib.sha256()
        async with httpx2.AsyncClient() as http:
            started = time.perf_counter()
            async with http.stream("GET", url, headers={"Accept-Encoding": "identity"}) as body:
                async for chunk in body.aiter_raw():
                    digest.update(chunk)
            return time.perf_counter() - started, digest.hexdigest()

    return anyio.run(main)


def child(out_dir: Path, client: str) -> None:
    """Fetch the URL in $RODIN_BENCH_URL; print seconds, sha256 and peak RSS as JSON."""
    seconds, digest = ours_child(out_dir) if client == "ours" else floor_child()
    json.dump({"seconds": seconds, "sha256": digest, "peak_rss_kib": peak_rss_kib()}, sys.stdout)


def ours_child(out_dir: Path) -> tuple[float, str]:
    """Download the URL with our downloader (verified, fsynced, renamed, recorded)."""
    import anyio
    from pydantic import SecretStr

    from rodin_mcp.api import DownloadItem
    from rodin_mcp.api.client import RodinClient, create_http_client
    from rodin_mcp.downloads import download_task
    from rodin_mcp.settings import Settings

    url = os.environ[URL_ENV]
    origin = url.split("/_files/", 1)[0]
    settings = Settings(
        base_url=origin + "/api/v2",
        api_key=SecretStr("bench"),
        output_dir=out_dir,
        max_download_bytes=8 * 1024 * MIB,
        download_deadline=3600.0,
    )

    async def main() -> tuple[float, str]:
        async with create_http_client(settings) as http:
            rodin = RodinClient(http, settings=settings)
            items = [DownloadItem(url=url, name="synthetic.bin")]
            started = time.perf_counter()
            result = await download_task(
                rodin, http, "bench", settings=settings, items=items, folder=out_dir / "ours"
            )
            seconds = time.perf_counter() - started
        (file,) = result.files
        file.path.unlink()
        return seconds, file.sha256

    return anyio.run(main)


def bench(sizes: list[int], rounds: int, out_root: Path) -> list[Run]:
    from rodin_mcp.emulator import EmulatorConfig, run_emulator_in_thread

    runs: list[Run] = []
    config = EmulatorConfig(api_key="bench", url_ttl_seconds=24 * 3600)
    with run_emulator_in_thread(config) as emulator:
        for size in sizes:
            url = emulator.signed_url(size)
            expected = expected_sha256(size)
            for number in range(rounds):
                order = (run_ours, run_curl, run_floor)
                if number % 2:
                    order = order[::-1]
                for runner in order:
                    run = runner(url, out_root, size)
                    if run.sha256 != expected:
                        raise SystemExit(f"{run.client}: wrong bytes for {size} bytes")
                    runs.append(run)
                    print(
                        f"  {size / MIB:7.0f} MiB  {run.client:4}  {run.mib_per_s:8.1f} MiB/s  "
                        f"peak RSS {run.peak_rss_kib / 1024:6.1f} MiB",
                        file=sys.stderr,
                    )
    return runs


def report(runs: list[Run]) -> None:
    print("| size | client | median MiB/s | runs (MiB/s) | peak RSS MiB (max) |")
    print("|---|---|---|---|---|")
    for size in sorted({r.size for r in runs}):
        label = f"{size / MIB:.0f} MiB"
        medians: dict[str, float] = {}
        for client in ("ours", "curl", "floor"):
            mine = [r for r in runs if r.size == size and r.client == client]
            medians[client] = statistics.median(r.mib_per_s for r in mine)
            each = ", ".join(f"{r.mib_per_s:.0f}" for r in mine)
            peak = max(r.peak_rss_kib for r in mine) / 1024
            print(f"| {label} | {client} | {medians[client]:.0f} | {each} | {peak:.1f} |")
        for client in ("ours", "floor"):
            ratio = medians[client] / medians["curl"]
            print(f"| {label} | {client}/curl | {ratio:.2f}x | | |")
        ours_peak = max(r.peak_rss_kib for r in runs if r.size == size and r.client == "ours")
        ratio = medians["ours"] / medians["curl"]
        summarize(
            f"{label} download on loopback (stream, SHA-256, fsync, rename)",
            f"{medians['ours']:.0f} MiB/s, peak RSS {ours_peak / 1024:.0f} MiB",
            f"curl -o {medians['curl']:.0f} MiB/s",
            f"{ratio:.2f}x",
            ">= 0.9x, flat memory",
            ratio >= 0.9,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="Download benchmark: ours against curl -o.")
    parser.add_argument("--sizes", default="100M,1G", help="comma-separated sizes (100M,1G)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per size (alternating)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--client", default="ours", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.client)
        return
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed as the baseline")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="rodin-bench-") as out:
        runs = bench(sizes, args.rounds, Path(out))
    report(runs)


if __name__ == "__main__":
    main()
