"""Generations as MCP Tasks, driven by a real Tasks requester (the official ext-tasks client,
tools/tasks-requester.mjs) against the real server as a subprocess, over stdio and Streamable
HTTP, in both wire generations: ``v1`` is the 2025-11-25 Tasks (SEP-1686, initialize handshake,
``params.task``), ``v2`` the 2026-07-28 Tasks extension (SEP-2663, ``io.modelcontextprotocol/tasks``
declared per request). The emulator runs jobs at 20x (a Regular job takes about 3.5 s), so a
task is still working when it is killed or cancelled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from rodin_mcp.emulator import EmulatorConfig, RunningEmulator, run_emulator_in_thread
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.server.conftest import structured
from tests.server.tasks_requester import (
    Requested,
    child_pids,
    kill_9,
    read_until,
    run_requester,
    running_server,
    server_env,
    start_requester,
)

GENERATIONS = ["v1", "v2"]
TRANSPORTS = ["stdio", "http"]


@pytest.fixture
def emulator(sentinel_api_key: str) -> Iterator[RunningEmulator]:
    config = EmulatorConfig(api_key=sentinel_api_key, speed=20.0, starting_balance=1000.0)
    with run_emulator_in_thread(config) as running:
        yield running


@pytest.fixture
def env(tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str) -> dict[str, str]:
    return server_env(tmp_path, emulator, sentinel_api_key)


def submits(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == "rodin")


def settled_files(requested: Requested) -> dict[str, Any]:
    """The structured result a settled task carries, after checking its shape."""
    result = requested.one("result")
    assert result["kind"] == "task", requested.events
    assert result["status"] == "completed"
    return result["result"]


def check_saved_files(call_result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every file the result names is on disk with its SHA-256, and has a resource link."""
    files: list[dict[str, Any]] = call_result["structuredContent"]["files"]
    assert files
    links = {b["uri"] for b in call_result["content"] if b["type"] == "resource_link"}
    for f in files:
        assert hashlib.sha256(Path(f["path"]).read_bytes()).hexdigest() == f["sha256"]
        assert f["uri"] in links
    assert any(b["type"] == "image" for b in call_result["content"])  # the preview
    return files


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_generate_3d_task_settles_with_the_saved_files_and_their_resource_links(
    tmp_path: Path, env: dict[str, str], emulator: RunningEmulator, transport: str, generation: str
) -> None:
    with running_server(transport, tmp_path, env) as (server, _):
        requested = run_requester(
            server, tmp_path, generation, "--tool", "generate_3d", "--args",
            json.dumps({"prompt": "a red chair"}), "--preference", "prefer",
        )  # fmt: skip
    assert requested.returncode == 0, requested.events
    assert requested.one("connected")["generation"] == generation
    created = requested.one("task_created")
    check_saved_files(settled_files(requested))
    messages = [s.get("statusMessage", "") for s in requested.of("status")]
    assert any("jobs done" in m for m in messages), messages
    assert any("saved in" in m for m in messages), messages
    assert requested.of("status")[-1]["status"] == "completed"
    assert submits(emulator) == 1
    assert len(created["taskId"]) >= 32


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_2025_11_25_status_notifications_arrive_while_the_task_runs(
    tmp_path: Path, env: dict[str, str], transport: str
) -> None:
    with running_server(transport, tmp_path, env) as (server, _):
        requested = run_requester(
            server, tmp_path, "v1", "--tool", "generate_3d", "--args",
            json.dumps({"prompt": "a blue vase"}), "--preference", "prefer",
        )  # fmt: skip
    assert requested.returncode == 0, requested.events
    pushed = [
        n["params"] for n in requested.of("notification")
        if n["method"] == "notifications/tasks/status"
    ]  # fmt: skip
    task_id = requested.one("task_created")["taskId"]
    assert pushed
    assert all(p["taskId"] == task_id for p in pushed)
    assert any(p["status"] == "working" and "jobs done" in p["statusMessage"] for p in pushed)
    assert pushed[-1]["status"] == "completed"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_task_survives_a_kill_9_of_the_server_and_settles_after_a_restart_without_resubmitting(
    tmp_path: Path, env: dict[str, str], emulator: RunningEmulator, transport: str, generation: str
) -> None:
    arguments = json.dumps({"prompt": "a brass lamp"})
    with running_server(transport, tmp_path, env) as (server, http_process):
        first = start_requester(
            server, tmp_path, generation, "--tool", "generate_3d", "--args", arguments,
            "--preference", "prefer",
        )  # fmt: skip
        events = read_until(first, "status")
        task_id = next(e["taskId"] for e in events if e["event"] == "task_created")
        victim = http_process.pid if http_process is not None else child_pids(first.pid)[0]
        kill_9(victim)
        first.kill()
        first.communicate(timeout=20)
    assert not list((tmp_path / "out").glob("*/*.glb"))  # it died before downloading
    with running_server(transport, tmp_path, env) as (server, _):
        resumed = run_requester(server, tmp_path, generation, "--resume", task_id)
    assert resumed.returncode == 0, (resumed.events, resumed.stderr[-2000:])
    check_saved_files(settled_files(resumed))
    assert submits(emulator) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("generation", GENERATIONS)
