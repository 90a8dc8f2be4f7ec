"""Everything the ledger keeps belongs to a person: their tasks, their dedupe, their budget.

Claims decide "identical" per person, and check the person's budget (what they spent and
reserved in the rolling period, in every process) in the same transaction that claims.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rodin_mcp.errors import BudgetExceededError
from rodin_mcp.ledger import Claimed, InFlight, Ledger, Reused, RunStore, SpendLimit
from tests.ledger.rows import BASE_URL, draft

WINDOW = 600.0
DAY = 86_400.0


def _claim(
    ledger: Ledger,
    person: str,
    fingerprint: str = "fp",
    *,
    limit: SpendLimit | None = None,
    now: float | None = None,
    sandbox: bool = True,
) -> Claimed | Reused | InFlight:
    claim = ledger.claim_submission(
        draft(fingerprint, person=person, sandbox=sandbox),
        window_seconds=WINDOW,
        force_new=False,
        limit=limit,
        now=now,
    )
    assert isinstance(claim, Claimed | Reused | InFlight)
    return claim


def _answer(ledger: Ledger, claim: Claimed | Reused | InFlight, task_uuid: str) -> None:
    assert isinstance(claim, Claimed)
    ledger.record_submitted(
        claim.record_id,
        task_uuid=task_uuid,
        subscription_key=f"key-{task_uuid}",
        job_uuids=["j"],
        consumed=None,
        submit_time=None,
    )


def test_an_identical_request_of_another_person_is_never_theirs_to_reuse_or_wait_for(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        alice_in_flight = _claim(ledger, "token:alice")
        assert isinstance(_claim(ledger, "token:bob"), Claimed)  # not alice's in-flight one
        _answer(ledger, alice_in_flight, "alice-task")
        assert isinstance(_claim(ledger, "token:alice"), Reused)
        assert isinstance(_claim(ledger, "token:carol"), Claimed)


def test_a_persons_tasks_are_theirs_alone_to_read(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        _answer(ledger, _claim(ledger, "token:alice", "a"), "alice-task")
        _answer(ledger, _claim(ledger, "token:bob", "b"), "bob-task")
        assert ledger.get("alice-task", "token:bob") is None
        mine = ledger.get("alice-task", "token:alice")
        assert mine is not None
        assert mine.person == "token:alice"
        assert [t.task_uuid for t in ledger.list_tasks(person="token:bob")] == ["bob-task"]
        assert len(ledger.list_tasks()) == 2


def test_another_persons_task_cannot_be_recorded_as_an_external_one(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        _answer(ledger, _claim(ledger, "token:alice"), "alice-task")
        taken = ledger.record_external(
            task_uuid="alice-task",
            subscription_key="key",
            sandbox=True,
            scope=BASE_URL,
            person="token:bob",
        )
        assert taken is None
        assert ledger.get("alice-task", "token:bob") is None


def test_a_claim_beyond_the_persons_budget_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    limit = SpendLimit(credits=1.0, period_seconds=DAY)  # two claims of 0.5
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        first = _claim(ledger, "token:alice", "a", limit=limit, now=1000.0)
        in_flight = _claim(ledger, "token:alice", "b", limit=limit, now=1001.0)
        _answer(ledger, first, "a-task")
        assert isinstance(in_flight, Claimed)  # reserved while it is being sent
        with pytest.raises(BudgetExceededError) as refused:
            _claim(ledger, "token:alice", "c", limit=limit, now=1002.0)
        assert (refused.value.cost, refused.value.spent, refused.value.budget) == (0.5, 1.0, 1.0)
        assert refused.value.frees_at == 1000.0 + DAY
        assert len(ledger.list_tasks()) == 2
        assert isinstance(_claim(ledger, "token:bob", "c", limit=limit, now=1002.0), Claimed)
        assert isinstance(
            _claim(ledger, "token:alice", "c", limit=limit, now=1001.0 + DAY), Claimed
        )


def test_rejected_claims_cost_nothing_and_the_other_mode_is_counted_apart(tmp_path: Path) -> None:
    limit = SpendLimit(credits=0.5, period_seconds=DAY)
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        refused = _claim(ledger, "token:alice", "a", limit=limit)
        assert isinstance(refused, Claimed)
        ledger.record_rejected(refused.record_id, "429", "too many jobs")
        sandbox = _claim(ledger, "token:alice", "b", limit=limit)
        real = _claim(ledger, "token:alice", "b", limit=limit, sandbox=False)
        assert isinstance(sandbox, Claimed)
        assert isinstance(real, Claimed)
        spent = ledger.spending("token:alice", sandbox=True, period_seconds=DAY)
        assert spent.credits == 0.5


def test_the_ledgers_secret_is_made_once_and_shared_by_every_process(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    with Ledger(path) as first, Ledger(path) as second:
        made = first.secret("token-digest")
        assert len(made) == 32
        assert second.secret("token-digest") == made
        assert first.secret("another") != made
    with Ledger(path) as reopened:
        assert reopened.secret("token-digest") == made


def test_rows_and_runs_written_before_people_belong_to_the_local_owner(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    with Ledger(path) as ledger:
        _answer(ledger, _claim(ledger, "token:alice"), "t-1")
    conn = sqlite3.connect(path)
    try:  # back to schema 5, with a run bound to a token's old digest
        conn.execute("DROP TABLE uploads")
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

    with Ledger(path) as ledger:
        record = ledger.get("t-1", "local")
        run = RunStore(ledger).get("r-1")
    assert record is not None
    assert run is not None
    assert run.person == "local"
