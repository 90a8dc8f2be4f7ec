"""The per-process budget and what a generation would spend."""

from __future__ import annotations

import pytest

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.errors import BudgetExceededError
from rodin_mcp.service import PRICES, RodinService, open_service
from rodin_mcp.settings import Settings
from tests.service.conftest import FAST_POLLING, submits

pytestmark = pytest.mark.anyio


async def test_a_generation_beyond_the_budget_is_refused_with_its_figures_and_sends_nothing(
    settings: Settings, emulator: RunningEmulator
) -> None:
    limited = settings.model_copy(update={"max_credits": PRICES.base * 1.5, **FAST_POLLING})
    async with open_service(limited) as service:
        await service.generate(await service.prepare({"prompt": "a first cup"}))
        with pytest.raises(BudgetExceededError) as raised:
            await service.generate(await service.prepare({"prompt": "a second cup"}))
        assert raised.value.cost == PRICES.base
        assert raised.value.spent == PRICES.base
        assert raised.value.budget == PRICES.base * 1.5
        assert submits(emulator) == 1
        assert len(service.tasks().tasks) == 1
        assert service.credits_spent == PRICES.base


async def test_spend_needed_is_the_price_for_a_new_request_and_zero_for_a_reuse(
    service: RodinService,
) -> None:
    prepared = await service.prepare({"prompt": "a paper crane"})
    assert service.spend_needed(prepared) == PRICES.base
    await service.generate(prepared)
    assert service.spend_needed(prepared) == 0
    assert service.spend_needed(prepared, force_new=True) == PRICES.base


async def test_a_reused_task_spends_nothing_more(service: RodinService) -> None:
    prepared = await service.prepare({"prompt": "a paper crane"})
    await service.generate(prepared)
    spent = service.credits_spent
    await service.generate(prepared)
    assert service.credits_spent == spent
