"""`rodin-mcp generate` against an emulator on a loopback port, as with the real API."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from rodin_mcp.emulator import RunningEmulator
from tests.cli.helpers import run_cli


def submits(emulator: RunningEmulator) -> list[dict[str, list[str]]]:
    return [r.fields for r in emulator.requests if r.endpoint == "rodin"]


def test_generate_sends_the_options_given_on_the_command_line(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    run = run_cli(
        [
            "generate", "a robot", "--tier", "Gen-2", "--seed", "42", "--bbox", "1", "2", "3",
            "--ta-pose", "--geometry-file-format", "fbx", "--json",
        ],
        api_env,
    )  # fmt: skip

    assert run.code == 0, run.stderr
    [fields] = submits(emulator)
    assert fields["prompt"] == ["a robot"]
    assert fields["tier"] == ["Gen-2"]
    assert fields["seed"] == ["42"]
    assert fields["bbox_condition"] == ["[1,2,3]"]
    assert fields["TAPose"] == ["true"]
    assert fields["geometry_file_format"] == ["fbx"]
    assert run.json()["tier"] == "Gen-2"


def test_generate_uploads_an_image_given_by_a_relative_path(
    api_env: dict[str, str], emulator: RunningEmulator, tmp_path: Path
) -> None:
    Image.new("RGB", (64, 64), (180, 120, 60)).save(tmp_path / "chair.png")

    run = run_cli(["generate", "--image", "chair.png", "--json"], api_env, cwd=tmp_path)

    assert run.code == 0, run.stderr
    [record] = [r for r in emulator.requests if r.endpoint == "rodin"]
    assert record.image_parts == 1


def test_generate_without_wait_returns_the_task_and_how_to_follow_it(
    api_env: dict[str, str],
) -> None:
    run = run_cli(["generate", "a wooden chair"], api_env)

    assert run.code == 0, run.stderr
    task = run.stdout.split("Submitted task ")[1].split()[0]
    assert f"rodin-mcp status {task} --wait" in run.stdout
    assert f"rodin-mcp download {task}" in run.stdout


def test_generate_json_without_wait_is_the_generate_result(api_env: dict[str, str]) -> None:
    run = run_cli(["generate", "a wooden chair", "--json"], api_env)

    assert run.code == 0, run.stderr
    result = run.json()
    assert result["sandbox"] is False
    assert result["estimated_credits"] == 0.5
    assert result["reused"] is False
    assert len(result["job_uuids"]) >= 2


def test_generate_with_wait_downloads_into_out_and_inspects_the_model(
    api_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "models"

    run = run_cli(
        ["generate", "a vase", "--tier", "Sketch", "--wait", "--out", str(out), "--json"], api_env
    )

    assert run.code == 0, run.stderr
    document = run.json()
    assert document["status"]["state"] == "done"
    assert document["downloads"]["output_dir"] == str(out)
    names = {f["name"] for f in document["downloads"]["files"]}
    assert "base_basic_pbr.glb" in names
    assert all((out / name).is_file() for name in names)
    assert document["inspection"]["path"] == str(out / "base_basic_pbr.glb")
    assert document["inspection"]["triangle_count"] > 0


def test_an_identical_request_soon_after_reuses_the_task_instead_of_paying_again(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    first = run_cli(["generate", "a lamp", "--json"], api_env)
    second = run_cli(["generate", "a lamp", "--json"], api_env)
    forced = run_cli(["generate", "a lamp", "--force-new", "--json"], api_env)

    assert (first.code, second.code, forced.code) == (0, 0, 0)
    assert second.json()["task_uuid"] == first.json()["task_uuid"]
    assert second.json()["reused"] is True
    assert forced.json()["task_uuid"] != first.json()["task_uuid"]
    assert len(submits(emulator)) == 2


def test_generate_with_sandbox_needs_no_key(sandbox_env: dict[str, str]) -> None:
    run = run_cli(["generate", "a cup", "--sandbox", "--wait", "--json"], sandbox_env)

    assert run.code == 0, run.stderr
    assert run.json()["generate"]["sandbox"] is True
    assert run.json()["downloads"]["downloaded"] is True
