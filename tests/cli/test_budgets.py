"""The budget is kept in the ledger: every process on the data folder shares it, a new process
(a restart) sees it, and processes racing for the last credits never overspend."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rodin_mcp.emulator import RunningEmulator
from tests.cli.helpers import Run, run_cli


def _submits(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint == "rodin")


def test_processes_racing_for_the_last_credits_never_spend_beyond_the_budget(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    # Each submit's answer is held, so every process claims while the others are in flight.
    emulator.faults.add("rodin=stall:seconds=0.5:accept:times=*")
    env = {**api_env, "RODIN_MAX_CREDITS": "1.0"}  # two generations of 0.5
    commands = [["generate", f"a tin robot, take {i}", "--json"] for i in range(4)]
    with ThreadPoolExecutor(len(commands)) as pool:
        runs: list[Run] = list(pool.map(run_cli, commands, [env] * len(commands)))

    assert sorted(run.code for run in runs) == [0, 0, 1, 1]
    for refused in (run for run in runs if run.code == 1):
        assert refused.json()["error"]["type"] == "BudgetExceededError"
        assert "nothing was sent" in refused.json()["error"]["message"]
    assert _submits(emulator) == 2


def test_a_spent_budget_is_still_spent_for_the_next_process_and_balance_says_until_when(
    api_env: dict[str, str], emulator: RunningEmulator
) -> None:
    env = {**api_env, "RODIN_MAX_CREDITS": "0.5"}
    assert run_cli(["generate", "a first cup"], env).code == 0

    again = run_cli(["generate", "a second cup", "--json"], env)
    balance = run_cli(["balance", "--json"], env)

    assert again.code == 1
    assert again.json()["error"]["type"] == "BudgetExceededError"
    assert _submits(emulator) == 1
    assert balance.code == 0, balance.stderr
    shown = balance.json()
    assert (shown["credits_spent"], shown["budget"]) == (0.5, 0.5)
    assert shown["budget_frees_at"] is not None
