"""The real stdio server as hosts run it: JSON-RPC on stdout, and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from tests.server.conftest import structured
from tests.server.raw_stdio import RawStdio, sandbox_env

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_stdio_server_runs_generate_status_and_downloads_in_sandbox(
    tmp_path: Path, mode: str
) -> None:
    env = sandbox_env(tmp_path, PYTHONUNBUFFERED="1")
    params = StdioServerParameters(command=sys.executable, args=["-m", "rodin_mcp"], env=env)
    async with Client(params, mode=mode, read_timeout_seconds=60) as client:  # type: ignore[arg-type]
        made = structured(await client.call_tool("generate_3d", {"prompt": "a chair"}))
        assert made["sandbox"] is True
        status = structured(
            await client.call_tool(
                "check_status", {"task_uuid": made["task_uuid"], "wait_seconds": 45}
            )
        )
        assert status["state"] == "done"
        files = structured(
            await client.call_tool("list_downloads", {"task_uuid": made["task_uuid"]})
        )["files"]
    assert {"base_basic_pbr.glb", "preview.webp"} <= {f["name"] for f in files}
    assert all(Path(f["path"]).is_file() for f in files)


def test_nothing_but_json_rpc_reaches_stdout(tmp_path: Path) -> None:
    messages: list[dict[str, Any]] = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "purity-test", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "generate_3d", "arguments": {"prompt": "a lamp"}},
        },
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "check_balance", "arguments": {}},
        },
    ]
    stdin = "".join(json.dumps(m) + "\n" for m in messages)
    completed = subprocess.run(
        [sys.executable, "-m", "rodin_mcp", "-v"],
        input=stdin,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        env=sandbox_env(tmp_path, PYTHONUNBUFFERED="1"),
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    assert lines, completed.stderr
    answered: set[int] = set()
    for line in lines:
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0"
        if "id" in message:
            answered.add(message["id"])
    assert {1, 2, 3, 4} <= answered


def test_the_stdio_server_speaks_utf8_json_rpc_whatever_the_console_encoding(
    tmp_path: Path,
) -> None:
    prompt = "une chaise é, 椅子 🪑"
    env = sandbox_env(tmp_path, PYTHONIOENCODING="cp1252", PYTHONUTF8="0")
    # RawStdio reads stdout as strict UTF-8, one JSON message a line, notifications included.
    with RawStdio(env) as server:
        server.handshake("2025-11-25")
        call = {"name": "generate_3d", "arguments": {"prompt": prompt}}
        made = server.result("tools/call", call)["structuredContent"]
        listed = server.result("tools/call", {"name": "list_tasks", "arguments": {}})

    (task,) = listed["structuredContent"]["tasks"]
    assert (task["task_uuid"], task["prompt"]) == (made["task_uuid"], prompt)
