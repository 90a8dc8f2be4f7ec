"""Following tasks through the service: states, unknown tasks, modes, and a lost sandbox task."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.errors import SandboxTaskLostError, UnknownTaskError, WrongModeError
from rodin_mcp.records import TaskState
from rodin_mcp.service import NextAction, RodinService
from rodin_mcp.service.opening import SANDBOX_JOURNAL
from tests.service.conftest import open_local_service, sandbox_settings

pytestmark = pytest.mark.anyio

NEVER_SEEN = "0b5c3d4e-0000-4000-8000-000000000000"


async def test_waiting_on_a_task_ends_done_with_a_download_next_step(
    service: RodinService,
) -> None:
    task = await service.generate(await service.prepare({"prompt": "a stone frog"}))
    status = await service.status(task.task_uuid, wait_seconds=20)
    assert status.state == TaskState.DONE
    assert status.next_step.action == NextAction.DOWNLOAD
    assert status.jobs
    assert [t.state for t in (await service.tasks()).tasks] == [TaskState.DONE.value]


async def test_a_task_the_ledger_never_saw_is_an_unknown_task(service: RodinService) -> None:
    with pytest.raises(UnknownTaskError) as raised:
        await service.status(NEVER_SEEN)
    assert NEVER_SEEN in str(raised.value)


async def test_a_sandbox_task_asked_for_in_real_mode_is_refused_as_the_wrong_mode(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    sandbox = sandbox_settings(tmp_path)
    async with open_local_service(sandbox) as service:
        task = await service.generate(await service.prepare({"prompt": "a toy boat"}))
    real = sandbox.model_copy(
        update={
            "sandbox": False,
            "api_key": SecretStr(sentinel_api_key),
            "base_url": emulator.base_url,
        }
    )
    async with open_local_service(real) as service:
        with pytest.raises(WrongModeError):
            await service.status(task.task_uuid)
        assert (await service.tasks()).tasks == []
    assert emulator.requests == []


async def test_a_sandbox_task_whose_journal_is_gone_is_reported_lost(tmp_path: Path) -> None:
    sandbox = sandbox_settings(tmp_path)
    async with open_local_service(sandbox) as service:
        task = await service.generate(await service.prepare({"prompt": "a toy boat"}))
    (sandbox.data_dir / SANDBOX_JOURNAL).unlink()
    async with open_local_service(sandbox) as service:
        with pytest.raises(SandboxTaskLostError) as raised:
            await service.status(task.task_uuid)
    assert task.task_uuid in str(raised.value)
