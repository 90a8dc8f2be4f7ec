"""`rodin-mcp status` and `rodin-mcp download` on tasks an earlier command submitted."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import run_cli


def submit(env: dict[str, str], prompt: str = "a wooden chair") -> str:
    run = run_cli(["generate", prompt, "--tier", "Sketch", "--json"], env)
    assert run.code == 0, run.stderr
    return str(run.json()["task_uuid"])


def test_status_wait_then_download_fetches_a_task_from_an_earlier_command(
    api_env: dict[str, str],
) -> None:
    task = submit(api_env)

    status = run_cli(["status", task, "--wait", "--json"], api_env)
    download = run_cli(["download", task, "--json"], api_env)

    assert status.code == 0, status.stderr
    assert status.json()["state"] == "done"
    assert {j["status"] for j in status.json()["jobs"]} == {"Done"}
    assert download.code == 0, download.stderr
    files = download.json()["files"]
    assert download.json()["downloaded"] is True
    assert all(Path(f["path"]).stat().st_size == f["size"] for f in files)


def test_download_shows_the_files_and_the_model_summary(
    api_env: dict[str, str], tmp_path: Path
) -> None:
    task = submit(api_env)
    assert run_cli(["status", task, "--wait"], api_env).code == 0

    run = run_cli(["download", task, "--out", str(tmp_path / "here")], api_env)

    assert run.code == 0, run.stderr
    assert f"Files in {tmp_path / 'here'}" in run.stdout
    assert "base_basic_pbr.glb" in run.stdout
    assert "Model base_basic_pbr.glb (GLB" in run.stdout
    assert (tmp_path / "here" / "base_basic_pbr.glb").is_file()


def test_status_of_a_finished_task_shows_its_jobs_and_the_next_command(
    api_env: dict[str, str],
) -> None:
    task = submit(api_env)
    assert run_cli(["status", task, "--wait", "--json"], api_env).code == 0

    run = run_cli(["status", task], api_env)

    assert run.code == 0, run.stderr
    assert f"Task {task}: done" in run.stdout
    assert run.stdout.count("Done") >= 2
    assert f"rodin-mcp download {task}" in run.stderr


def test_downloading_an_unfinished_task_exits_1_and_says_to_wait(
    slow_api_env: dict[str, str],
) -> None:
    task = submit(slow_api_env)

    run = run_cli(["download", task], slow_api_env)

    assert run.code == 1
    assert "nothing was downloaded" in run.stderr
    assert f"rodin-mcp status {task} --wait" in run.stderr


def test_status_of_an_unknown_task_exits_1_with_the_curated_message(
    api_env: dict[str, str],
) -> None:
    run = run_cli(["status", "00000000-0000-0000-0000-000000000000"], api_env)

    assert run.code == 1
    assert run.stderr.startswith("error: This server has no record of task 00000000-")
    assert "Traceback" not in run.stderr


def test_a_sandbox_task_from_an_earlier_command_is_explained_not_crashed_on(
    sandbox_env: dict[str, str],
) -> None:
    first = run_cli(
        ["generate", "a cup", "--tier", "Sketch", "--sandbox", "--wait", "--json"], sandbox_env
    )
    assert first.code == 0, first.stderr
    task = first.json()["generate"]["task_uuid"]
    folder = first.json()["downloads"]["output_dir"]

    status = run_cli(["status", task, "--sandbox"], sandbox_env)
    download = run_cli(["download", task, "--sandbox"], sandbox_env)

    for run in (status, download):
        assert run.code == 1
        assert "Traceback" not in run.stderr
        assert f"Task {task} is a sandbox task" in run.stderr
        assert "lives only as long as the command that started it" in run.stderr
        assert f"Its files were downloaded to {folder}" in run.stderr
