"""Claiming paid submissions: one sender per identical request, across threads and processes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from rodin_mcp.ledger import Claim, Claimed, InFlight, Ledger, Reused, Unresolved
from rodin_mcp.ledger.claims import FOREIGN_CLAIM_SECONDS
from tests.ledger.processes import start_together
from tests.ledger.rows import draft, submit_row

REPO = Path(__file__).resolve().parents[2]
WINDOW = 600.0


def _claim(
    ledger: Ledger, fingerprint: str = "fp", *, force_new: bool = False, now: float | None = None
) -> Claim:
    return ledger.claim_submission(
        draft(fingerprint), window_seconds=WINDOW, force_new=force_new, now=now
    )


def test_the_first_claim_writes_a_submitting_row_and_a_second_sees_it_in_flight(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        first = _claim(ledger)
        assert isinstance(first, Claimed)
        (row,) = ledger.list_tasks()
        assert (row.id, row.state) == (first.record_id, "submitting")
        second = _claim(ledger)
        assert isinstance(second, InFlight)
        assert second.record.id == first.record_id
        assert len(ledger.list_tasks()) == 1


def test_an_accepted_request_is_reused_inside_the_window_and_claimed_anew_after_it(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        submit_row(ledger, "fp", task_uuid="older")
        submit_row(ledger, "fp", task_uuid="newer")
        newer = ledger.get("newer")
        assert newer is not None
        assert newer.submitted_at is not None
        inside = _claim(ledger, now=newer.submitted_at + WINDOW - 1)
        assert isinstance(inside, Reused)
        assert inside.record.task_uuid == "newer"
        after = _claim(ledger, now=newer.submitted_at + WINDOW + 1)
        assert isinstance(after, Claimed)


def test_force_new_claims_even_beside_an_accepted_identical_task(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        submit_row(ledger, "fp", task_uuid="t")
        assert isinstance(_claim(ledger, force_new=True), Claimed)


def test_failed_rejected_and_other_scopes_neither_reuse_nor_block(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        submit_row(ledger, "fp", task_uuid="failed-task")
        ledger.record_status("failed-task", "failed", [("j", "Failed")])
        ledger.record_rejected(submit_row(ledger, "fp"), "INVALID_REQUEST", "bad seed")
        submit_row(ledger, "fp", sandbox=False, task_uuid="real-task")
        submit_row(ledger, "fp", scope="http://127.0.0.1:10/api/v2", task_uuid="other-port")
        submit_row(ledger, "other-fp", task_uuid="other-fp-task")
        assert isinstance(_claim(ledger), Claimed)


def test_an_unknown_outcome_refuses_until_force_new_which_supersedes_it(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        record_id = submit_row(ledger, "fp")
        ledger.record_outcome_unknown(record_id, "connection dropped after the body was sent")
        refused = _claim(ledger)
        assert isinstance(refused, Unresolved)
        assert refused.record.id == record_id
        assert refused.record.error == "connection dropped after the body was sent"
        assert isinstance(_claim(ledger, "other-fp"), Claimed)
        forced = _claim(ledger, force_new=True)
        assert isinstance(forced, Claimed)
        old = next(r for r in ledger.list_tasks() if r.id == record_id)
        assert old.state == "superseded"
        assert old.error == "connection dropped after the body was sent"


def test_an_unknown_outcome_refuses_even_beside_an_accepted_identical_task(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        submit_row(ledger, "fp", task_uuid="t")
        ledger.record_outcome_unknown(submit_row(ledger, "fp-2"), "lost")
        assert isinstance(_claim(ledger, "fp-2"), Unresolved)


def test_peeking_answers_like_a_claim_but_writes_no_row(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        assert ledger.peek_submission(draft("fp"), window_seconds=WINDOW, force_new=False) is None
        assert ledger.list_tasks() == []
        record_id = submit_row(ledger, "fp")
        ledger.record_outcome_unknown(record_id, "lost")
        peeked = ledger.peek_submission(draft("fp"), window_seconds=WINDOW, force_new=True)
        assert peeked is None
        (row,) = ledger.list_tasks()
        assert row.state == "unknown"


def test_an_abandoned_claim_leaves_no_row(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        claim = _claim(ledger)
        assert isinstance(claim, Claimed)
        ledger.abandon_claim(claim.record_id)
        assert ledger.list_tasks() == []
        assert isinstance(_claim(ledger), Claimed)


_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rodin_mcp.ledger import Ledger
    from tests.ledger.rows import draft

    ledger = Ledger(Path(sys.argv[1]))
    ledger.claim_submission(draft("fp"), window_seconds=600, force_new=False)
    print("claimed", flush=True)
    sys.stdin.readline()
    """
)


