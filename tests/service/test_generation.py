"""Paid submissions through the service: dedupe, the unknown-outcome guard, write-before-send."""

from __future__ import annotations

import anyio
import pytest

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.errors import (
    InputError,
    NotConfiguredError,
    OutcomeUnknownError,
    SubmissionInFlightError,
    UnresolvedSubmissionError,
)
from rodin_mcp.records import RecordState
from rodin_mcp.service import GenerateResult, RodinService
from rodin_mcp.settings import Settings
from tests.service.conftest import open_local_service, submits

pytestmark = pytest.mark.anyio


async def test_an_identical_request_within_the_window_reuses_the_task_and_sends_once(
    service: RodinService, emulator: RunningEmulator
) -> None:
    first = await service.generate(await service.prepare({"prompt": "a clay owl"}))
    again = await service.generate(await service.prepare({"prompt": "a clay owl"}))
    assert not first.reused
    assert again.reused
    assert again.task_uuid == first.task_uuid
    assert submits(emulator) == 1


async def test_force_new_sends_an_identical_request_again(
    service: RodinService, emulator: RunningEmulator
) -> None:
    prepared = await service.prepare({"prompt": "a clay owl"})
    first = await service.generate(prepared)
    forced = await service.generate(prepared, force_new=True)
    assert forced.task_uuid != first.task_uuid
    assert not forced.reused
    assert submits(emulator) == 2


async def test_a_different_request_is_not_taken_for_a_duplicate(
    service: RodinService, emulator: RunningEmulator
) -> None:
    await service.generate(await service.prepare({"prompt": "a clay owl"}))
    other = await service.generate(await service.prepare({"prompt": "a clay owl", "seed": 7}))
    assert not other.reused
    assert submits(emulator) == 2


async def test_a_lost_answer_is_recorded_unknown_and_refuses_the_identical_request_until_forced(
    service: RodinService, emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=drop:accept")
    prepared = await service.prepare({"prompt": "a tin robot"})
    with pytest.raises(OutcomeUnknownError):
        await service.generate(prepared)
    assert [t.state for t in (await service.tasks()).tasks] == [RecordState.UNKNOWN]
    with pytest.raises(UnresolvedSubmissionError):
        await service.generate(prepared)
    assert await service.spend_needed(prepared) == 0
    assert submits(emulator) == 1
    forced = await service.generate(prepared, force_new=True)
    assert submits(emulator) == 2
    states = {t.task_uuid: t.state for t in (await service.tasks()).tasks}
    assert states[forced.task_uuid] == RecordState.WAITING
    assert RecordState.SUPERSEDED in states.values()
    assert RecordState.UNKNOWN not in states.values()


async def test_a_submit_cancelled_while_on_the_wire_leaves_an_unknown_row_that_guards_a_resend(
    service: RodinService, emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=stall:accept")
    prepared = await service.prepare({"prompt": "a glass swan"})
    async with anyio.create_task_group() as group:
        group.start_soon(service.generate, prepared)
        with anyio.fail_after(30):
            assert await anyio.to_thread.run_sync(emulator.wait_for_stalls, 1, 30.0)
        group.cancel_scope.cancel()
    assert [t.state for t in (await service.tasks()).tasks] == [RecordState.UNKNOWN]
    with pytest.raises(UnresolvedSubmissionError):
        await service.generate(prepared)
    assert submits(emulator) == 1


async def test_invalid_options_raise_an_input_error_and_leave_no_row(
    service: RodinService, emulator: RunningEmulator
) -> None:
    with pytest.raises(InputError) as raised:
        await service.prepare({"prompt": "a vase", "quality_override": 10})
    assert "quality_override" in str(raised.value)
    with pytest.raises(InputError):
        await service.prepare({"prompt": "a vase"}, ["/nowhere/at/all.png"])
    assert (await service.tasks()).tasks == []
    assert emulator.requests == []


async def test_an_unconfigured_service_refuses_paid_calls_but_still_lists_tasks(
    settings: Settings,
) -> None:
    unconfigured = settings.model_copy(update={"api_key": None})
    async with open_local_service(unconfigured) as service:
        assert not service.configured
        with pytest.raises(NotConfiguredError):
            await service.prepare({"prompt": "a vase"})
        with pytest.raises(NotConfiguredError):
            await service.status("0b5c3d4e-0000-4000-8000-000000000000")
        assert (await service.tasks()).tasks == []


async def test_an_identical_request_while_the_first_is_on_the_wire_waits_and_reuses_its_task(
    fast_settings: Settings, emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=stall:seconds=0.5:accept")
    results: list[GenerateResult] = []
    async with (
        open_local_service(fast_settings) as first,
        open_local_service(fast_settings) as second,
    ):

        async def generate(service: RodinService) -> None:
            results.append(await service.generate(await service.prepare({"prompt": "a kite"})))

        async with anyio.create_task_group() as group:
            group.start_soon(generate, first)
            with anyio.fail_after(30):
                assert await anyio.to_thread.run_sync(emulator.wait_for_stalls, 1, 30.0)
            group.start_soon(generate, second)
    assert submits(emulator) == 1
    assert [r.reused for r in results] == [False, True]
    assert results[0].task_uuid == results[1].task_uuid


async def test_an_identical_request_in_flight_too_long_is_refused_and_nothing_is_sent(
    fast_settings: Settings, emulator: RunningEmulator
) -> None:
    emulator.faults.add("rodin=stall:accept")
    impatient = fast_settings.model_copy(update={"in_flight_wait_seconds": 0.0})
    async with (
        open_local_service(fast_settings) as first,
        open_local_service(impatient) as second,
        anyio.create_task_group() as group,
    ):
        group.start_soon(first.generate, await first.prepare({"prompt": "a kite"}))
        with anyio.fail_after(30):
            assert await anyio.to_thread.run_sync(emulator.wait_for_stalls, 1, 30.0)
        with pytest.raises(SubmissionInFlightError) as raised:
            await second.generate(await second.prepare({"prompt": "a kite"}))
        assert "another process" in str(raised.value)
        group.cancel_scope.cancel()
    assert submits(emulator) == 1
