"""`rodin-mcp texture` and `rodin-mcp split` against an emulator on a loopback port."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image

from rodin_mcp.emulator import RunningEmulator
from tests.cli.helpers import run_cli
from tests.emulator.models import glb_model


def _finished_task(arguments: list[str], env: dict[str, str]) -> str:
    made = run_cli(["generate", *arguments, "--json"], env)
    assert made.code == 0, made.stderr
    task = str(made.json()["task_uuid"])
    assert run_cli(["status", task, "--wait"], env).code == 0
    return task


def _sent(emulator: RunningEmulator, endpoint: str) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == endpoint)


def test_texture_sends_the_model_and_image_and_with_wait_downloads_the_result(
    api_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    (tmp_path / "mug.glb").write_bytes(glb_model())
    Image.new("RGB", (64, 64), (150, 90, 40)).save(tmp_path / "oak.png")

    run = run_cli(
        ["texture", "mug.glb", "--image", "oak.png", "--resolution", "High", "--wait", "--json"],
        api_env,
        cwd=tmp_path,
    )

    assert run.code == 0, run.stderr
    (sent,) = [r for r in emulator.requests if r.endpoint == "rodin_texture_only"]
    model_sha = hashlib.sha256((tmp_path / "mug.glb").read_bytes()).hexdigest()
    assert [(p.name, p.sha256) for p in sent.file_parts][1] == ("model", model_sha)
    assert sent.fields["resolution"] == ["High"]
    assert sent.task_uuid is not None
    folder = next((tmp_path / "output").iterdir())
    assert folder.name.endswith(f"_mug-texture_{sent.task_uuid[:8]}")
    assert any(path.suffix == ".glb" for path in folder.iterdir())


def test_texture_of_a_file_that_is_not_a_model_sends_nothing_and_fails(
    api_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    (tmp_path / "notes.glb").write_text("not a mesh\n", encoding="utf-8")
    Image.new("RGB", (64, 64), (150, 90, 40)).save(tmp_path / "oak.png")

    run = run_cli(["texture", "notes.glb", "--image", "oak.png"], api_env, cwd=tmp_path)

    assert run.code != 0
    assert "is not a 3D model" in run.stderr
    assert _sent(emulator, "rodin_texture_only") == 0


def test_split_of_a_regular_task_is_refused_with_what_would_work(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    task = _finished_task(["a lamp"], api_env)

    run = run_cli(["split", task], api_env)

    assert run.code != 0
    assert "tier Regular" in run.stderr
    assert "rodin-mcp generate --tier Gen-2" in run.stderr
    assert _sent(emulator, "bang") == 0


def test_split_of_a_gen2_task_sends_its_options_and_prints_how_to_follow_it(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    task = _finished_task(["a robot", "--tier", "Gen-2"], api_env)

    run = run_cli(["split", task, "--strength", "9"], api_env)

    assert run.code == 0, run.stderr
    (sent,) = [r for r in emulator.requests if r.endpoint == "bang"]
    assert sent.fields["asset_id"] == [task]
    assert sent.fields["strength"] == ["9"]
    assert f"rodin-mcp status {sent.task_uuid} --wait" in run.stdout


def test_split_with_wait_downloads_the_parts_beside_the_source_folder_name(
    api_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    task = _finished_task(["a robot", "--tier", "Gen-2"], api_env)

    run = run_cli(["split", task, "--wait", "--json"], api_env)

    assert run.code == 0, run.stderr
    (sent,) = [r for r in emulator.requests if r.endpoint == "bang"]
    assert sent.task_uuid is not None
    downloads = run.json()["downloads"]
    folder = Path(downloads["output_dir"])
    assert folder.name.endswith(f"_a-robot-parts_{sent.task_uuid[:8]}")
    for info in downloads["files"]:
        assert hashlib.sha256(Path(info["path"]).read_bytes()).hexdigest() == info["sha256"]


def test_a_texture_whose_connection_dropped_exits_1_and_is_not_sent_again(
    api_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    (tmp_path / "mug.glb").write_bytes(glb_model())
    Image.new("RGB", (64, 64), (150, 90, 40)).save(tmp_path / "oak.png")
    emulator.faults.add("rodin_texture_only=drop:accept")
    arguments = ["texture", "mug.glb", "--image", "oak.png"]

    lost = run_cli(arguments, api_env, cwd=tmp_path)
    again = run_cli(arguments, api_env, cwd=tmp_path)

    assert lost.code == 1
    assert again.code == 1
    assert "--force-new" in again.stderr
    assert _sent(emulator, "rodin_texture_only") == 1


def test_tasks_shows_a_split_as_parts_of_its_source(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    source = _finished_task(["a robot", "--tier", "Gen-2"], api_env)
    split = run_cli(["split", source, "--json"], api_env).json()["task_uuid"]

    run = run_cli(["tasks"], api_env)

    assert run.code == 0, run.stderr
    row = next(line for line in run.stdout.splitlines() if split in line)
    assert " split " in row
    assert f"from {source[:8]}" in row
