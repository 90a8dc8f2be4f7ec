"""Background runs in the ledger's ``runs`` table: created, noted, finished, adopted, swept."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rodin_mcp.emulator import ManualClock
from rodin_mcp.ledger import SCHEMA_VERSION, Ledger, RunStore, new_run_id
from rodin_mcp.ledger.owners import this_process
from rodin_mcp.records import RunRecord, RunState, TaskKind

_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "state" / "ledger.sqlite3") as opened:
        yield opened


@pytest.fixture
def runs(ledger: Ledger, manual_clock: ManualClock) -> RunStore:
    return RunStore(ledger, clock=manual_clock)


@pytest.fixture
def dead_runner() -> str:
    """The runner JSON of a process of this machine that has ended."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return dataclasses.replace(this_process(), pid=int(child.stdout)).to_json()


def _set_runner(ledger: Ledger, run_id: str, runner: str | None) -> None:
    conn = sqlite3.connect(ledger.path)
    try:
        with conn:
            conn.execute("UPDATE runs SET runner = ? WHERE run_id = ?", (runner, run_id))
    finally:
        conn.close()


def _other_host_runner() -> str:
    return dataclasses.replace(this_process(), machine="another-machine").to_json()


def _create(runs: RunStore, person: str = "token:alice", ttl: float | None = 3600) -> RunRecord:
    return runs.create("task-1", TaskKind.GENERATION, person, ttl)


# --- create and get ---------------------------------------------------------------------------