async def test_cancelling_a_task_stops_the_flow_says_the_job_may_still_finish_and_keeps_it(
    tmp_path: Path,
    env: dict[str, str],
    emulator: RunningEmulator,
    settings: Settings,
    generation: str,
) -> None:
    with running_server("stdio", tmp_path, env) as (server, _):
        requested = run_requester(
            server, tmp_path, generation, "--tool", "generate_3d", "--args",
            json.dumps({"prompt": "a green kettle"}), "--preference", "prefer",
            "--cancel-after-status", "1",
        )  # fmt: skip
    assert requested.returncode == 0, requested.events
    assert requested.one("outcome")["status"] == "cancelled"
    after = requested.one("post_cancel_snapshot")
    assert after["status"] == "cancelled"
    assert "may still finish" in after["statusMessage"]
    assert "list_downloads" in after["statusMessage"]
    assert not list((tmp_path / "out").glob("*/*.glb"))
    assert submits(emulator) == 1
    ledger = settings.model_copy(update={"data_dir": tmp_path / "data"})
    async with Client(build_server(ledger)) as client:
        tasks = structured(await client.call_tool("list_tasks", {}))["tasks"]
    assert [t["prompt"] for t in tasks] == ["a green kettle"]
    assert tasks[0]["task_uuid"]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_a_client_without_tasks_gets_the_immediate_submit_answer(
    fast_settings: Settings, mode: str
) -> None:
    async with Client(build_server(fast_settings), mode=mode) as client:  # type: ignore[arg-type]
        made = structured(await client.call_tool("generate_3d", {"prompt": "a teapot"}))
    assert made["task_uuid"]
    assert made["subscription_key"]
    assert "files" not in made


@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_task_is_invisible_to_another_token_over_http(
    tmp_path: Path, env: dict[str, str], generation: str
) -> None:
    tokens = {**env, "RODIN_HTTP_TOKEN": "token-of-alice-0123456789,token-of-bob-0123456789"}
    alice = ["--header", "Authorization: Bearer token-of-alice-0123456789"]
    bob = ["--header", "Authorization: Bearer token-of-bob-0123456789"]
    with running_server("http", tmp_path, tokens) as (server, _):
        made = run_requester(
            server, tmp_path, generation, *alice, "--tool", "generate_3d", "--args",
            json.dumps({"prompt": "a silver key"}), "--preference", "prefer",
            "--detach-after-create",
        )  # fmt: skip
        task_id = made.one("task_created")["taskId"]
        if generation == "v1":  # tasks are bound to tokens here, so they can be listed
            assert "list" in made.one("connected")["serverCapabilities"]["tasks"]
        stranger = run_requester(server, tmp_path, generation, *bob, "--resume", task_id)
        owner = run_requester(server, tmp_path, generation, *alice, "--resume", task_id)
    assert stranger.returncode != 0
    assert "no task" in json.dumps(stranger.of("error") + stranger.of("outcome"))
    check_saved_files(settled_files(owner))


@pytest.mark.parametrize("generation", GENERATIONS)
def test_a_task_whose_job_fails_at_rodin_ends_with_an_error_that_says_what_to_do(
    tmp_path: Path, sentinel_api_key: str, generation: str
) -> None:
    config = EmulatorConfig(api_key=sentinel_api_key, speed=100.0, faults="rodin=fail")
    with run_emulator_in_thread(config) as failing:
        env = server_env(tmp_path, failing, sentinel_api_key)
        with running_server("stdio", tmp_path, env) as (server, _):
            requested = run_requester(
                server, tmp_path, generation, "--tool", "generate_3d", "--args",
                json.dumps({"prompt": "a doomed chair"}), "--preference", "prefer",
            )  # fmt: skip
    last = requested.of("status")[-1]
    assert "failed" in last["statusMessage"]
    assert "list_tasks" in last["statusMessage"]
    if generation == "v1":  # 2025-11-25: a tool error makes the task failed
        assert last["status"] == "failed"
        assert requested.one("outcome")["status"] == "failed"
    else:  # the extension keeps "failed" for JSON-RPC errors: completed, with isError
        assert last["status"] == "completed"
        assert requested.one("result")["result"]["isError"] is True
    assert not list((tmp_path / "out").glob("*/*.glb"))
