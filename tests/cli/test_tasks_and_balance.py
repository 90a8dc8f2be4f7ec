"""`rodin-mcp tasks` and `rodin-mcp balance`."""

from __future__ import annotations

from rodin_mcp.emulator import RunningEmulator
from tests.cli.helpers import run_cli


def test_tasks_lists_recent_tasks_newest_first_as_an_aligned_table(
    api_env: dict[str, str],
) -> None:
    first = run_cli(["generate", "a wooden chair", "--json"], api_env).json()["task_uuid"]
    second = run_cli(["generate", "a red teapot", "--json"], api_env).json()["task_uuid"]

    run = run_cli(["tasks"], api_env)

    assert run.code == 0, run.stderr
    header, *rows = run.stdout.splitlines()
    assert header.split() == ["submitted", "task", "state", "tier", "credits", "prompt", "folder"]
    assert [row.split()[2] for row in rows] == [second, first]
    column = header.index("task")
    assert all(row[column : column + 36] in (first, second) for row in rows)
    assert all(line == line.rstrip() for line in run.stdout.splitlines())


def test_tasks_json_respects_the_limit(api_env: dict[str, str]) -> None:
    for prompt in ("one", "two", "three"):
        assert run_cli(["generate", prompt, "--json"], api_env).code == 0

    run = run_cli(["tasks", "--limit", "2", "--json"], api_env)

    assert run.code == 0, run.stderr
    assert [t["prompt"] for t in run.json()["tasks"]] == ["three", "two"]


def test_tasks_of_the_other_mode_are_not_listed(
    api_env: dict[str, str], sandbox_env: dict[str, str]
) -> None:
    assert run_cli(["generate", "a chair", "--json"], api_env).code == 0
    env = {**sandbox_env, "RODIN_DATA_DIR": api_env["RODIN_DATA_DIR"]}

    run = run_cli(["tasks", "--sandbox"], env)

    assert run.code == 0, run.stderr
    assert run.stdout == "No sandbox tasks in the ledger yet.\n"


def test_balance_shows_the_account_credits(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    emulator.set_balance(42.5)

    as_json = run_cli(["balance", "--json"], api_env)
    as_text = run_cli(["balance"], api_env)

    assert as_json.code == as_text.code == 0
    assert as_json.json()["balance"] == 42.5
    assert as_json.json()["sandbox"] is False
    assert as_text.stdout.startswith("Balance: 42.5 credits (real Rodin API)")


def test_sandbox_balance_needs_no_key(sandbox_env: dict[str, str]) -> None:
    run = run_cli(["balance", "--sandbox", "--json"], sandbox_env)

    assert run.code == 0, run.stderr
    assert run.json()["sandbox"] is True
    assert run.json()["balance"] > 0
