"""``rodin-mcp emulator``: serve the Rodin-compatible emulator until Ctrl-C.

Everything it says goes to stderr (stdout stays empty): the base URL to give a client, whether a
particular key is required, and the fault plan. The fault plan comes from ``--faults`` or, failing
that, from the ``RODIN_EMULATOR_FAULTS`` environment variable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import sys
from pathlib import Path

from rodin_mcp.emulator.config import DEFAULT_STARTING_BALANCE, EmulatorConfig
from rodin_mcp.emulator.link import AssetLink
from rodin_mcp.emulator.runner import RunningEmulator, serve_emulator

__all__ = ["FAULTS_ENV_VAR", "main"]

FAULTS_ENV_VAR = "RODIN_EMULATOR_FAULTS"
_log = logging.getLogger("rodin_mcp.emulator")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rodin-mcp emulator",
        description="Serve a Rodin-compatible API emulator (offline, with a fault plan).",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    add("--port", type=int, default=8787, help="port to bind, 0 for any free port (default: 8787)")
    add("--api-key", help="the only Bearer token accepted (default: any non-empty token)")
    add("--speed", type=float, default=1.0, help="job clock factor: 10 runs jobs 10x faster")
    add("--faults", help=f"fault plan spec (default: ${FAULTS_ENV_VAR})")
    add("--balance", type=float, default=DEFAULT_STARTING_BALANCE, help="starting credits")
    add("--parallelism", type=int, default=3, help="unfinished tasks allowed at once")
    add("--rate-limit", type=int, help="API requests per minute before HTTP 429 (default: off)")
    add("--url-ttl", type=float, default=600.0, help="asset URL lifetime in seconds")
    add("--admin", action="store_true", help="serve the /_emulator admin endpoints")
    add("--old-error-names", action="store_true", help="INSUFFICIENT_FUND etc. (older docs)")
    add(
        "--documented-success-error",
        action="store_true",
        help='send "error": null / "OK" on success, as the docs show',
    )
    add("--preview-job-fails", action="store_true", help="preview_render jobs always fail")
    add("--synthetic-asset-bytes", type=int, default=0, help="add synthetic.bin of this size")
    add("--seed", type=int, default=0, help="seed for fault probabilities and default seeds")
    add("--journal", type=Path, help="keep tasks in this file so they survive a restart")
    add("--asset-latency", type=float, default=0.0, help="round trip (s) before each file answer")
    add("--asset-rate", type=float, help="MiB/s per file download connection (default: no limit)")
    return parser


def main(argv: list[str]) -> int:
    """Run the emulator command; returns the exit code (0 after Ctrl-C, 2 on bad options)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        config = EmulatorConfig(
            api_key=args.api_key,
            speed=args.speed,
            starting_balance=args.balance,
            parallelism_limit=args.parallelism,
            rate_limit_per_minute=args.rate_limit,
            url_ttl_seconds=args.url_ttl,
            error_names="old" if args.old_error_names else "new",
            success_error="documented" if args.documented_success_error else "omit",
            faults=args.faults if args.faults is not None else os.environ.get(FAULTS_ENV_VAR, ""),
            admin=args.admin,
            preview_job_fails=args.preview_job_fails,
            synthetic_asset_bytes=args.synthetic_asset_bytes,
            seed=args.seed,
            journal=args.journal,
            asset_link=AssetLink(
                latency_seconds=args.asset_latency,
                bytes_per_second=None if args.asset_rate is None else args.asset_rate * 1024**2,
            ),
        )
    except ValueError as exc:
        sys.stderr.write(f"rodin-mcp emulator: {exc}\n")
        return 2
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(_serve_until_signal(config, args.host, args.port))
    except OSError as exc:
        sys.stderr.write(f"rodin-mcp emulator: cannot listen on {args.host}:{args.port}: {exc}\n")
        return 1
    except KeyboardInterrupt:  # a platform without loop signal handlers
        pass
    return 0


async def _serve_until_signal(config: EmulatorConfig, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with serve_emulator(config, host, port) as running:
        _announce(running, config, host)
        await stop.wait()
        _log.info("stopping")


def _announce(running: RunningEmulator, config: EmulatorConfig, host: str) -> None:
    lines = [f"Rodin emulator serving {running.base_url}"]
    if config.api_key is None:
        lines.append("API key: any non-empty Bearer token is accepted")
    else:
        lines.append("API key: only the key given with --api-key is accepted")
    lines.append(
        f"speed x{config.speed:g}, balance {config.starting_balance:g} credits, "
        f"parallelism {config.parallelism_limit}"
    )
    plan = config.fault_plan()
    if len(plan):
        lines.append(f"fault plan: {plan}")
    if config.admin:
        lines.append(f"admin endpoints: {running.origin}/_emulator/")
    if not _is_loopback(host):
        lines.append(f"warning: listening on {host}, reachable from other machines")
    lines.append("Press Ctrl-C to stop.")
    sys.stderr.write("".join(f"{line}\n" for line in lines))
    sys.stderr.flush()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
