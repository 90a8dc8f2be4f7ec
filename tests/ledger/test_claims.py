"""Claiming paid submissions: one sender per identical request, across processes and replicas,
on both engines."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rodin_mcp.ledger import Claim, Claimed, InFlight, Ledger, Reused, Unresolved
from rodin_mcp.ledger.claims import FOREIGN_CLAIM_SECONDS
from tests.ledger.conftest import engine_of, open_at
from tests.ledger.processes import start_together
from tests.ledger.rows import draft, owner_of, set_owner, submit_row

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
WINDOW = 600.0


async def _claim(
    ledger: Ledger, fingerprint: str = "fp", *, force_new: bool = False, now: float | None = None
) -> Claim:
    return await ledger.claim_submission(
        draft(fingerprint), window_seconds=WINDOW, force_new=force_new, now=now
    )


async def test_the_first_claim_writes_a_submitting_row_and_a_second_sees_it_in_flight(
    ledger: Ledger,
) -> None:
    first = await _claim(ledger)
    assert isinstance(first, Claimed)
    (row,) = await ledger.list_tasks()
    assert (row.id, row.state) == (first.record_id, "submitting")
    second = await _claim(ledger)
    assert isinstance(second, InFlight)
    assert second.record.id == first.record_id
    assert len(await ledger.list_tasks()) == 1


async def test_an_accepted_request_is_reused_inside_the_window_and_claimed_anew_after_it(
    ledger: Ledger,
) -> None:
    await submit_row(ledger, "fp", task_uuid="older")
    await submit_row(ledger, "fp", task_uuid="newer")
    newer = await ledger.get("newer")
    assert newer is not None
    assert newer.submitted_at is not None
    inside = await _claim(ledger, now=newer.submitted_at + WINDOW - 1)
    assert isinstance(inside, Reused)
    assert inside.record.task_uuid == "newer"
    after = await _claim(ledger, now=newer.submitted_at + WINDOW + 1)
    assert isinstance(after, Claimed)


async def test_force_new_claims_even_beside_an_accepted_identical_task(ledger: Ledger) -> None:
    await submit_row(ledger, "fp", task_uuid="t")
    assert isinstance(await _claim(ledger, force_new=True), Claimed)


async def test_failed_rejected_and_other_scopes_neither_reuse_nor_block(ledger: Ledger) -> None:
    await submit_row(ledger, "fp", task_uuid="failed-task")
    await ledger.record_status("failed-task", "failed", [("j", "Failed")])
    await ledger.record_rejected(await submit_row(ledger, "fp"), "INVALID_REQUEST", "bad seed")
    await submit_row(ledger, "fp", sandbox=False, task_uuid="real-task")
    await submit_row(ledger, "fp", scope="http://127.0.0.1:10/api/v2", task_uuid="other-port")
    await submit_row(ledger, "other-fp", task_uuid="other-fp-task")
    assert isinstance(await _claim(ledger), Claimed)


async def test_an_unknown_outcome_refuses_until_force_new_which_supersedes_it(
    ledger: Ledger,
) -> None:
    record_id = await submit_row(ledger, "fp")
    await ledger.record_outcome_unknown(record_id, "connection dropped after the body was sent")
    refused = await _claim(ledger)
    assert isinstance(refused, Unresolved)
    assert refused.record.id == record_id
    assert refused.record.error == "connection dropped after the body was sent"
    assert isinstance(await _claim(ledger, "other-fp"), Claimed)
    forced = await _claim(ledger, force_new=True)
    assert isinstance(forced, Claimed)
    old = next(r for r in await ledger.list_tasks() if r.id == record_id)
    assert old.state == "superseded"
    assert old.error == "connection dropped after the body was sent"


async def test_an_unknown_outcome_refuses_even_beside_an_accepted_identical_task(
    ledger: Ledger,
) -> None:
    await submit_row(ledger, "fp", task_uuid="t")
    await ledger.record_outcome_unknown(await submit_row(ledger, "fp-2"), "lost")
    assert isinstance(await _claim(ledger, "fp-2"), Unresolved)


async def test_peeking_answers_like_a_claim_but_writes_no_row(ledger: Ledger) -> None:
    peeked = await ledger.peek_submission(draft("fp"), window_seconds=WINDOW, force_new=False)
    assert peeked is None
    assert await ledger.list_tasks() == []
    record_id = await submit_row(ledger, "fp")
    await ledger.record_outcome_unknown(record_id, "lost")
    forced = await ledger.peek_submission(draft("fp"), window_seconds=WINDOW, force_new=True)
    assert forced is None
    (row,) = await ledger.list_tasks()
    assert row.state == "unknown"


async def test_an_abandoned_claim_leaves_no_row(ledger: Ledger) -> None:
    claim = await _claim(ledger)
    assert isinstance(claim, Claimed)
    await ledger.abandon_claim(claim.record_id)
    assert await ledger.list_tasks() == []
    assert isinstance(await _claim(ledger), Claimed)


async def test_a_claim_is_confirmed_to_its_owner_only_while_it_is_still_submitting(
    ledger: Ledger, address: str
) -> None:
    claim = await _claim(ledger)
    assert isinstance(claim, Claimed)
    assert await ledger.confirm_claim(claim.record_id)
    async with await open_at(address) as other:
        # Another replica is another owner; on SQLite the owner is this process, whatever opens.
        expected_other = engine_of(address) == "sqlite"
        assert await other.confirm_claim(claim.record_id) is expected_other
    await ledger.record_outcome_unknown(claim.record_id, "taken over")
    assert not await ledger.confirm_claim(claim.record_id)


_HOLDER = textwrap.dedent(
    """
    import sys
    import anyio
    from tests.ledger.conftest import open_at
    from tests.ledger.rows import draft

    async def main() -> None:
        ledger = await open_at(sys.argv[1])
        await ledger.claim_submission(draft("fp"), window_seconds=600, force_new=False)
        print("claimed", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.readline)

    anyio.run(main)
    """
)


async def test_a_claim_whose_process_was_killed_is_unresolved_at_once_and_says_so(
    ledger: Ledger, address: str
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, address],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "claimed"
        assert isinstance(await _claim(ledger), InFlight)
        holder.kill()
        holder.wait(timeout=30)
    refused = await _claim(ledger)
    assert isinstance(refused, Unresolved)
    reason = refused.record.error or ""
    assert f"pid {holder.pid}" in reason
    if engine_of(address) == "postgresql":
        assert "its replica" in reason
    (row,) = await ledger.list_tasks()
    assert row.state == "unknown"


async def test_a_claim_whose_owner_cannot_be_judged_here_is_in_flight_for_a_minute_then_not(
    ledger: Ledger,
) -> None:
    claim = await _claim(ledger)
    assert isinstance(claim, Claimed)
    (row,) = await ledger.list_tasks()
    foreign = json.loads(await owner_of(ledger, claim.record_id) or "{}")
    foreign.update({"machine": "another-machine", "replica": "not-a-replica-key"})
    await set_owner(ledger, claim.record_id, json.dumps(foreign))
    assert isinstance(await _claim(ledger, now=row.created_at + 1), InFlight)
    late = await _claim(ledger, now=row.created_at + FOREIGN_CLAIM_SECONDS + 1)
    assert isinstance(late, Unresolved)


async def test_a_claim_without_an_owner_from_an_older_version_is_trusted_for_a_minute(
    ledger: Ledger,
) -> None:
    claim = await _claim(ledger)
    assert isinstance(claim, Claimed)
    (row,) = await ledger.list_tasks()
    await set_owner(ledger, claim.record_id, None)
    assert isinstance(await _claim(ledger, now=row.created_at + 30), InFlight)
    assert isinstance(await _claim(ledger, now=row.created_at + 61), Unresolved)


_CLAIMER = textwrap.dedent(
    """
    import sys
    import anyio
    from tests.ledger.conftest import open_at
    from tests.ledger.rows import draft

    async def main() -> None:
        address, rounds = sys.argv[1], int(sys.argv[2])
        async with await open_at(address) as ledger:
            print("ready", flush=True)
            await anyio.to_thread.run_sync(sys.stdin.readline)
            for i in range(rounds):
                claim = await ledger.claim_submission(
                    draft(f"fp-{i}"), window_seconds=600, force_new=False
                )
                print(f"{i} {type(claim).__name__}", flush=True)
            await anyio.to_thread.run_sync(sys.stdin.readline)

    anyio.run(main)
    """
)


async def test_processes_claiming_identical_requests_at_the_same_moment_get_one_claim_each_time(
    ledger: Ledger, address: str
) -> None:
    rounds = 50
    processes = start_together([["-c", _CLAIMER, address, str(rounds)]] * 4)
    answers: list[list[str]] = []
    try:
        for process in processes:
            assert process.stdout is not None
            answers.append([process.stdout.readline().split()[1] for _ in range(rounds)])
    finally:
        for process in processes:
            process.communicate("done\n", timeout=60)
    for i in range(rounds):
        kinds = sorted(answer[i] for answer in answers)
        assert kinds == ["Claimed", "InFlight", "InFlight", "InFlight"], (i, kinds)
    assert len(await ledger.list_tasks(limit=1000)) == rounds
