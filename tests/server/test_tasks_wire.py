"""The Tasks wire details, spoken by hand to the stdio server in the sandbox: what each protocol
version is offered, the errors, time to live, cancelling an ended task, and the bound on working
tasks. (The full flows, with the official requester, are in test_tasks.py.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.server.raw_stdio import RawStdio, modern_meta, sandbox_env

CHAIR = {"name": "generate_3d", "arguments": {"prompt": "a red chair"}}


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, **sandbox_env(tmp_path, **extra)}


def settle(peer: RawStdio, task_id: str) -> dict[str, Any]:
    """2025-11-25 ``tasks/result``: waits for the end, then the tool's result."""
    return peer.result("tasks/result", {"taskId": task_id})


def test_2025_11_25_offers_tasks_for_the_paid_tools_only(tmp_path: Path) -> None:
    with RawStdio(env(tmp_path)) as peer:
        init = peer.handshake("2025-11-25")
        tools = peer.result("tools/list", {})["tools"]
    # No tasks/list without client identities: over stdio it would list everyone's.
    assert init["capabilities"]["tasks"] == {"cancel": {}, "requests": {"tools": {"call": {}}}}
    support = {t["name"]: t.get("execution", {}).get("taskSupport") for t in tools}
    assert support == {
        "generate_3d": "optional",
        "generate_texture": "optional",
        "split_into_parts": "optional",
        "check_status": None,
        "list_downloads": None,
        "check_balance": None,
        "inspect_model": None,
        "convert_model": None,
        "list_tasks": None,
    }


def test_an_older_protocol_sees_no_tasks_and_a_task_request_is_answered_at_once(
    tmp_path: Path,
) -> None:
    with RawStdio(env(tmp_path)) as peer:
        init = peer.handshake("2025-06-18")
        tools = peer.result("tools/list", {})["tools"]
        answer = peer.result("tools/call", {**CHAIR, "task": {}})
        unknown = peer.error("tasks/get", {"taskId": "x"})
    assert "tasks" not in init["capabilities"]
    assert all("execution" not in t for t in tools)
    assert answer["structuredContent"]["subscription_key"]
    assert unknown["code"] == -32601


def test_a_2025_11_25_task_settles_with_the_files_and_its_task_id_and_is_not_listed_on_stdio(
    tmp_path: Path,
) -> None:
    with RawStdio(env(tmp_path)) as peer:
        peer.handshake("2025-11-25")
        task = peer.result("tools/call", {**CHAIR, "task": {"ttl": 1}})["task"]
        listed = peer.error("tasks/list", {})
        result = settle(peer, task["taskId"])
        again = peer.error("tasks/cancel", {"taskId": task["taskId"]})
    assert task["status"] == "working"
    assert task["ttl"] == 60_000  # one minute at least, whatever was asked
    assert listed["code"] == -32601
    assert result["_meta"]["io.modelcontextprotocol/related-task"] == {"taskId": task["taskId"]}
    assert result["structuredContent"]["state"] == "done"
    assert again["code"] == -32602
    assert "already completed" in again["message"]


def test_an_unknown_task_id_is_refused_with_the_next_step(tmp_path: Path) -> None:
    with RawStdio(env(tmp_path)) as peer:
        peer.handshake("2025-11-25")
        refused = peer.error("tasks/get", {"taskId": "not-a-task"})
        missing = peer.error("tasks/get", {})
    assert refused["code"] == -32602
    assert "no task 'not-a-task'" in refused["message"]
    assert "list_tasks" in refused["message"]
    assert missing["code"] == -32602


def test_2026_07_28_tasks_need_the_extension_declared_on_each_request(tmp_path: Path) -> None:
    with RawStdio(env(tmp_path)) as peer:
        discovered = peer.result("server/discover", {"_meta": modern_meta(tasks=False)})
        plain = peer.result("tools/call", {**CHAIR, "_meta": modern_meta(tasks=False)})
        undeclared = peer.error("tasks/get", {"taskId": "x", "_meta": modern_meta(tasks=False)})
        task = peer.result("tools/call", {**CHAIR, "_meta": modern_meta(tasks=True)})
        update = peer.error(
            "tasks/update",
            {"taskId": task["taskId"], "inputResponses": {}, "_meta": modern_meta(tasks=True)},
        )
    assert discovered["capabilities"]["extensions"]["io.modelcontextprotocol/tasks"] == {}
    assert "tasks" not in discovered["capabilities"]
    assert plain["resultType"] == "complete"
    assert plain["structuredContent"]["subscription_key"]
    assert undeclared["code"] == -32021
    assert task["resultType"] == "task"
    assert task["ttlMs"] == 86_400_000
    assert task["pollIntervalMs"] == 2000
    assert update["code"] == -32602


def test_a_2026_07_28_completed_task_inlines_its_result_and_a_late_cancel_is_acknowledged(
    tmp_path: Path,
) -> None:
    meta = modern_meta(tasks=True)
    with RawStdio(env(tmp_path)) as peer:
        task = peer.result("tools/call", {**CHAIR, "_meta": meta})
        # Another process on the same data folder waits for the end (2025-11-25 tasks/result);
        # it reads the run from the ledger and leaves it to the live process running it.
        with RawStdio(env(tmp_path)) as waiter:
            waiter.handshake("2025-11-25")
            settle(waiter, task["taskId"])
        got = peer.result("tasks/get", {"taskId": task["taskId"], "_meta": meta})
        cancelled = peer.result("tasks/cancel", {"taskId": task["taskId"], "_meta": meta})
    assert got["status"] == "completed"
    assert got["result"]["resultType"] == "complete"
    assert got["result"]["structuredContent"]["files"]
    assert cancelled["resultType"] == "complete"


def test_beyond_the_working_task_limit_a_call_is_answered_at_once(tmp_path: Path) -> None:
    slow = env(tmp_path, RODIN_SANDBOX_SPEED="1", RODIN_TASK_MAX_WORKING="1")
    with RawStdio(slow) as peer:
        peer.handshake("2025-11-25")
        first = peer.result("tools/call", {**CHAIR, "task": {}})
        second = peer.result(
            "tools/call",
            {"name": "generate_3d", "arguments": {"prompt": "a tall lamp"}, "task": {}},
        )
    assert first["task"]["status"] == "working"
    assert second["structuredContent"]["subscription_key"]  # today's answer, to follow by hand


def test_a_split_into_parts_task_settles_with_the_parts_of_a_finished_generation(
    tmp_path: Path,
) -> None:
    source = {"name": "generate_3d", "arguments": {"prompt": "a robot", "tier": "Gen-2"}}
    with RawStdio(env(tmp_path)) as peer:
        peer.handshake("2025-11-25")
        made = settle(peer, peer.result("tools/call", {**source, "task": {}})["task"]["taskId"])
        task_uuid = made["structuredContent"]["task_uuid"]
        split = {"name": "split_into_parts", "arguments": {"task_uuid": task_uuid, "strength": 3}}
        parts = settle(peer, peer.result("tools/call", {**split, "task": {}})["task"]["taskId"])
    assert parts["structuredContent"]["state"] == "done"
    assert parts["structuredContent"]["task_uuid"] != task_uuid
    assert parts["structuredContent"]["model"]["meshes"]  # the parts, inspected
    assert "-parts_" in parts["structuredContent"]["output_dir"]
