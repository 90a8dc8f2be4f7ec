"""With a journal, tasks outlive the emulator process: clock, files and bill carry over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2

from rodin_mcp.emulator import EmulatorConfig, ManualClock, run_emulator_in_thread


def submit(base_url: str, prompt: str) -> dict[str, Any]:
    response = httpx2.post(
        f"{base_url}/rodin", data={"prompt": prompt}, headers={"Authorization": "Bearer k"}
    )
    assert response.status_code == 201
    return response.json()


def test_a_restarted_emulator_knows_the_tasks_of_the_last_one(tmp_path: Path) -> None:
    clock = ManualClock()
    config = EmulatorConfig(
        api_key="k", starting_balance=10, clock=clock, journal=tmp_path / "tasks.jsonl"
    )
    with run_emulator_in_thread(config) as first:
        made = submit(first.base_url, "a chair")
    clock.advance(600)
    auth = {"Authorization": "Bearer k"}
    with run_emulator_in_thread(config) as second:
        jobs: dict[str, Any] = made["jobs"]
        status = httpx2.post(
            f"{second.base_url}/status",
            json={"subscription_key": jobs["subscription_key"]},
            headers=auth,
        ).json()
        assert [job["status"] for job in status["jobs"]] == ["Done", "Done"]
        assert second.balance == 9.5
        listed = httpx2.post(
            f"{second.base_url}/download", json={"task_uuid": made["uuid"]}, headers=auth
        ).json()["list"]
        names = {item["name"] for item in listed}
        assert "base_basic_pbr.glb" in names
        glb = next(item["url"] for item in listed if item["name"] == "base_basic_pbr.glb")
        assert httpx2.get(glb).content[:4] == b"glTF"


def test_a_torn_last_line_is_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    journal = tmp_path / "tasks.jsonl"
    config = EmulatorConfig(api_key="k", journal=journal)
    with run_emulator_in_thread(config) as first:
        submit(first.base_url, "a lamp")
    with journal.open("a", encoding="utf-8") as file:
        file.write('{"v":1,"uuid":"half')
    with run_emulator_in_thread(config) as second:
        assert len(second.tasks) == 1


def test_without_a_journal_a_new_emulator_starts_empty(tmp_path: Path) -> None:
    config = EmulatorConfig(api_key="k")
    with run_emulator_in_thread(config) as first:
        submit(first.base_url, "a cup")
    with run_emulator_in_thread(config) as second:
        assert second.tasks == []
