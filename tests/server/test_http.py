"""`rodin-mcp serve --http`: Streamable HTTP at /mcp, loopback by default, a token off loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client

from tests.server.conftest import structured
from tests.server.http_server import free_port, sandbox_http_server, serve, wait_until_listening

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


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[int]:
    with sandbox_http_server(tmp_path) as port:
        yield port


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
