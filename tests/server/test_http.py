"""`rodin-mcp serve --http`: Streamable HTTP at /mcp, loopback by default, a token off loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client

from tests.server.conftest import structured

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


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    process = serve(tmp_path, "--port", str(port), "--sandbox")
    try:
        wait_until_listening(port, process)
        yield port
    finally:
        process.terminate()
        process.communicate(timeout=20)


@pytest.mark.anyio
async def test_tools_work_over_streamable_http_in_sandbox(loopback_server: int) -> None:
    async with Client(f"http://127.0.0.1:{loopback_server}/mcp") as client:
        made = structured(await client.call_tool("generate_3d", {"prompt": "a vase"}))
        status = structured(
            await client.call_tool(
                "check_status", {"task_uuid": made["task_uuid"], "wait_seconds": 45}
            )
        )
    assert made["sandbox"] is True
    assert status["state"] == "done"


def test_requests_naming_another_host_are_refused_on_loopback(loopback_server: int) -> None:
    url = f"http://127.0.0.1:{loopback_server}/mcp"
    evil = httpx2.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Host": "evil.example"})
    assert evil.status_code == 421
    fine = httpx2.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert fine.status_code == 200


def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    process = serve(tmp_path, "--host", "0.0.0.0", "--port", str(free_port()))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "RODIN_HTTP_TOKEN" in stderr


def test_beyond_loopback_every_request_needs_the_bearer_token(tmp_path: Path) -> None:
    token = "t0ken-" + "x" * 40
    port = free_port()
    process = serve(
        tmp_path,
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        "--sandbox",
        env={"RODIN_HTTP_TOKEN": token},
    )
    try:
        wait_until_listening(port, process)
        url = f"http://127.0.0.1:{port}/mcp"
        refused = httpx2.post(url, json=INITIALIZE, headers=MCP_HEADERS)
        assert refused.status_code == 401
        assert token not in refused.text
        accepted = httpx2.post(
            url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {token}"}
        )
        assert accepted.status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=20)