def test_a_claim_whose_process_was_killed_is_unresolved_at_once_and_names_the_pid(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.sqlite3"
    with (
        subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        ) as holder,
        Ledger(path) as ledger,
    ):
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "claimed"
        assert isinstance(_claim(ledger), InFlight)
        holder.kill()
        holder.wait(timeout=30)
        refused = _claim(ledger)
        assert isinstance(refused, Unresolved)
        assert f"pid {holder.pid}" in (refused.record.error or "")
        (row,) = ledger.list_tasks()
        assert row.state == "unknown"


def test_a_claim_from_another_host_is_in_flight_for_a_minute_then_unresolved(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.sqlite3"
    with Ledger(path) as ledger:
        claim = _claim(ledger)
        assert isinstance(claim, Claimed)
        (row,) = ledger.list_tasks()
    _set_owner_host(path, claim.record_id, "another-host.example")
    with Ledger(path) as ledger:
        assert isinstance(_claim(ledger, now=row.created_at + 1), InFlight)
        late = _claim(ledger, now=row.created_at + FOREIGN_CLAIM_SECONDS + 1)
        assert isinstance(late, Unresolved)


def test_a_claim_without_an_owner_from_an_older_version_is_trusted_for_a_minute(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.sqlite3"
    with Ledger(path) as ledger:
        claim = _claim(ledger)
        assert isinstance(claim, Claimed)
        (row,) = ledger.list_tasks()
    _set_owner(path, claim.record_id, None)
    with Ledger(path) as ledger:
        assert isinstance(_claim(ledger, now=row.created_at + 30), InFlight)
        assert isinstance(_claim(ledger, now=row.created_at + 61), Unresolved)


_CLAIMER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rodin_mcp.ledger import Ledger
    from tests.ledger.rows import draft

    path, rounds = Path(sys.argv[1]), int(sys.argv[2])
    with Ledger(path) as ledger:
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(rounds):
            claim = ledger.claim_submission(draft(f"fp-{i}"), window_seconds=600, force_new=False)
            print(f"{i} {type(claim).__name__}", flush=True)
        sys.stdin.readline()
    """
)


def test_processes_claiming_identical_requests_at_the_same_moment_get_one_claim_each_time(
    tmp_path: Path,
) -> None:
    path, rounds = tmp_path / "l.sqlite3", 50
    Ledger(path).close()
    processes = start_together([["-c", _CLAIMER, str(path), str(rounds)]] * 4)
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
    with Ledger(path) as ledger:
        assert len(ledger.list_tasks(limit=1000)) == rounds


def _set_owner_host(path: Path, record_id: int, host: str) -> None:
    with sqlite3.connect(path) as conn:
        (owner,) = conn.execute("SELECT owner FROM tasks WHERE id = ?", (record_id,)).fetchone()
    data = json.loads(owner)
    data["machine"] = host
    _set_owner(path, record_id, json.dumps(data))


def _set_owner(path: Path, record_id: int, owner: str | None) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("UPDATE tasks SET owner = ? WHERE id = ?", (owner, record_id))
    finally:
        conn.close()
