"""Running `rodin-mcp serve --http` as a subprocess for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import contextmanager
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
