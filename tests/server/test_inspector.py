"""The official MCP Inspector (v2 CLI) drives the server: lists tools, then generate -> status ->
downloads against the sandbox, over Streamable HTTP and over stdio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.node_tools import node_env, npm_bin
from tests.server.http_server import sandbox_http_server


def inspector(home: Path, *args: str) -> Any:
    completed = subprocess.run(
        [str(npm_bin("mcp-inspector")), "--cli", *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=node_env(home),
        check=False,
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return json.loads(completed.stdout.strip().splitlines()[-1])["result"]


def call(home: Path, url: str, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = inspector(
        home,
        url,
        "--method",
        "tools/call",
        "--tool-name",
        tool,
        "--tool-args-json",
        json.dumps(arguments),
    )
    assert result.get("isError") is not True, result
    return result["structuredContent"]


def test_the_inspector_lists_the_tools_over_stdio(tmp_path: Path) -> None:
    listed = inspector(
        tmp_path,
        sys.executable,
        "-m",
        "rodin_mcp",
        "-e",
        "RODIN_SANDBOX=1",
        "-e",
        f"RODIN_DATA_DIR={tmp_path / 'data'}",
        "--method",
        "tools/list",
    )
    names = {tool["name"] for tool in listed["tools"]}
    assert names == {
        "generate_3d",
        "check_status",
        "list_downloads",
        "check_balance",
        "list_tasks",
        "inspect_model",
    }


def test_the_inspector_runs_generate_status_and_downloads_over_http(tmp_path: Path) -> None:
    with sandbox_http_server(tmp_path) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        listed = inspector(tmp_path, url, "--method", "tools/list")
        assert "generate_3d" in {tool["name"] for tool in listed["tools"]}
        made = call(tmp_path, url, "generate_3d", {"prompt": "a wooden chair"})
        assert made["sandbox"] is True
        status = call(
            tmp_path, url, "check_status", {"task_uuid": made["task_uuid"], "wait_seconds": 45}
        )
        assert status["state"] == "done"
        downloads = call(tmp_path, url, "list_downloads", {"task_uuid": made["task_uuid"]})
    names = {f["name"] for f in downloads["files"]}
    assert "preview.webp" in names
    assert all(Path(f["path"]).is_file() for f in downloads["files"])
