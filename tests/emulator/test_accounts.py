"""Credits, the parallelism cap, the request-rate limit and both error-name generations."""

from __future__ import annotations

import httpx2

from rodin_mcp.emulator import ManualClock, RunningEmulator
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import submit, submitted

TEXT = {"prompt": "a wooden chair"}


def test_insufficient_funds_refuses_without_deducting_or_creating(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    emulator = start_emulator(starting_balance=0.7)
    client = make_client(emulator)
    submitted(client, TEXT)

    refused = submit(client, TEXT)

    assert refused.status_code == 201
    assert refused.json()["error"] == "API_INSUFFICIENT_FUNDS"
    assert client.get("check_balance").json() == {"balance": 0.2}
    assert len(emulator.tasks) == 1


def test_old_error_names_are_emitted_with_the_switch(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    client = make_client(start_emulator(starting_balance=0.0, error_names="old"))

    refused = submit(client, TEXT)

    assert refused.json()["error"] == "INSUFFICIENT_FUND"


def test_names_without_an_older_form_stay_the_same_with_the_switch(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    client = make_client(start_emulator(error_names="old"))

    assert submit(client, {}).json()["error"] == "INVALID_REQUEST"
    status = client.post("status", json={"subscription_key": "nope"})
    assert status.json()["error"] == "NO_SUCH_TASK"


def test_parallelism_cap_refuses_a_fourth_unfinished_task_until_one_finishes(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    emulator = start_emulator(speed=1.0, clock=manual_clock)
    client = make_client(emulator)
    for _ in range(3):
        submitted(client, {**TEXT, "tier": "Sketch"})

    refused = submit(client, TEXT)
    manual_clock.advance(20)
    accepted = submit(client, TEXT)

    assert refused.status_code == 201
    assert refused.json()["error"] == "API_PARALLELISM_LIMIT_REACHED"
    assert "error" not in accepted.json()
    assert emulator.balance == 1000 - 4 * 0.5


def test_a_failed_task_no_longer_counts_against_the_cap(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    emulator = start_emulator(speed=1.0, clock=manual_clock, parallelism_limit=1)
    client = make_client(emulator)
    emulator.faults.add("rodin=fail")
    submitted(client, {**TEXT, "tier": "Sketch"})

    manual_clock.advance(20)

    assert emulator.tasks[0].failed
    assert "error" not in submit(client, TEXT).json()


def test_parallelism_limit_is_configurable(
    start_emulator: StartEmulator, make_client: MakeClient
) -> None:
    client = make_client(start_emulator(parallelism_limit=1, speed=0.001))
    submitted(client, TEXT)

    assert submit(client, TEXT).json()["error"] == "API_PARALLELISM_LIMIT_REACHED"


def test_rate_limit_answers_429_with_retry_after_until_the_minute_rolls_over(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    client = make_client(start_emulator(rate_limit_per_minute=2, clock=manual_clock))
    first = [client.get("check_balance").status_code for _ in range(2)]

    limited = client.get("check_balance")
    manual_clock.advance(45)
    still_limited = client.get("check_balance")
    manual_clock.advance(15)
    allowed = client.get("check_balance")

    assert first == [200, 200]
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "60"
    assert still_limited.status_code == 429
    assert still_limited.headers["Retry-After"] == "15"
    assert allowed.status_code == 200


def test_rate_limit_is_off_unless_asked(client: httpx2.Client) -> None:
    codes = {client.get("check_balance").status_code for _ in range(150)}

    assert codes == {200}


def test_rate_limited_submit_creates_nothing(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    emulator = start_emulator(rate_limit_per_minute=1, clock=manual_clock)
    client = make_client(emulator)
    client.get("check_balance")

    limited = submit(client, TEXT)

    assert limited.status_code == 429
    assert emulator.tasks == []
    assert emulator.balance == 1000


def test_balance_set_from_python_is_what_check_balance_reports(
    client: httpx2.Client, emulator: RunningEmulator
) -> None:
    emulator.set_balance(12.5)

    assert client.get("check_balance").json() == {"balance": 12.5}
