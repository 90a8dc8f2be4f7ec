"""The task ledger's rows, on both engines; and the SQLite file's own promises."""

from __future__ import annotations

import stat
import textwrap
from pathlib import Path

import anyio
import pytest

from rodin_mcp.errors import ConfigError
from rodin_mcp.ledger import Claimed, Ledger, open_sqlite_ledger
from rodin_mcp.records import StoredFile, TaskRecord
from tests.ledger.conftest import open_at
from tests.ledger.processes import start_together
from tests.ledger.rows import BASE_URL, draft, submit_row

pytestmark = pytest.mark.anyio

REAL_URL = "https://api.hyper3d.com/api/v2"


async def test_a_submission_is_kept_from_before_it_is_sent_to_its_downloaded_files(
    ledger: Ledger, tmp_path: Path
) -> None:
    claim = await ledger.claim_submission(
        draft("fp-1", sandbox=False, scope=REAL_URL, image_count=1),
        window_seconds=600,
        force_new=False,
    )
    assert isinstance(claim, Claimed)
    record_id = claim.record_id
    pending = (await ledger.list_tasks())[0]
    assert (pending.id, pending.state, pending.task_uuid) == (record_id, "submitting", None)
    assert pending.request == {"tier": "Gen-2", "prompt": "a chair", "seed": 7}
    assert pending.image_count == 1

    submitted = await ledger.record_submitted(
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

    await ledger.record_status("task-1", "generating", [("j1", "Generating"), ("j2", "Waiting")])
    await ledger.record_status("task-1", "done", [("j1", "Done"), ("j2", "Done")])
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
    recorded = await ledger.record_download("task-1", tmp_path / "out", files)

    done = await ledger.get("task-1")
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


async def test_a_new_ledger_on_the_same_store_sees_everything_the_first_wrote(
    address: str,
) -> None:
    async with await open_at(address) as first:
        await submit_row(first, task_uuid="task-1")
        unknown_id = await submit_row(first, "fp-2")
        await first.record_outcome_unknown(unknown_id, "read timeout after the body was sent")
        await first.record_status("task-1", "done", [("task-1-j1", "Done")])
        before = await first.list_tasks()

    async with await open_at(address) as second:
        assert await second.list_tasks() == before
        reopened = await second.get("task-1")
        assert reopened is not None
        assert reopened.state == "done"
        rows = await second.list_tasks()
        assert [r.state for r in rows] == ["unknown", "done"]
        assert rows[0].error == "read timeout after the body was sent"


async def test_a_rejected_submission_keeps_the_code_and_message(ledger: Ledger) -> None:
    record_id = await submit_row(ledger)
    await ledger.record_rejected(record_id, "API_INSUFFICIENT_FUNDS", "Not enough credits.")
    (row,) = await ledger.list_tasks()
    assert row.state == "rejected"
    assert row.error == "API_INSUFFICIENT_FUNDS: Not enough credits."


async def test_one_ledger_shared_by_concurrent_tasks_never_loses_a_row(ledger: Ledger) -> None:
    async def writer(name: str) -> None:
        for i in range(50):
            await submit_row(ledger, task_uuid=f"{name}-{i}")
            await ledger.list_tasks(limit=5)

    async with anyio.create_task_group() as group:
        for n in range(4):
            group.start_soon(writer, str(n))
    assert len(await ledger.list_tasks(limit=1000)) == 200


_WRITER_SCRIPT = textwrap.dedent(
    """
    import sys
    import anyio
    from rodin_mcp.ledger import SubmissionDraft
    from tests.ledger.conftest import open_at

    async def main() -> None:
        address, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        # Start together: announce readiness, then wait for the test to say go on stdin.
        print("ready", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.readline)
        async with await open_at(address) as ledger:
            for i in range(count):
                draft = SubmissionDraft(
                    fingerprint=f"fp-{name}-{i}", request={"i": i}, image_count=0, prompt=None,
                    tier="Gen-2", estimated_credits=0.5, sandbox=True,
                    scope="http://127.0.0.1:9/api/v2", person="local",
                )
                claim = await ledger.claim_submission(draft, window_seconds=600, force_new=False)
                await ledger.record_submitted(
                    claim.record_id, task_uuid=f"{name}-{i}", subscription_key="k",
                    job_uuids=["j"], consumed=0.5, submit_time=None,
                )

    anyio.run(main)
    """
)


async def test_two_processes_writing_at_once_never_lose_a_row_nor_report_a_locked_database(
    ledger: Ledger, address: str
) -> None:
    processes = start_together([["-c", _WRITER_SCRIPT, address, name, "200"] for name in "pq"])
    outcomes = [process.communicate(timeout=120) for process in processes]

    for process, (_out, err) in zip(processes, outcomes, strict=True):
        assert "locked" not in err
        assert process.returncode == 0, err
    rows = await ledger.list_tasks(limit=1000)
    assert len(rows) == 400
    assert {row.task_uuid for row in rows} == {f"{n}-{i}" for n in "pq" for i in range(200)}
    assert all(row.state == "waiting" for row in rows)


async def test_list_tasks_is_newest_first_limited_and_filtered_by_sandbox(ledger: Ledger) -> None:
    for i in range(5):
        await submit_row(ledger, task_uuid=f"sandbox-{i}")
    for i in range(3):
        await submit_row(ledger, task_uuid=f"real-{i}", sandbox=False)

    assert [r.task_uuid for r in await ledger.list_tasks(limit=4)] == [
        "real-2",
        "real-1",
        "real-0",
        "sandbox-4",
    ]
    assert [r.task_uuid for r in await ledger.list_tasks(limit=2, sandbox=True)] == [
        "sandbox-4",
        "sandbox-3",
    ]
    assert len(await ledger.list_tasks(sandbox=False)) == 3
    assert len(await ledger.list_tasks()) == 8
    assert await ledger.list_tasks(limit=0) == []


async def test_an_external_task_is_recorded_once_and_can_then_be_tracked(ledger: Ledger) -> None:
    first = await ledger.record_external(
        task_uuid="ext", subscription_key=None, sandbox=False, scope=REAL_URL, person="local"
    )
    again = await ledger.record_external(
        task_uuid="ext", subscription_key="late-key", sandbox=False, scope=REAL_URL, person="local"
    )
    assert first is not None
    assert again is not None
    assert first.state == "external"
    assert again.id == first.id
    assert again.subscription_key == "late-key"
    await ledger.record_status("ext", "generating", [("j", "Generating")])
    tracked = await ledger.get("ext")
    assert tracked is not None
    assert tracked.state == "generating"
    assert len(await ledger.list_tasks()) == 1


async def test_a_submission_answer_replaces_an_external_row_for_the_same_task(
    ledger: Ledger,
) -> None:
    record_id = await submit_row(ledger, "fp")
    await ledger.record_external(
        task_uuid="t", subscription_key="k", sandbox=True, scope=BASE_URL, person="local"
    )
    await ledger.record_submitted(
        record_id,
        task_uuid="t",
        subscription_key="k",
        job_uuids=["j"],
        consumed=None,
        submit_time=None,
    )
    (row,) = await ledger.list_tasks()
    assert (row.id, row.state, row.fingerprint) == (record_id, "waiting", "fp")


async def test_status_of_an_unknown_task_or_a_made_up_state_is_refused(
    ledger: Ledger, tmp_path: Path
) -> None:
    await submit_row(ledger, task_uuid="t")
    with pytest.raises(LookupError):
        await ledger.record_status("nope", "done", [])
    with pytest.raises(LookupError):
        await ledger.record_download("nope", tmp_path, [])
    with pytest.raises(ValueError, match="unknown task state"):
        await ledger.record_status("t", "finished", [])
    with pytest.raises(LookupError):
        await ledger.record_outcome_unknown(9999, "x")


async def test_the_subscription_key_stays_out_of_a_records_repr(ledger: Ledger) -> None:
    await submit_row(ledger, task_uuid="t")
    record = await ledger.get("t")
    assert record is not None
    assert record.subscription_key == "key-t"
    assert "key-t" not in repr(record)
    assert isinstance(record, TaskRecord)


# --- the SQLite file --------------------------------------------------------------------------


async def test_the_database_file_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "ledger.sqlite3"
    async with await open_sqlite_ledger(path) as ledger:
        await submit_row(ledger, task_uuid="t")
        wal = Path(str(path) + "-wal")
        assert wal.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(wal.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "deeper").stat().st_mode) == 0o700


async def test_an_existing_world_readable_database_file_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    async with await open_sqlite_ledger(path):
        pass
    path.chmod(0o644)
    async with await open_sqlite_ledger(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_file_that_is_not_a_database_is_refused_with_a_clear_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"this is not a database, just some text that is long enough" * 20)
    with pytest.raises(ConfigError, match="Cannot use the task ledger"):
        await open_sqlite_ledger(path)


async def test_commits_are_flushed_to_the_disk_itself_also_where_fsync_stops_at_its_cache(
    tmp_path: Path,
) -> None:
    # fullfsync matters on macOS (F_FULLFSYNC); SQLite keeps the setting everywhere.
    async with (
        await open_sqlite_ledger(tmp_path / "l.sqlite3") as ledger,
        ledger.database.reading() as tx,
    ):
        found = {
            pragma: (await tx.execute(f"PRAGMA {pragma}")).one()[0]
            for pragma in ("synchronous", "fullfsync", "checkpoint_fullfsync")
        }
    assert found == {"synchronous": 2, "fullfsync": 1, "checkpoint_fullfsync": 1}