def test_a_run_created_here_is_working_and_owned_by_this_process(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    created = runs.create("task-7", TaskKind.TEXTURE, "token:alice", 600.0)

    assert runs.get(created.run_id) == created
    assert created.task_uuid == "task-7"
    assert created.kind is TaskKind.TEXTURE
    assert created.person == "token:alice"
    assert created.ttl_seconds == 600.0
    assert created.state is RunState.WORKING
    assert (created.message, created.result, created.error) == (None, None, None)
    assert created.runner == this_process().to_json()
    assert created.created_at == created.updated_at == manual_clock()
    assert created.expires_at() == manual_clock() + 600.0


def test_a_run_without_a_time_to_live_keeps_none(runs: RunStore) -> None:
    created = _create(runs, person="local", ttl=None)
    fetched = runs.get(created.run_id)
    assert fetched is not None
    assert (fetched.person, fetched.ttl_seconds, fetched.expires_at()) == ("local", None, None)


def test_run_ids_are_unique_and_at_least_32_url_safe_characters(runs: RunStore) -> None:
    ids = [_create(runs).run_id for _ in range(50)] + [new_run_id() for _ in range(50)]
    assert len(set(ids)) == len(ids)
    for run_id in ids:
        assert len(run_id) >= 32
        assert _URL_SAFE.fullmatch(run_id), run_id


def test_an_unknown_run_id_gets_none(runs: RunStore) -> None:
    _create(runs)
    assert runs.get(new_run_id()) is None


# --- note -------------------------------------------------------------------------------------


def test_a_note_updates_the_message_of_a_working_run(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    created = _create(runs)
    manual_clock.advance(5)

    noted = runs.note(created.run_id, "generating: 2 of 4 jobs done")

    assert noted is not None
    assert noted.message == "generating: 2 of 4 jobs done"
    assert noted.updated_at == created.updated_at + 5
    assert noted.state is RunState.WORKING
    assert noted.created_at == created.created_at
    assert runs.get(created.run_id) == noted


def test_a_note_on_an_ended_run_returns_none_and_changes_nothing(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    created = _create(runs)
    ended = runs.finish(created.run_id, RunState.CANCELLED, "cancelled by the client")
    manual_clock.advance(5)

    assert runs.note(created.run_id, "downloading") is None
    assert runs.get(created.run_id) == ended


def test_a_note_on_an_unknown_run_returns_none(runs: RunStore) -> None:
    assert runs.note(new_run_id(), "downloading") is None


# --- finish -----------------------------------------------------------------------------------


def test_a_completed_run_keeps_its_result_json_and_no_longer_has_a_runner(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    created = _create(runs)
    manual_clock.advance(30)
    result = {"task_uuid": "task-1", "files": [{"name": "m.glb", "size": 3}], "note": "é"}

    finished = runs.finish(created.run_id, RunState.COMPLETED, "saved 1 file", result=result)

    assert finished is not None
    assert finished.state is RunState.COMPLETED
    assert finished.message == "saved 1 file"
    assert finished.result == result
    assert (finished.error, finished.runner) == (None, None)
    assert finished.updated_at == created.updated_at + 30
    assert runs.get(created.run_id) == finished


def test_a_failed_run_keeps_its_error_and_no_result(runs: RunStore) -> None:
    created = _create(runs)

    finished = runs.finish(
        created.run_id, RunState.FAILED, "the task failed", error="job j2 failed at Rodin"
    )

    assert finished is not None
    assert (finished.state, finished.error, finished.result) == (
        RunState.FAILED,
        "job j2 failed at Rodin",
        None,
    )
    assert finished.runner is None
    assert runs.get(created.run_id) == finished


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (RunState.COMPLETED, RunState.CANCELLED),  # a cancel after completion
        (RunState.CANCELLED, RunState.COMPLETED),  # completion after a cancel
        (RunState.FAILED, RunState.COMPLETED),
    ],
)
def test_a_second_finish_returns_none_and_keeps_the_first_outcome(
    runs: RunStore, manual_clock: ManualClock, first: RunState, second: RunState
) -> None:
    created = _create(runs)
    outcome = runs.finish(
        created.run_id,
        first,
        f"first: {first.value}",
        result={"which": "first"} if first is RunState.COMPLETED else None,
        error="first error" if first is RunState.FAILED else None,
    )
    assert outcome is not None
    manual_clock.advance(10)

    again = runs.finish(
        created.run_id,
        second,
        f"second: {second.value}",
        result={"which": "second"},
        error="second error",
    )

    assert again is None
    assert runs.get(created.run_id) == outcome


def test_finishing_an_unknown_run_returns_none(runs: RunStore) -> None:
    assert runs.finish(new_run_id(), RunState.CANCELLED, "cancelled") is None


# --- adopt and orphans ------------------------------------------------------------------------


def test_a_run_whose_runner_is_this_live_process_is_not_adopted(runs: RunStore) -> None:
    created = _create(runs)
    assert runs.adopt(created.run_id) is False
    assert runs.get(created.run_id) == created


def test_a_run_whose_runner_is_on_another_host_is_not_adopted(
    ledger: Ledger, runs: RunStore
) -> None:
    created = _create(runs)
    _set_runner(ledger, created.run_id, _other_host_runner())
    assert runs.adopt(created.run_id) is False
    fetched = runs.get(created.run_id)
    assert fetched is not None
    assert fetched.runner == _other_host_runner()


def test_a_run_whose_runner_died_is_adopted_once_by_this_process(
    ledger: Ledger, runs: RunStore, manual_clock: ManualClock, dead_runner: str
) -> None:
    created = _create(runs)
    _set_runner(ledger, created.run_id, dead_runner)
    manual_clock.advance(7)

    assert runs.adopt(created.run_id) is True

    adopted = runs.get(created.run_id)
    assert adopted is not None
    assert adopted.runner == this_process().to_json()
    assert adopted.state is RunState.WORKING
    assert adopted.updated_at == created.updated_at + 7
    assert runs.adopt(created.run_id) is False  # now this live process runs it
    assert runs.get(created.run_id) == adopted


def test_a_working_run_without_a_runner_is_adopted(ledger: Ledger, runs: RunStore) -> None:
    created = _create(runs)
    _set_runner(ledger, created.run_id, None)
    assert runs.adopt(created.run_id) is True
    adopted = runs.get(created.run_id)
    assert adopted is not None
    assert adopted.runner == this_process().to_json()


@pytest.mark.parametrize("state", [RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED])
def test_a_run_that_is_not_working_is_not_adopted(
    ledger: Ledger, runs: RunStore, dead_runner: str, state: RunState
) -> None:
    created = _create(runs)
    ended = runs.finish(created.run_id, state, "ended")
    assert runs.adopt(created.run_id) is False
    _set_runner(ledger, created.run_id, dead_runner)  # even with a dead runner left behind
    assert runs.adopt(created.run_id) is False
    fetched = runs.get(created.run_id)
    assert ended is not None
    assert fetched == dataclasses.replace(ended, runner=dead_runner)


def test_an_unknown_run_is_not_adopted(runs: RunStore) -> None:
    assert runs.adopt(new_run_id()) is False


def test_orphans_are_the_working_runs_whose_runner_is_dead_or_missing(
    ledger: Ledger, runs: RunStore, dead_runner: str
) -> None:
    alive = _create(runs)
    dead = _create(runs)
    _set_runner(ledger, dead.run_id, dead_runner)
    missing = _create(runs)
    _set_runner(ledger, missing.run_id, None)
    remote = _create(runs)
    _set_runner(ledger, remote.run_id, _other_host_runner())
    ended = _create(runs)
    runs.finish(ended.run_id, RunState.COMPLETED, "done", result={})
    ended_dead = _create(runs)
    runs.finish(ended_dead.run_id, RunState.FAILED, "failed", error="boom")
    _set_runner(ledger, ended_dead.run_id, dead_runner)

    assert sorted(runs.orphans()) == sorted([dead.run_id, missing.run_id])
    assert runs.working_count() == 4
    assert alive.run_id not in runs.orphans()

    assert runs.adopt(dead.run_id) is True
    assert runs.orphans() == [missing.run_id]


# --- visible ----------------------------------------------------------------------------------


def test_visible_runs_are_only_the_persons_own_newest_first(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    alice_old = _create(runs, person="token:alice")
    local_old = _create(runs, person="local")
    manual_clock.advance(10)
    bob = _create(runs, person="token:bob")
    alice_new = _create(runs, person="token:alice")
    manual_clock.advance(10)
    local_new = _create(runs, person="local")

    assert [r.run_id for r in runs.visible("token:alice", 10)] == [
        alice_new.run_id,
        alice_old.run_id,
    ]
    assert [r.run_id for r in runs.visible("token:bob", 10)] == [bob.run_id]
    assert [r.run_id for r in runs.visible("local", 10)] == [
        local_new.run_id,
        local_old.run_id,
    ]
    assert runs.visible("carol", 10) == []
    assert [r.run_id for r in runs.visible("token:alice", 1)] == [alice_new.run_id]


def test_paging_visible_runs_by_the_last_row_walks_every_run_exactly_once(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    mine: list[RunRecord] = []
    for step in (0, 5, 0, 0, 0, 5, 0, 5):  # several runs share a created_at
        manual_clock.advance(step)
        mine.append(_create(runs, person="token:alice"))
        _create(runs, person="token:bob")
        _create(runs, person="local")
    expected = sorted(mine, key=lambda r: (r.created_at, r.run_id), reverse=True)

    walked: list[RunRecord] = []
    pages: list[int] = []
    before: tuple[float, str] | None = None
    while page := runs.visible("token:alice", 3, before=before):
        pages.append(len(page))
        walked.extend(page)
        before = (page[-1].created_at, page[-1].run_id)

    assert pages == [3, 3, 2]
    assert [r.run_id for r in walked] == [r.run_id for r in expected]
    assert walked == expected
    assert len({r.run_id for r in walked}) == len(mine)


# --- sweep ------------------------------------------------------------------------------------


def test_sweep_forgets_only_ended_runs_past_their_time_to_live(
    runs: RunStore, manual_clock: ManualClock
) -> None:
    ended_expired = _create(runs, ttl=60)
    runs.finish(ended_expired.run_id, RunState.COMPLETED, "done", result={"ok": True})
    working_expired = _create(runs, ttl=60)
    ended_forever = _create(runs, ttl=None)
    runs.finish(ended_forever.run_id, RunState.CANCELLED, "cancelled")
    manual_clock.advance(50)
    ended_fresh = _create(runs, ttl=60)
    runs.finish(ended_fresh.run_id, RunState.FAILED, "failed", error="boom")
    manual_clock.advance(20)  # 70 s after the first runs, 20 s after the fresh one

    assert runs.sweep() == 1

    assert runs.get(ended_expired.run_id) is None
    for kept in (working_expired, ended_forever, ended_fresh):
        assert runs.get(kept.run_id) is not None, kept
    assert runs.sweep() == 0

    manual_clock.advance(60)
    assert runs.sweep() == 1
    assert runs.get(ended_fresh.run_id) is None
    assert runs.get(working_expired.run_id) is not None
    assert runs.get(ended_forever.run_id) is not None


# --- schema -----------------------------------------------------------------------------------

_VERSION_4 = """
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, task_uuid TEXT UNIQUE, subscription_key TEXT,
    job_uuids TEXT NOT NULL DEFAULT '[]', fingerprint TEXT, prompt TEXT, tier TEXT,
    request TEXT NOT NULL DEFAULT '{}', estimated_credits REAL NOT NULL DEFAULT 0, consumed REAL,
    sandbox INTEGER NOT NULL, scope TEXT NOT NULL, state TEXT NOT NULL, error TEXT,
    jobs TEXT NOT NULL DEFAULT '[]', created_at REAL NOT NULL, submitted_at REAL,
    updated_at REAL NOT NULL, submit_time TEXT, output_dir TEXT,
    files TEXT NOT NULL DEFAULT '[]', downloaded_at REAL,
    image_count INTEGER NOT NULL DEFAULT 0, owner TEXT,
    kind TEXT NOT NULL DEFAULT 'generation', source TEXT
);
CREATE INDEX tasks_by_fingerprint ON tasks (fingerprint, sandbox, scope, created_at);
CREATE INDEX tasks_by_created ON tasks (created_at);
"""


def test_a_version_4_ledger_gains_the_runs_table_and_keeps_its_tasks(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(_VERSION_4)
    conn.execute(
        "INSERT INTO tasks (task_uuid, sandbox, scope, state, created_at, updated_at, kind) "
        "VALUES ('t-1', 1, 'sandbox', 'done', 1.0, 2.0, 'split')"
    )
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()

    with Ledger(path) as ledger:
        record = ledger.get("t-1")
        run = RunStore(ledger).create("t-1", TaskKind.SPLIT, "local", None)
        fetched = RunStore(ledger).get(run.run_id)

    assert record is not None
    assert (record.state, record.kind) == ("done", TaskKind.SPLIT)
    assert fetched == run
    assert SCHEMA_VERSION == 7
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        indexes = {
            str(row[0])
            for row in check.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'"
            )
        }
    finally:
        check.close()
    assert {"runs_by_identity", "runs_by_state"} <= indexes
