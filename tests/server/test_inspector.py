"""The official MCP Inspector (v2 CLI) drives the server: lists tools, then generate -> status ->
downloads against the sandbox, over Streamable HTTP and over stdio; runs generate_3d as a task on
the 2026-07-28 protocol; and probes the MCP Apps viewer with and without advertising Apps
support."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.node_tools import node_env, npm_bin
from tests.server.http_server import sandbox_http_server
from tests.server.viewer_bundle import require_viewer


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


def call(home: Path, url: str, tool: str, arguments: dict[str, Any], *flags: str) -> dict[str, Any]:
    result = inspector(
        home,
        url,
        "--method",
        "tools/call",
        "--tool-name",
        tool,
        "--tool-args-json",
        json.dumps(arguments),
        *flags,
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
        "convert_model",
        "generate_texture",
        "split_into_parts",
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


def app_info(home: Path, url: str, *flags: str) -> dict[str, dict[str, Any]]:
    """The Inspector's MCP Apps probe of every tool (one JSON line each), by tool name."""
    completed = subprocess.run(
        [
            str(npm_bin("mcp-inspector")),
            "--cli",
            url,
            "--method",
            "tools/list",
            "--app-info",
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=node_env(home),
        check=False,
    )
    assert completed.returncode in {0, 2}, completed.stderr + completed.stdout  # 2: no app
    probes = [json.loads(line) for line in completed.stdout.splitlines() if line.startswith("{")]
    return {probe["toolName"]: probe for probe in probes}


def test_the_inspector_finds_the_viewer_app_only_when_it_advertises_apps_support(
    tmp_path: Path,
) -> None:
    require_viewer()
    with sandbox_http_server(tmp_path) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        plain = app_info(tmp_path, url)
        apps = app_info(tmp_path, url, "--advertise-apps")
    assert [name for name, probe in plain.items() if probe["hasApp"]] == []
    linked = sorted(name for name, probe in apps.items() if probe["hasApp"])
    assert linked == ["convert_model", "inspect_model", "list_downloads"]
    for name in linked:
        assert apps[name]["resourceUri"] == "ui://rodin-mcp/viewer.html"
        assert apps[name]["resourceMimeType"] == "text/html;profile=mcp-app"


def test_the_inspector_on_the_2026_07_28_protocol_runs_generate_3d_as_a_task_to_its_files(
    tmp_path: Path,
) -> None:
    """The Inspector's modern era declares the Tasks extension on every call (through
    ext-tasks) and follows the task with tasks/get, so one tools/call settles with the files,
    and its result is checked against the tool's output schema."""
    with sandbox_http_server(tmp_path) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        settled = call(
            tmp_path,
            url,
            "generate_3d",
            {"prompt": "a stone bench"},
            "--protocol-era",
            "modern",
        )
        legacy = call(tmp_path, url, "generate_3d", {"prompt": "a stone bench, again"})
    assert settled["state"] == "done"
    assert all(Path(f["path"]).is_file() for f in settled["files"])
    assert settled["model"]["triangle_count"] > 0
    assert "subscription_key" in legacy  # the 2025-11-25 era, without params.task: today's answer
