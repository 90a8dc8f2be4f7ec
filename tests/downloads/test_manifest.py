"""``task.json``: written atomically from the ledger's record, read back, never holding the key."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from rodin_mcp.downloads import MANIFEST_NAME, read_manifest, write_manifest
from rodin_mcp.records import RecordState, StoredFile, TaskRecord

SECRET_KEY = "subscription-key-that-must-not-leak"


def a_record(folder: Path, *, downloaded_at: float = 1_700_000_000.0) -> TaskRecord:
    data = b"glTF model bytes"
    stored = StoredFile(
        name="base.glb",
        path=folder / "base.glb",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        mime_type="model/gltf-binary",
        source_name="base_basic_pbr.glb",
    )
    return TaskRecord(
        id=1,
        task_uuid="task-1",
        subscription_key=SECRET_KEY,
        job_uuids=("job-1", "job-2"),
        fingerprint="fp",
        prompt="a copper kettle",
        tier="Regular",
        request={"prompt": "a copper kettle", "tier": "Regular"},
        image_count=0,
        estimated_credits=0.5,
        consumed=0.5,
        sandbox=False,
        scope="http://127.0.0.1:9/api/v2",
        state=RecordState.DONE,
        error=None,
        jobs=(),
        created_at=downloaded_at - 60,
        submitted_at=downloaded_at - 59,
        updated_at=downloaded_at,
        submit_time="2026-12-03T06:00:00Z",
        output_dir=str(folder),
        files=(stored,),
        downloaded_at=downloaded_at,
    )


def test_a_written_manifest_reads_back_with_the_task_ids_prompt_and_files(tmp_path: Path) -> None:
    path = write_manifest(tmp_path, a_record(tmp_path))
    assert path == tmp_path / MANIFEST_NAME
    manifest = read_manifest(tmp_path)
    assert manifest["task_uuid"] == "task-1"
    assert manifest["job_uuids"] == ["job-1", "job-2"]
    assert manifest["prompt"] == "a copper kettle"
    assert manifest["submit_time"] == "2026-12-03T06:00:00Z"
    assert manifest["files"][0]["name"] == "base.glb"
    assert manifest["files"][0]["source_name"] == "base_basic_pbr.glb"
    assert SECRET_KEY not in path.read_text(encoding="utf-8")


def test_writing_leaves_no_temporary_file_beside_the_manifest(tmp_path: Path) -> None:
    write_manifest(tmp_path, a_record(tmp_path))
    write_manifest(tmp_path, a_record(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME]


def test_a_rewrite_keeps_when_the_files_were_first_downloaded(tmp_path: Path) -> None:
    write_manifest(tmp_path, a_record(tmp_path, downloaded_at=1_700_000_000.0))
    first = read_manifest(tmp_path)["first_downloaded_at"]
    later = dataclasses.replace(a_record(tmp_path), downloaded_at=1_800_000_000.0)
    write_manifest(tmp_path, later)
    manifest = read_manifest(tmp_path)
    assert manifest["first_downloaded_at"] == first
    assert manifest["downloaded_at"] != first


def test_a_missing_or_broken_manifest_reads_as_empty(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(["a", "list"]), encoding="utf-8")
    assert read_manifest(tmp_path) == {}


def test_a_symlinked_manifest_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"task_uuid": "planted"}), encoding="utf-8")
    folder = tmp_path / "task"
    folder.mkdir()
    (folder / MANIFEST_NAME).symlink_to(elsewhere)
    assert read_manifest(folder) == {}
