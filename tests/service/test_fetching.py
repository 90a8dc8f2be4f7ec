"""Fetching a finished task's files through the service: verified files beside their task.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.service import RodinService

pytestmark = pytest.mark.anyio


async def test_fetching_a_done_task_writes_verified_files_and_a_task_json_and_no_partials(
    service: RodinService,
) -> None:
    task = await service.generate(await service.prepare({"prompt": "a bronze bell"}))
    await service.status(task.task_uuid, wait_seconds=20)
    result = await service.fetch_results(task.task_uuid)
    assert result.output_dir is not None
    folder = Path(result.output_dir)
    assert folder.parent == service.output_dir
    assert result.files
    for file in result.files:
        data = Path(file.path).read_bytes()
        assert file.size == len(data)
        assert file.sha256 == hashlib.sha256(data).hexdigest()
        assert Path(file.path).parent == folder
    manifest = json.loads((folder / "task.json").read_text(encoding="utf-8"))
    assert manifest["task_uuid"] == task.task_uuid
    assert {f["name"] for f in manifest["files"]} == {f.name for f in result.files}
    assert not [p for p in folder.rglob("*") if p.name.endswith(".part")]


async def test_listing_without_download_fetches_nothing_and_lists_what_is_on_disk(
    service: RodinService, emulator: RunningEmulator
) -> None:
    task = await service.generate(await service.prepare({"prompt": "a bronze bell"}))
    await service.status(task.task_uuid, wait_seconds=20)
    before = await service.fetch_results(task.task_uuid, download=False)
    assert before.files == []
    assert not before.downloaded
    assert not service.output_dir.exists()
    fetched = await service.fetch_results(task.task_uuid)
    assets = sum(1 for r in emulator.requests if r.endpoint == "asset")
    listed = await service.fetch_results(task.task_uuid, download=False)
    assert [f.sha256 for f in listed.files] == [f.sha256 for f in fetched.files]
    assert sum(1 for r in emulator.requests if r.endpoint == "asset") == assets
