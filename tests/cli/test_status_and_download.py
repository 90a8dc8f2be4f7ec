"""`rodin-mcp status` and `rodin-mcp download` on tasks an earlier command submitted."""

from __future__ import annotations

from pathlib import Path

from rodin_mcp.service.opening import SANDBOX_JOURNAL
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
    assert run.stderr.startswith("error: There is no record of task 00000000-")
    assert "--subscription-key" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_sandbox_task_can_be_followed_by_a_later_command(
    sandbox_env: dict[str, str],
) -> None:
    task = submit({**sandbox_env, "RODIN_SANDBOX": "1"})

    status = run_cli(["status", task, "--sandbox", "--wait", "--json"], sandbox_env)
    download = run_cli(["download", task, "--sandbox", "--json"], sandbox_env)

    assert status.code == 0, status.stderr
    assert status.json()["state"] == "done"
    assert download.code == 0, download.stderr
    assert all(Path(f["path"]).is_file() for f in download.json()["files"])


def test_following_a_task_in_the_wrong_mode_says_which_flag_to_use(
    sandbox_env: dict[str, str], api_env: dict[str, str]
) -> None:
    sandbox_task = submit({**sandbox_env, "RODIN_SANDBOX": "1"})
    api_task = submit(api_env)

    without_flag = run_cli(["status", sandbox_task], api_env)
    with_flag = run_cli(["download", api_task, "--sandbox"], sandbox_env)

    assert without_flag.code == with_flag.code == 1
    assert without_flag.stderr.startswith(
        f"error: Task {sandbox_task} was submitted to the sandbox"
    )
    assert "Add --sandbox" in without_flag.stderr
    assert with_flag.stderr.startswith(f"error: Task {api_task} was submitted to the Rodin API")
    assert "without --sandbox" in with_flag.stderr


def test_a_sandbox_task_whose_journal_is_gone_is_explained_not_crashed_on(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    task = submit({**sandbox_env, "RODIN_SANDBOX": "1"})
    (tmp_path / "data" / SANDBOX_JOURNAL).unlink()

    run = run_cli(["status", task, "--sandbox"], sandbox_env)

    assert run.code == 1
    assert run.stderr.startswith(f"error: The sandbox no longer knows task {task}")
    assert "Traceback" not in run.stderr


def test_an_output_folder_that_cannot_be_made_exits_1_naming_rodin_output_dir(
    api_env: dict[str, str], tmp_path: Path
) -> None:
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("a regular file where a folder is needed")
    env = api_env | {"RODIN_OUTPUT_DIR": str(in_the_way / "Rodin")}
    task = submit(env)
    assert run_cli(["status", task, "--wait"], env).code == 0

    as_text = run_cli(["download", task], env)
    as_json = run_cli(["download", task, "--json"], env)

    assert as_text.code == as_json.code == 1
    error_line, advice = as_text.stderr.splitlines()[:2]
    assert error_line.startswith(
        f"error: Could not create or use the folder for the results, {in_the_way / 'Rodin'}"
    )
    assert "Set RODIN_OUTPUT_DIR to a folder you can write, or pass --out DIR" in advice
    assert as_json.json()["error"]["type"] == "OutputFolderError"
    assert "Traceback" not in as_text.stderr + as_json.stderr
