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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
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


@contextmanager
def sandbox_http_server(tmp_path: Path) -> Generator[int]:
    """`rodin-mcp serve --http --sandbox` on a free loopback port; yields the port."""
    port = free_port()
    process = serve(tmp_path, "--port", str(port), "--sandbox")
    try:
        wait_until_listening(port, process)
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=20)


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
