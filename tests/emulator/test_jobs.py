"""The job clock, driven by a manual clock: Waiting -> Generating -> Done, scaled by speed."""

from __future__ import annotations

import httpx2
import pytest

from rodin_mcp.emulator import ManualClock
from tests.emulator.conftest import MakeClient, StartEmulator
from tests.emulator.helpers import statuses, submitted, subscription_key


@pytest.fixture
def slow_client(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> httpx2.Client:
    return make_client(start_emulator(speed=1.0, clock=manual_clock))


def test_a_regular_task_walks_from_waiting_to_done_in_about_70_seconds(
    slow_client: httpx2.Client, manual_clock: ManualClock
) -> None:
    key = subscription_key(submitted(slow_client, {"prompt": "a cup", "tier": "Regular"}))

    seen = [statuses(slow_client, key)]
    for seconds in (8, 35, 27):  # to 8 s (queue over), 43 s (geometry done), 70 s
        manual_clock.advance(seconds)
        seen.append(statuses(slow_client, key))

    assert seen == [
        ["Waiting", "Waiting"],
        ["Generating", "Waiting"],
        ["Done", "Generating"],
        ["Done", "Done"],
    ]


def test_waiting_jobs_report_a_queue_length_that_counts_down(
    slow_client: httpx2.Client, manual_clock: ManualClock
) -> None:
    key = subscription_key(submitted(slow_client, {"prompt": "a cup", "tier": "Regular"}))

    first = slow_client.post("status", json={"subscription_key": key}).json()["jobs"][0]
    manual_clock.advance(5)
    later = slow_client.post("status", json={"subscription_key": key}).json()["jobs"][0]
    manual_clock.advance(5)
    running = slow_client.post("status", json={"subscription_key": key}).json()["jobs"][0]

    assert first["status"] == later["status"] == "Waiting"
    assert first["queue_length"] > later["queue_length"] >= 1
    assert running["status"] == "Generating"
    assert "queue_length" not in running


@pytest.mark.parametrize(
    ("tier", "done_after"),
    [("Sketch", 20), ("Regular", 70), ("Detail", 90), ("Gen-2", 90), ("Gen-2.5-Extreme-High", 120)],
)
def test_each_tier_finishes_after_its_documented_time(
    slow_client: httpx2.Client, manual_clock: ManualClock, tier: str, done_after: float
) -> None:
    key = subscription_key(submitted(slow_client, {"prompt": "a cup", "tier": tier}))

    manual_clock.advance(done_after - 0.5)
    before = statuses(slow_client, key)
    manual_clock.advance(0.5)
    after = statuses(slow_client, key)

    assert before[-1] == "Generating"
    assert after == ["Done", "Done"]


def test_speed_divides_the_time_a_task_takes(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    client = make_client(start_emulator(speed=10.0, clock=manual_clock))
    key = subscription_key(submitted(client, {"prompt": "a cup", "tier": "Regular"}))

    manual_clock.advance(6.9)
    before = statuses(client, key)
    manual_clock.advance(0.1)
    after = statuses(client, key)

    assert before == ["Done", "Generating"]
    assert after == ["Done", "Done"]


def test_preview_render_job_can_be_set_to_always_fail(
    start_emulator: StartEmulator, make_client: MakeClient, manual_clock: ManualClock
) -> None:
    client = make_client(start_emulator(speed=1.0, clock=manual_clock, preview_job_fails=True))
    body = submitted(client, {"prompt": "a cup", "tier": "Gen-2", "preview_render": "true"})

    manual_clock.advance(90)

    assert statuses(client, subscription_key(body)) == ["Done", "Done", "Failed"]


def test_preview_render_job_succeeds_by_default(
    slow_client: httpx2.Client, manual_clock: ManualClock
) -> None:
    body = submitted(slow_client, {"prompt": "a cup", "tier": "Gen-2", "preview_render": "true"})

    manual_clock.advance(90)

    assert statuses(slow_client, subscription_key(body)) == ["Done", "Done", "Done"]
