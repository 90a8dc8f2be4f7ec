"""Everything the ledger keeps belongs to a person: their tasks, their dedupe, their budget.

Claims decide "identical" per person, and check the person's budget (what they spent and
reserved in the rolling period, in every process) in the same transaction that claims.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

from rodin_mcp.errors import BudgetExceededError
from rodin_mcp.ledger import (
    Claimed,
    InFlight,
    Ledger,
    Reused,
    RunStore,
    SpendLimit,
    open_sqlite_ledger,
)
from tests.ledger.conftest import open_at
from tests.ledger.processes import start_together
from tests.ledger.rows import BASE_URL, draft

pytestmark = pytest.mark.anyio

WINDOW = 600.0
DAY = 86_400.0


async def _claim(
    ledger: Ledger,
    person: str,
    fingerprint: str = "fp",
    *,
    limit: SpendLimit | None = None,
    now: float | None = None,
    sandbox: bool = True,
) -> Claimed | Reused | InFlight:
    claim = await ledger.claim_submission(
        draft(fingerprint, person=person, sandbox=sandbox),
        window_seconds=WINDOW,
        force_new=False,
        limit=limit,
        now=now,
    )
    assert isinstance(claim, Claimed | Reused | InFlight)
    return claim


async def _answer(ledger: Ledger, claim: Claimed | Reused | InFlight, task_uuid: str) -> None:
    assert isinstance(claim, Claimed)
    await ledger.record_submitted(
        claim.record_id,
        task_uuid=task_uuid,
        subscription_key=f"key-{task_uuid}",
        job_uuids=["j"],
        consumed=None,
        submit_time=None,
    )


async def test_an_identical_request_of_another_person_is_never_theirs_to_reuse_or_wait_for(
    ledger: Ledger,
) -> None:
    alice_in_flight = await _claim(ledger, "token:alice")
    assert isinstance(await _claim(ledger, "token:bob"), Claimed)  # not alice's in-flight one
    await _answer(ledger, alice_in_flight, "alice-task")
    assert isinstance(await _claim(ledger, "token:alice"), Reused)
    assert isinstance(await _claim(ledger, "token:carol"), Claimed)


async def test_a_persons_tasks_are_theirs_alone_to_read(ledger: Ledger) -> None:
    await _answer(ledger, await _claim(ledger, "token:alice", "a"), "alice-task")
    await _answer(ledger, await _claim(ledger, "token:bob", "b"), "bob-task")
    assert await ledger.get("alice-task", "token:bob") is None
    mine = await ledger.get("alice-task", "token:alice")
    assert mine is not None
    assert mine.person == "token:alice"
    assert [t.task_uuid for t in await ledger.list_tasks(person="token:bob")] == ["bob-task"]
    assert len(await ledger.list_tasks()) == 2


async def test_another_persons_task_cannot_be_recorded_as_an_external_one(ledger: Ledger) -> None:
    await _answer(ledger, await _claim(ledger, "token:alice"), "alice-task")
    taken = await ledger.record_external(
        task_uuid="alice-task",
        subscription_key="key",
        sandbox=True,
        scope=BASE_URL,
        person="token:bob",
    )
    assert taken is None
    assert await ledger.get("alice-task", "token:bob") is None


async def test_a_claim_beyond_the_persons_budget_is_refused_and_writes_nothing(
    ledger: Ledger,
) -> None:
    limit = SpendLimit(credits=1.0, period_seconds=DAY)  # two claims of 0.5
    first = await _claim(ledger, "token:alice", "a", limit=limit, now=1000.0)
    in_flight = await _claim(ledger, "token:alice", "b", limit=limit, now=1001.0)
    await _answer(ledger, first, "a-task")
    assert isinstance(in_flight, Claimed)  # reserved while it is being sent
    with pytest.raises(BudgetExceededError) as refused:
        await _claim(ledger, "token:alice", "c", limit=limit, now=1002.0)
    assert (refused.value.cost, refused.value.spent, refused.value.budget) == (0.5, 1.0, 1.0)
    assert refused.value.frees_at == 1000.0 + DAY
    assert len(await ledger.list_tasks()) == 2
    assert isinstance(await _claim(ledger, "token:bob", "c", limit=limit, now=1002.0), Claimed)
    assert isinstance(
        await _claim(ledger, "token:alice", "c", limit=limit, now=1001.0 + DAY), Claimed
    )


async def test_rejected_claims_cost_nothing_and_the_other_mode_is_counted_apart(
    ledger: Ledger,
) -> None:
    limit = SpendLimit(credits=0.5, period_seconds=DAY)
    refused = await _claim(ledger, "token:alice", "a", limit=limit)
    assert isinstance(refused, Claimed)
    await ledger.record_rejected(refused.record_id, "429", "too many jobs")
    sandbox = await _claim(ledger, "token:alice", "b", limit=limit)
    real = await _claim(ledger, "token:alice", "b", limit=limit, sandbox=False)
    assert isinstance(sandbox, Claimed)
    assert isinstance(real, Claimed)
    spent = await ledger.spending("token:alice", sandbox=True, period_seconds=DAY)
    assert spent.credits == 0.5


async def test_the_ledgers_secret_is_made_once_and_shared_by_every_process(address: str) -> None:
    async with await open_at(address) as first, await open_at(address) as second:
        made = await first.secret("token-digest")
        assert len(made) == 32
        assert await second.secret("token-digest") == made
        assert await first.secret("another") != made
    async with await open_at(address) as reopened:
        assert await reopened.secret("token-digest") == made


async def test_rows_and_runs_written_before_people_belong_to_the_local_owner(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.sqlite3"
    async with await open_sqlite_ledger(path) as ledger:
        await _answer(ledger, await _claim(ledger, "token:alice"), "t-1")
    conn = sqlite3.connect(path)
    try:  # back to schema 5, with a run bound to a token's old digest
        conn.execute("DROP TABLE uploads")
        conn.execute("DROP TABLE conversions")
        conn.execute("DROP TABLE secrets")
        conn.execute("DROP INDEX tasks_by_person")
        conn.execute("ALTER TABLE tasks DROP COLUMN person")
        conn.execute("ALTER TABLE runs RENAME COLUMN person TO identity")
        conn.execute(
            "INSERT INTO runs (run_id, task_uuid, identity, state, created_at, updated_at) "
            "VALUES ('r-1', 't-1', 'token:0123', 'completed', 1.0, 2.0)"
        )
        conn.execute("PRAGMA user_version = 5")
        conn.commit()
    finally:
        conn.close()

    async with await open_sqlite_ledger(path) as ledger:
        record = await ledger.get("t-1", "local")
        run = await RunStore(ledger).get("r-1")
    assert record is not None
    assert run is not None
    assert run.person == "local"


_SPENDER = textwrap.dedent(
    """
    import sys
    import anyio
    from rodin_mcp.errors import BudgetExceededError
    from rodin_mcp.ledger import SpendLimit
    from tests.ledger.conftest import open_at
    from tests.ledger.rows import draft

    async def main() -> None:
        address, name = sys.argv[1], sys.argv[2]
        async with await open_at(address) as ledger:
            print("ready", flush=True)
            await anyio.to_thread.run_sync(sys.stdin.readline)
            for i in range(5):
                try:
                    claim = await ledger.claim_submission(
                        draft(f"{name}-{i}", person="token:alice"),
                        window_seconds=600,
                        force_new=False,
                        limit=SpendLimit(credits=2.0, period_seconds=86400),
                    )
                    print(type(claim).__name__, flush=True)
                except BudgetExceededError:
                    print("refused", flush=True)

    anyio.run(main)
    """
)


async def test_processes_racing_for_a_persons_last_credits_never_overspend(
    ledger: Ledger, address: str
) -> None:
    processes = start_together([["-c", _SPENDER, address, name] for name in "abcd"])
    answers: list[str] = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        answers += out.split()
    assert sorted(answers).count("Claimed") == 4  # 2.0 credits buy four claims of 0.5
    assert answers.count("refused") == 16
    spent = await ledger.spending("token:alice", sandbox=True, period_seconds=DAY)
    assert spent.credits == 2.0
