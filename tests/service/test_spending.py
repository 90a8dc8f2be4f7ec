"""Each person's budget, kept in the ledger, and what a generation would spend.

A person's budget (``max_credits`` per rolling ``budget_period_seconds``) counts what they spent
or reserved in every process on the data folder: it survives a restart, and nobody spends
another's.
"""

from __future__ import annotations

import pytest

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.errors import BudgetExceededError, OutcomeUnknownError, RodinError
from rodin_mcp.people import Person
from rodin_mcp.service import PRICES, RodinService
from rodin_mcp.service.timestamps import iso_utc
from rodin_mcp.settings import Settings
from tests.service.conftest import FAST_POLLING, open_local_service, submits

pytestmark = pytest.mark.anyio

ALICE = Person(key="token:alice", name="alice")
BOB = Person(key="token:bob", name="bob")


def _limited(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_credits": PRICES.base * 1.5, **FAST_POLLING})


async def test_a_generation_beyond_the_budget_is_refused_with_its_figures_and_sends_nothing(
    settings: Settings, emulator: RunningEmulator
) -> None:
    async with open_local_service(_limited(settings)) as service:
        first = await service.generate(await service.prepare({"prompt": "a first cup"}))
        with pytest.raises(BudgetExceededError) as raised:
            await service.generate(await service.prepare({"prompt": "a second cup"}))
        assert raised.value.cost == PRICES.base
        assert raised.value.spent == PRICES.base
        assert raised.value.budget == PRICES.base * 1.5
        assert submits(emulator) == 1
        assert len((await service.tasks()).tasks) == 1
        assert (await service.spending()).credits == PRICES.base
        balance = await service.balance()
    assert balance.credits_spent == PRICES.base
    assert balance.budget == PRICES.base * 1.5
    assert first.submitted_at is not None
    assert raised.value.frees_at is not None
    assert balance.budget_frees_at == iso_utc(raised.value.frees_at)


async def test_the_budget_holds_across_a_restart_and_is_each_persons_own(
    settings: Settings, emulator: RunningEmulator
) -> None:
    limited = _limited(settings)
    async with open_local_service(limited) as opened:
        alice = opened.acting_for(ALICE)
        await alice.generate(await alice.prepare({"prompt": "a first cup"}))
    async with open_local_service(limited) as reopened:
        alice, bob = reopened.acting_for(ALICE), reopened.acting_for(BOB)
        with pytest.raises(BudgetExceededError):
            await alice.generate(await alice.prepare({"prompt": "a second cup"}))
        await bob.generate(await bob.prepare({"prompt": "a second cup"}))
        assert ((await alice.spending()).credits, (await bob.spending()).credits) == (
            PRICES.base,
            PRICES.base,
        )
    assert submits(emulator) == 2


async def test_a_submission_whose_outcome_is_unknown_still_counts_against_the_budget(
    settings: Settings, emulator: RunningEmulator
) -> None:
    async with open_local_service(_limited(settings)) as service:
        emulator.faults.add("rodin=drop:accept")
        with pytest.raises(OutcomeUnknownError):
            await service.generate(await service.prepare({"prompt": "a lost cup"}))
        with pytest.raises(BudgetExceededError):
            await service.generate(await service.prepare({"prompt": "another cup"}))
        assert (await service.spending()).credits == PRICES.base
    assert submits(emulator) == 1


async def test_a_refused_submission_costs_nothing(
    settings: Settings, emulator: RunningEmulator
) -> None:
    async with open_local_service(_limited(settings)) as service:
        emulator.faults.add("rodin=429")  # refused: not accepted, not billed
        with pytest.raises(RodinError):
            await service.generate(await service.prepare({"prompt": "a refused cup"}))
        assert (await service.spending()).credits == 0
        await service.generate(await service.prepare({"prompt": "an accepted cup"}))
        assert (await service.spending()).credits == PRICES.base


async def test_spend_needed_is_the_price_for_a_new_request_and_zero_for_a_reuse(
    service: RodinService,
) -> None:
    prepared = await service.prepare({"prompt": "a paper crane"})
    assert await service.spend_needed(prepared) == PRICES.base
    await service.generate(prepared)
    assert await service.spend_needed(prepared) == 0
    assert await service.spend_needed(prepared, force_new=True) == PRICES.base


async def test_a_reused_task_spends_nothing_more(service: RodinService) -> None:
    prepared = await service.prepare({"prompt": "a paper crane"})
    await service.generate(prepared)
    spent = (await service.spending()).credits
    await service.generate(prepared)
    assert (await service.spending()).credits == spent
