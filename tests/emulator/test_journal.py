"""With a journal, tasks outlive the emulator process: clock, files and bill carry over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2

from rodin_mcp.emulator import EmulatorConfig, ManualClock, run_emulator_in_thread
from tests.emulator.helpers import png
from tests.emulator.models import obj_model


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


def test_texture_and_split_tasks_outlive_the_emulator_that_accepted_them(tmp_path: Path) -> None:
    clock = ManualClock()
    config = EmulatorConfig(
        api_key="k", starting_balance=10, clock=clock, journal=tmp_path / "tasks.jsonl"
    )
    auth = {"Authorization": "Bearer k"}
    with run_emulator_in_thread(config) as first:
        source = httpx2.post(
            f"{first.base_url}/rodin",
            data={"prompt": "a chair", "tier": "Gen-2", "quality_override": "2000"},
            headers=auth,
        ).json()["uuid"]
        clock.advance(600)
        texture = httpx2.post(
            f"{first.base_url}/rodin_texture_only",
            files=[("image", ("i.png", png(), "image/png")), ("model", ("m.obj", obj_model()))],
            headers=auth,
        ).json()
        split = httpx2.post(
            f"{first.base_url}/bang", json={"asset_id": source, "strength": 2}, headers=auth
        ).json()
    clock.advance(600)
    with run_emulator_in_thread(config) as second:
        assert [task.kind for task in second.tasks] == ["rodin", "rodin_texture_only", "bang"]
        assert second.balance == 8.5
        for made in (texture, split):
            listed = httpx2.post(
                f"{second.base_url}/download", json={"task_uuid": made["uuid"]}, headers=auth
            ).json()["list"]
            glb = next(item["url"] for item in listed if item["name"] == "base_basic_pbr.glb")
            assert httpx2.get(glb).content[:4] == b"glTF"
