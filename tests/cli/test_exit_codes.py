"""Exit codes scripts can rely on: 0 ok, 1 error, 2 usage, 3 task failed, 4 timeout."""

from __future__ import annotations

import re

import pytest

from rodin_mcp.emulator import RunningEmulator
from tests.cli.helpers import run_cli


def test_a_wrong_key_exits_1_with_the_curated_message_and_never_shows_a_key(
    api_env: dict[str, str], sentinel_api_key: str
) -> None:
    wrong_key = "WrOnG" + sentinel_api_key[5:]
    env = {**api_env, "RODIN_API_KEY": wrong_key}

    run = run_cli(["balance"], env)

    assert run.code == 1
    assert run.stdout == ""
    assert re.fullmatch(r"error: .*API key.*\n", run.stderr, re.DOTALL), run.stderr
    assert wrong_key not in run.stderr
    assert "Traceback" not in run.stderr


def test_with_json_an_error_is_also_a_json_document_on_stdout(
    api_env: dict[str, str], sentinel_api_key: str
) -> None:
    env = {**api_env, "RODIN_API_KEY": "WrOnG" + sentinel_api_key[5:]}

    run = run_cli(["balance", "--json"], env)

    assert run.code == 1
    error = run.json()["error"]
    assert error["type"] == "AuthError"
    assert error["exit_code"] == 1
    assert run.stderr == f"error: {error['message']}\n{error['advice']}\n"
    assert "RODIN_API_KEY" in error["advice"]


def test_no_key_and_no_sandbox_exits_1_saying_both_ways_to_configure(
    sandbox_env: dict[str, str],
) -> None:
    run = run_cli(["generate", "a chair"], sandbox_env)

    assert run.code == 1
    assert "RODIN_API_KEY" in run.stderr
    assert "--sandbox" in run.stderr


def test_an_invalid_setting_exits_1_naming_the_variable(sandbox_env: dict[str, str]) -> None:
    env = {**sandbox_env, "RODIN_BASE_URL": "http://rodin.example.com/api/v2"}

    run = run_cli(["config"], env)

    assert run.code == 1
    assert run.stderr.startswith("error: Invalid setting. RODIN_BASE_URL: ")
    assert "https" in run.stderr


def test_an_option_rodin_refuses_exits_1_before_anything_is_sent(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    run = run_cli(["generate", "a chair", "--tier", "Sketch", "--material", "Shaded"], api_env)

    assert run.code == 1
    assert "error: Tier Sketch allows only material=PBR" in run.stderr
    assert [r for r in emulator.requests if r.endpoint == "rodin"] == []


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "a chair", "--tier", "Ultra"],
        ["generate", "a chair", "--out", "somewhere"],
        ["generate", "a chair", "--seed", "many"],
        ["status"],
        ["status", "some-task", "--wait", "-5"],
        ["tasks", "--limit", "0"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(args: list[str], sandbox_env: dict[str, str]) -> None:
    run = run_cli(args, sandbox_env)

    assert run.code == 2
    assert "usage:" in run.stderr
    assert run.stdout == ""


def test_a_spent_budget_exits_1_and_says_how_to_raise_it(api_env: dict[str, str]) -> None:
    run = run_cli(["generate", "a chair"], {**api_env, "RODIN_MAX_CREDITS": "0.2"})

    assert run.code == 1
    assert run.stderr.startswith("error: This costs 0.5 credits")
    assert "nothing was sent" in run.stderr
    assert "RODIN_MAX_CREDITS raises the budget" in run.stderr


def test_help_shows_examples_and_the_exit_codes(sandbox_env: dict[str, str]) -> None:
    run = run_cli(["generate", "--help"], sandbox_env)

    assert run.code == 0
    assert "examples:" in run.stdout
    assert 'rodin-mcp generate "a wooden chair" --wait' in run.stdout
    assert "--quality-override" in run.stdout
    assert "3 task failed, 4 timeout" in run.stdout


def test_a_task_rodin_fails_exits_3(api_env: dict[str, str], emulator: RunningEmulator) -> None:
    emulator.faults.add("rodin=fail")

    run = run_cli(["generate", "a chair", "--wait", "--json"], api_env)

    assert run.code == 3
    assert run.json()["status"]["state"] == "failed"
    assert run.json()["downloads"] is None
    assert "failed" in run.stderr
    task = run.json()["generate"]["task_uuid"]
    status = run_cli(["status", task, "--json"], api_env)
    assert status.code == 3
    assert status.json()["state"] == "failed"
    again = run_cli(["download", task], api_env)
    assert again.code == 3
    assert again.stderr.startswith(f"error: Rodin reported task {task} as failed")


def test_waiting_longer_than_the_timeout_exits_4_and_says_how_to_resume(
    slow_api_env: dict[str, str],
) -> None:
    run = run_cli(["generate", "a chair", "--wait", "--timeout", "0.5", "--json"], slow_api_env)

    assert run.code == 4
    task = run.json()["generate"]["task_uuid"]
    assert run.json()["status"]["state"] in ("waiting", "generating")
    assert f"rodin-mcp status {task} --wait" in run.stderr
    assert f"rodin-mcp download {task}" in run.stderr


def test_status_wait_with_a_limit_exits_4_when_the_task_is_still_running(
    slow_api_env: dict[str, str],
) -> None:
    submitted = run_cli(["generate", "a chair", "--json"], slow_api_env)
    task = submitted.json()["task_uuid"]

    run = run_cli(["status", task, "--wait", "0.3"], slow_api_env)

    assert run.code == 4
    assert "still" in run.stderr
    assert f"rodin-mcp status {task} --wait" in run.stderr


def test_a_huge_image_reference_with_escape_codes_is_refused_in_a_short_plain_line(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    reference = "\x1b[2J\x1b[31m" + "x" * 10_000 + ".png"

    run = run_cli(["generate", "a vase", "--image", reference], api_env)

    assert run.code == 1
    assert "\x1b" not in run.stderr
    assert len(run.stderr) < 1_000
    assert run.stderr.startswith("error: ")
    assert "xxxx…" in run.stderr  # shortened, not dropped
    assert not any(r.endpoint == "rodin" for r in emulator.requests)


def test_a_usage_error_on_a_huge_option_value_does_not_echo_it_whole(
    api_env: dict[str, str],
) -> None:
    run = run_cli(["generate", "a vase", "--tier", "\x07" + "T" * 10_000], api_env)

    assert run.code == 2
    assert "invalid choice" in run.stderr
    assert "\x07" not in run.stderr
    assert len(run.stderr) < 2_000
