"""Tests of the task ledger, on real SQLite files in a temporary folder."""

from __future__ import annotations

import stat
import textwrap
import threading
from pathlib import Path

import pytest

from rodin_mcp.errors import ConfigError
from rodin_mcp.ledger import Claimed, Ledger
from rodin_mcp.records import StoredFile, TaskRecord
from tests.ledger.processes import start_together
from tests.ledger.rows import BASE_URL, draft, submit_row

REAL_URL = "https://api.hyper3d.com/api/v2"


def _open(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "state" / "ledger.sqlite3")


def test_a_submission_is_kept_from_before_it_is_sent_to_its_downloaded_files(
    tmp_path: Path,
) -> None:
    with _open(tmp_path) as ledger:
        claim = ledger.claim_submission(
            draft("fp-1", sandbox=False, scope=REAL_URL, image_count=1),
            window_seconds=600,
            force_new=False,
        )
        assert isinstance(claim, Claimed)
        record_id = claim.record_id
        pending = ledger.list_tasks()[0]
        assert (pending.id, pending.state, pending.task_uuid) == (record_id, "submitting", None)
        assert pending.request == {"tier": "Gen-2", "prompt": "a chair", "seed": 7}
        assert pending.image_count == 1

        submitted = ledger.record_submitted(
            record_id,
            task_uuid="task-1",
            subscription_key="sub-key-1",
            job_uuids=["j1", "j2"],
            consumed=0.5,
            submit_time="2025-01-01T00:00:00Z",
        )
        assert submitted.state == "waiting"
        assert submitted.job_uuids == ("j1", "j2")
        assert submitted.subscription_key == "sub-key-1"
        assert submitted.submitted_at is not None

        ledger.record_status("task-1", "generating", [("j1", "Generating"), ("j2", "Waiting")])
        ledger.record_status("task-1", "done", [("j1", "Done"), ("j2", "Done")])
        files = (
            StoredFile(
                name="base_basic_pbr.glb",
                path=tmp_path / "out" / "base_basic_pbr.glb",
                size=1234,
                sha256="ab" * 32,
                mime_type="model/gltf-binary",
                source_name="base_basic_pbr.glb",
            ),
        )
        recorded = ledger.record_download("task-1", tmp_path / "out", files)

        done = ledger.get("task-1")
        assert done is not None
        assert done.state == "done"
        assert done == recorded
        assert done.jobs == (("j1", "Done"), ("j2", "Done"))
        assert done.files == files
        assert done.output_dir == str(tmp_path / "out")
        assert done.downloaded_at is not None
        assert done.consumed == 0.5
        assert done.submit_time == "2025-01-01T00:00:00Z"
        assert done.sandbox is False
        assert done.scope == REAL_URL
        assert done.id == record_id


def test_a_new_ledger_on_the_same_file_sees_everything_the_first_wrote(tmp_path: Path) -> None:
    with _open(tmp_path) as first:
        submit_row(first, task_uuid="task-1")
        unknown_id = submit_row(first, "fp-2")
        first.record_outcome_unknown(unknown_id, "read timeout after the body was sent")
        first.record_status("task-1", "done", [("task-1-j1", "Done")])
        before = first.list_tasks()

    with _open(tmp_path) as second:
        assert second.list_tasks() == before
        reopened = second.get("task-1")
        assert reopened is not None
        assert reopened.state == "done"
        assert [r.state for r in second.list_tasks()] == ["unknown", "done"]
        assert second.list_tasks()[0].error == "read timeout after the body was sent"


def test_a_rejected_submission_keeps_the_code_and_message(tmp_path: Path) -> None:
    with _open(tmp_path) as ledger:
        record_id = submit_row(ledger)
        ledger.record_rejected(record_id, "API_INSUFFICIENT_FUNDS", "Not enough credits.")
        (row,) = ledger.list_tasks()
        assert row.state == "rejected"
        assert row.error == "API_INSUFFICIENT_FUNDS: Not enough credits."


