"""Running `rodin-mcp serve --http` as a subprocess for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "http-test", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _reachable(host: str) -> str:
    """The address a client on this machine connects to for a bind to ``host``."""
    return "127.0.0.1" if host == "0.0.0.0" else host


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(_family(host)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def can_bind(host: str) -> bool:
    """Whether this machine has the address ``host`` (macOS has only 127.0.0.1 of 127.0.0.0/8
    unless aliased; some containers have no IPv6)."""
    try:
        free_port(host)
    except OSError:
        return False
    return True


def url_of(host: str, port: int, scheme: str = "http") -> str:
    """The MCP endpoint of a server bound to ``host``."""
    reachable = _reachable(host)
    shown = f"[{reachable}]" if ":" in reachable else reachable
    return f"{scheme}://{shown}:{port}/mcp"


def wait_until_listening(
    port: int, process: subprocess.Popen[str], host: str = "127.0.0.1"
) -> None:
    deadline = time.monotonic() + 30
    address = _reachable(host)
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        with socket.socket(_family(address)) as sock:
            if sock.connect_ex((address, port)) == 0:
                return
        time.sleep(0.05)  # readiness probe of a subprocess, not a wait for behaviour
    raise AssertionError("the HTTP server did not start listening")


def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "RODIN_DATA_DIR": str(tmp_path / "data"),
        "RODIN_OUTPUT_DIR": str(tmp_path / "out"),
        "RODIN_SANDBOX_SPEED": "100",
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "rodin_mcp", "serve", "--http", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.communicate(timeout=20)


@contextmanager
def running_server(
    tmp_path: Path, *args: str, host: str = "127.0.0.1", env: dict[str, str] | None = None
) -> Generator[int]:
    """`rodin-mcp serve --http --host HOST` on a free port, with ``args``; yields the port."""
    port = free_port(host)
    process = serve(tmp_path, "--host", host, "--port", str(port), *args, env=env)
    try:
        wait_until_listening(port, process, host)
        yield port
    finally:
        stop(process)


def refused_start(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int | None, str]:
    """The exit code and stderr of a server expected to refuse to start (None: it started and
    was stopped after 30 seconds)."""
    process = serve(tmp_path, "--port", str(free_port()), *args, env=env)
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate(timeout=20)
        return None, stderr
    return process.returncode, stderr


@contextmanager
def sandbox_http_server(tmp_path: Path) -> Generator[int]:
    """`rodin-mcp serve --http --sandbox` on a free loopback port; yields the port."""
    with running_server(tmp_path, "--sandbox") as port:
        yield port


@dataclass
class ServedHttp:
    """A running `rodin-mcp serve --http`: its base URL, and its stderr once it has stopped."""

    url: str
    stderr: str = ""


@contextmanager
def people_server(
    tmp_path: Path, base_url: str, api_key: str, tokens: str, env: dict[str, str] | None = None
) -> Generator[ServedHttp]:
    """`rodin-mcp serve --http` aimed at the emulator at ``base_url`` with the bearer tokens
    ``tokens`` (``RODIN_HTTP_TOKEN``)."""
    port = free_port()
    environment = {
        "RODIN_BASE_URL": base_url,
        "RODIN_API_KEY": api_key,
        "RODIN_HTTP_TOKEN": tokens,
        "RODIN_POLL_INITIAL": "0.05",
        "RODIN_POLL_MAX": "0.2",
        "RODIN_CONFIRM_SPEND": "never",
        **(env or {}),
    }
    process = serve(tmp_path, "--port", str(port), env=environment)
    served = ServedHttp(f"http://127.0.0.1:{port}")
    try:
        wait_until_listening(port, process)
        yield served
    finally:
        process.terminate()
        served.stderr = process.communicate(timeout=30)[1]