def test_two_ledgers_on_one_file_used_from_threads_never_lose_a_row(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            with Ledger(path) as ledger:
                for i in range(100):
                    submit_row(ledger, f"fp-{name}", task_uuid=f"{name}-{i}")
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with Ledger(path) as ledger:
        rows = ledger.list_tasks(limit=1000)
    assert len(rows) == 200
    assert {row.task_uuid for row in rows} == {f"{n}-{i}" for n in ("a", "b") for i in range(100)}


def test_one_ledger_shared_by_threads_serialises_its_connection(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    with _open(tmp_path) as ledger:

        def writer(name: str) -> None:
            try:
                for i in range(50):
                    submit_row(ledger, task_uuid=f"{name}-{i}")
                    ledger.list_tasks(limit=5)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(str(n),)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(ledger.list_tasks(limit=1000)) == 200


_WRITER_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rodin_mcp.ledger import Ledger, SubmissionDraft

    path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    # Start together: announce readiness, then wait for the test to say go on stdin.
    print("ready", flush=True)
    sys.stdin.readline()
    with Ledger(path) as ledger:
        for i in range(count):
            draft = SubmissionDraft(
                fingerprint=f"fp-{name}-{i}", request={"i": i}, image_count=0, prompt=None,
                tier="Gen-2", estimated_credits=0.5, sandbox=True,
                scope="http://127.0.0.1:9/api/v2", person="local",
            )
            claim = ledger.claim_submission(draft, window_seconds=600, force_new=False)
            ledger.record_submitted(
                claim.record_id, task_uuid=f"{name}-{i}", subscription_key="k", job_uuids=["j"],
                consumed=0.5, submit_time=None,
            )
    """
)


def test_two_processes_writing_at_once_never_lose_a_row_nor_report_a_locked_database(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shared" / "ledger.sqlite3"
    path.parent.mkdir()
    script = tmp_path / "writer.py"
    script.write_text(_WRITER_SCRIPT)
    processes = start_together([[str(script), str(path), name, "200"] for name in ("p", "q")])
    outcomes = [process.communicate(timeout=120) for process in processes]

    for process, (_out, err) in zip(processes, outcomes, strict=True):
        assert "locked" not in err
        assert process.returncode == 0, err
    with Ledger(path) as ledger:
        rows = ledger.list_tasks(limit=1000)
    assert len(rows) == 400
    assert {row.task_uuid for row in rows} == {f"{n}-{i}" for n in ("p", "q") for i in range(200)}
    assert all(row.state == "waiting" for row in rows)


def test_list_tasks_is_newest_first_limited_and_filtered_by_sandbox(tmp_path: Path) -> None:
    with _open(tmp_path) as ledger:
        for i in range(5):
            submit_row(ledger, task_uuid=f"sandbox-{i}")
        for i in range(3):
            submit_row(ledger, task_uuid=f"real-{i}", sandbox=False)

        assert [r.task_uuid for r in ledger.list_tasks(limit=4)] == [
            "real-2",
            "real-1",
            "real-0",
            "sandbox-4",
        ]
        assert [r.task_uuid for r in ledger.list_tasks(limit=2, sandbox=True)] == [
            "sandbox-4",
            "sandbox-3",
        ]
        assert len(ledger.list_tasks(sandbox=False)) == 3
        assert len(ledger.list_tasks()) == 8
        assert ledger.list_tasks(limit=0) == []


def test_an_external_task_is_recorded_once_and_can_then_be_tracked(tmp_path: Path) -> None:
    with _open(tmp_path) as ledger:
        first = ledger.record_external(
            task_uuid="ext", subscription_key=None, sandbox=False, scope=REAL_URL, person="local"
        )
        again = ledger.record_external(
            task_uuid="ext",
            subscription_key="late-key",
            sandbox=False,
            scope=REAL_URL,
            person="local",
        )
        assert first is not None
        assert again is not None
        assert first.state == "external"
        assert again.id == first.id
        assert again.subscription_key == "late-key"
        ledger.record_status("ext", "generating", [("j", "Generating")])
        tracked = ledger.get("ext")
        assert tracked is not None
        assert tracked.state == "generating"
        assert len(ledger.list_tasks()) == 1


def test_a_submission_answer_replaces_an_external_row_for_the_same_task(tmp_path: Path) -> None:
    with _open(tmp_path) as ledger:
        record_id = submit_row(ledger, "fp")
        ledger.record_external(
            task_uuid="t", subscription_key="k", sandbox=True, scope=BASE_URL, person="local"
        )
        ledger.record_submitted(
            record_id,
            task_uuid="t",
            subscription_key="k",
            job_uuids=["j"],
            consumed=None,
            submit_time=None,
        )
        (row,) = ledger.list_tasks()
        assert (row.id, row.state, row.fingerprint) == (record_id, "waiting", "fp")


def test_status_of_an_unknown_task_or_a_made_up_state_is_refused(tmp_path: Path) -> None:
    with _open(tmp_path) as ledger:
        submit_row(ledger, task_uuid="t")
        with pytest.raises(LookupError):
            ledger.record_status("nope", "done", [])
        with pytest.raises(LookupError):
            ledger.record_download("nope", tmp_path, [])
        with pytest.raises(ValueError, match="unknown task state"):
            ledger.record_status("t", "finished", [])
        with pytest.raises(LookupError):
            ledger.record_outcome_unknown(9999, "x")


def test_the_database_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "ledger.sqlite3"
    with Ledger(path) as ledger:
        submit_row(ledger, task_uuid="t")
        wal = Path(str(path) + "-wal")
        assert wal.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(wal.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "deeper").stat().st_mode) == 0o700


def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path):
        pass
    path.chmod(0o644)
    with Ledger(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_subscription_key_stays_out_of_a_records_repr(tmp_path: Path) -> None:
    with _open(tmp_path) as ledger:
        submit_row(ledger, task_uuid="t")
        record = ledger.get("t")
        assert record is not None
        assert record.subscription_key == "key-t"
        assert "key-t" not in repr(record)
        assert isinstance(record, TaskRecord)


def test_a_file_that_is_not_a_database_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"this is not a database, just some text that is long enough" * 20)
    with pytest.raises(ConfigError, match="Cannot use the task ledger"):
        Ledger(path)


def test_commits_are_flushed_to_the_disk_itself_also_where_fsync_stops_at_its_cache(
    tmp_path: Path,
) -> None:
    # fullfsync matters on macOS (F_FULLFSYNC); SQLite keeps the setting everywhere.
    with Ledger(tmp_path / "l.sqlite3") as ledger, ledger.reading() as conn:
        settings = {
            pragma: conn.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in ("synchronous", "fullfsync", "checkpoint_fullfsync")
        }
    assert settings == {"synchronous": 2, "fullfsync": 1, "checkpoint_fullfsync": 1}
