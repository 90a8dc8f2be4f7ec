"""The task ledger: the memory of the MCP server and the command line.

Every paid submission is written down *before* its request leaves (state ``submitting``), then its
ids once Rodin answers, then every status and download. So a task id is never lost, and an
identical submission whose outcome is unknown can be spotted before it is paid for twice.

Storage is one SQLite file in WAL mode, shared safely by several processes (several host windows
each run a server): every write is one ``BEGIN IMMEDIATE`` transaction, and ``busy_timeout`` makes
a writer wait for another rather than fail. A :class:`Ledger` holds one connection, guarded by a
lock, so it may be called from worker threads one at a time. The states a row can be in are
:class:`~rodin_mcp.records.RecordState`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Generator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from rodin_mcp.errors import BudgetExceededError, ConfigError
from rodin_mcp.ledger.claims import (
    FOREIGN_CLAIM_SECONDS,
    Claim,
    Claimed,
    Decision,
    InFlight,
    Reused,
    SpendLimit,
    SubmissionDraft,
    Unresolved,
)
from rodin_mcp.ledger.owners import Liveness, ProcessOwner, liveness, this_process
from rodin_mcp.ledger.private_files import create_private_file, make_private_dirs
from rodin_mcp.ledger.schema import migrate
from rodin_mcp.ledger.transactions import BUSY_TIMEOUT_MS, immediate, retry_while_locked
from rodin_mcp.records import RecordState, StoredFile, TaskKind, TaskRecord

__all__ = ["Ledger", "Spending"]

logger = logging.getLogger(__name__)

_DUPLICATE_STATES = (RecordState.WAITING, RecordState.GENERATING, RecordState.DONE)
_UNBILLED_STATES = (RecordState.REJECTED, RecordState.EXTERNAL)
"""Rows that cost their person nothing: refused or never sent, or not submitted here."""


@dataclasses.dataclass(frozen=True)
class Spending:
    """What a person spent (and reserved) in a period, and when the oldest of it leaves it."""

    credits: float
    oldest_at: float | None


class Ledger:
    """The task ledger on one SQLite file.

    Args:
        path: The database file; its missing parent folders are created ``0700``.

    Raises:
        ConfigError: The file cannot be opened, is not a ledger, or has a newer schema.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        make_private_dirs(self.path.parent)
        create_private_file(self.path)
        try:
            self._conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise ConfigError(f"Cannot open the task ledger {self.path}: {exc}.") from None
        try:
            self._configure()
            migrate(self._conn, self.path)
        except ConfigError:
            self._conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ConfigError(
                f"Cannot use the task ledger {self.path}: {exc}. Move the file away or set "
                "RODIN_DATA_DIR to another folder."
            ) from None

    def _configure(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = retry_while_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if str(mode).lower() != "wal":
            logger.warning("task ledger %s: WAL mode unavailable, using %s", self.path, mode)
        # FULL: a committed submission survives a power cut, not only a crash of this process.
        # On macOS fsync stops at the drive's cache; fullfsync (ignored elsewhere) goes through.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA fullfsync = ON")
        conn.execute("PRAGMA checkpoint_fullfsync = ON")
        conn.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        """Close the connection. The ledger cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    # --- writes -----------------------------------------------------------------------------

    def claim_submission(
        self,
        draft: SubmissionDraft,
        *,
        window_seconds: float,
        force_new: bool,
        limit: SpendLimit | None = None,
        now: float | None = None,
    ) -> Claim:
        """Claim ``draft`` for sending, or say why not (see :mod:`~rodin_mcp.ledger.claims`).

        One ``BEGIN IMMEDIATE`` transaction: of several processes claiming an identical draft at
        once, one gets :class:`Claimed` and the others see its row.
        """
        now = time.time() if now is None else now
        with self._write() as conn:
            decision = self._decide(conn, draft, window_seconds, force_new, now, write=True)
            if decision is not None:
                return decision
            if limit is not None:
                _check_budget(conn, draft, limit, now)
            cursor = conn.execute(
                """
                INSERT INTO tasks (fingerprint, request, image_count, prompt, tier,
                                   estimated_credits, sandbox, scope, state, owner,
                                   created_at, updated_at, kind, source, person)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitting', ?, ?, ?, ?, ?, ?)
                """,
                (
                    draft.fingerprint,
                    _dumps(draft.request),
                    int(draft.image_count),
                    draft.prompt,
                    draft.tier,
                    float(draft.estimated_credits),
                    int(draft.sandbox),
                    draft.scope,
                    this_process().to_json(),
                    now,
                    now,
                    draft.kind.value,
                    draft.source,
                    draft.person,
                ),
            )
            return Claimed(int(cast(int, cursor.lastrowid)))

    def peek_submission(
        self,
        draft: SubmissionDraft,
        *,
        window_seconds: float,
        force_new: bool,
        now: float | None = None,
    ) -> Decision | None:
        """What :meth:`claim_submission` would answer now; ``None`` when it would claim.

        Writes only what is already true (a dead owner's claim becomes ``unknown``).
        """
        now = time.time() if now is None else now
        with self._write() as conn:
            return self._decide(conn, draft, window_seconds, force_new, now, write=False)

    def abandon_claim(self, record_id: int) -> None:
        """Forget a ``submitting`` row whose request was never sent (e.g. refused by the budget)."""
        with self._write() as conn:
            conn.execute("DELETE FROM tasks WHERE id = ? AND state = 'submitting'", (record_id,))

    def _decide(
        self,
        conn: sqlite3.Connection,
        draft: SubmissionDraft,
        window_seconds: float,
        force_new: bool,
        now: float,
        *,
        write: bool,
    ) -> Decision | None:
        same = (draft.fingerprint, int(draft.sandbox), draft.scope, draft.person)
        columns = self._columns()
        rows = conn.execute(
            "SELECT * FROM tasks WHERE fingerprint = ? AND sandbox = ? AND scope = ? "
            "AND person = ? AND state IN ('unknown', 'submitting') "
            "ORDER BY created_at DESC, id DESC",
            same,
        ).fetchall()
        pending = [(_record(row, columns), _owner_of(row, columns)) for row in rows]
        unresolved: TaskRecord | None = None
        in_flight: TaskRecord | None = None
        for record, owner_json in pending:
            if record.state is RecordState.SUBMITTING:
                verdict = _claim_verdict(owner_json, record.created_at, now)
                if verdict is Liveness.ALIVE:
                    in_flight = in_flight or record
                    continue
                record = self._mark_owner_gone(conn, record, owner_json, verdict)
            unresolved = unresolved or record
        if unresolved is not None:
            if not force_new:
                return Unresolved(unresolved)
            if write:
                conn.execute(
                    "UPDATE tasks SET state = 'superseded', updated_at = ? WHERE fingerprint = ? "
                    "AND sandbox = ? AND scope = ? AND person = ? AND state = 'unknown'",
                    (now, *same),
                )
        if force_new:
            return None
        duplicate = self._duplicate(conn, same, now - window_seconds)
        if duplicate is not None:
            return Reused(duplicate)
        return None if in_flight is None else InFlight(in_flight)

    def _mark_owner_gone(
        self,
        conn: sqlite3.Connection,
        record: TaskRecord,
        owner_json: str | None,
        verdict: Liveness,
    ) -> TaskRecord:
        owner = ProcessOwner.from_json(owner_json) if owner_json else None
        if verdict is Liveness.DEAD and owner is not None:
            reason = f"its process (pid {owner.pid}) ended before Rodin's answer was recorded"
        else:
            reason = "no answer was recorded within a minute of sending it"
        if verdict is Liveness.DEAD:
            conn.execute(
                "UPDATE tasks SET state = 'unknown', error = ?, updated_at = ? "
                "WHERE id = ? AND state = 'submitting'",
                (reason, time.time(), record.id),
            )
        return dataclasses.replace(record, state=RecordState.UNKNOWN, error=reason)

    def _duplicate(
        self, conn: sqlite3.Connection, same: tuple[str, int, str, str], since: float
    ) -> TaskRecord | None:
        placeholders = ",".join("?" * len(_DUPLICATE_STATES))
        row = conn.execute(
            f"""
            SELECT * FROM tasks
            WHERE fingerprint = ? AND sandbox = ? AND scope = ? AND person = ?
              AND submitted_at >= ? AND state IN ({placeholders})
            ORDER BY submitted_at DESC, id DESC LIMIT 1
            """,
            (*same, since, *_DUPLICATE_STATES),
        ).fetchone()
        return None if row is None else _record(row, self._columns())

    def record_submitted(
        self,
        record_id: int,
        *,
        task_uuid: str,
        subscription_key: str,
        job_uuids: list[str],
        consumed: float | None,
        submit_time: str | None,
    ) -> TaskRecord:
        """Record Rodin's answer to a submission (state ``waiting``); return the updated row."""
        now = time.time()
        with self._write() as conn:
            self._require_row(conn, record_id)
            # The same uuid may already be here as 'external' if another process looked it up.
            conn.execute(
                "DELETE FROM tasks WHERE task_uuid = ? AND state = 'external' AND id != ?",
                (task_uuid, record_id),
            )
            conn.execute(
                """
                UPDATE tasks SET task_uuid = ?, subscription_key = ?, job_uuids = ?, consumed = ?,
                       submit_time = ?, submitted_at = ?, updated_at = ?, state = 'waiting',
                       error = NULL
                WHERE id = ?
                """,
                (
                    task_uuid,
                    subscription_key,
                    _dumps(job_uuids),
                    consumed,
                    submit_time,
                    now,
                    now,
                    record_id,
                ),
            )
            return self._row_by_id(conn, record_id)

    def record_outcome_unknown(self, record_id: int, reason: str) -> None:
        """Mark a submission whose request may have reached Rodin (state ``unknown``)."""
        self._set_state(record_id, "unknown", reason)

    def record_rejected(self, record_id: int, code: str | None, message: str) -> None:
        """Mark a submission that was never sent or that Rodin refused (state ``rejected``)."""
        self._set_state(record_id, "rejected", f"{code}: {message}" if code else message)

    def record_external(
        self,
        *,
        task_uuid: str,
        subscription_key: str | None,
        sandbox: bool,
        scope: str,
        person: str,
    ) -> TaskRecord | None:
        """Record a task this ledger did not submit, for ``person``; return its row (the existing
        one if known), or None when the task is another person's.

        A known task keeps its row; a subscription key it lacked is filled in.
        """
        now = time.time()
        with self._write() as conn:
            existing = conn.execute(
                "SELECT id, person FROM tasks WHERE task_uuid = ?", (task_uuid,)
            ).fetchone()
            if existing is not None and existing[1] != person:
                return None
            if existing is not None:
                if subscription_key:
                    conn.execute(
                        "UPDATE tasks SET subscription_key = COALESCE(subscription_key, ?) "
                        "WHERE id = ?",
                        (subscription_key, existing[0]),
                    )
                return self._row_by_id(conn, int(existing[0]))
            cursor = conn.execute(
                """
                INSERT INTO tasks (task_uuid, subscription_key, sandbox, scope, state,
                                   created_at, updated_at, person)
                VALUES (?, ?, ?, ?, 'external', ?, ?, ?)
                """,
                (task_uuid, subscription_key, int(sandbox), scope, now, now, person),
            )
            return self._row_by_id(conn, int(cast(int, cursor.lastrowid)))

    def record_status(self, task_uuid: str, state: str, jobs: list[tuple[str, str]]) -> None:
        """Record the latest job statuses of a task and the task state derived from them.

        Raises:
            ValueError: ``state`` is not a :class:`~rodin_mcp.records.RecordState`.
            LookupError: The ledger has no task with this uuid.
        """
        _check_state(state)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE tasks SET state = ?, jobs = ?, updated_at = ? WHERE task_uuid = ?",
                (state, _dumps([list(job) for job in jobs]), time.time(), task_uuid),
            )
            if cursor.rowcount == 0:
                raise LookupError(f"no task {task_uuid} in the ledger")

    def record_download(
        self, task_uuid: str, output_dir: Path, files: Sequence[StoredFile]
    ) -> TaskRecord:
        """Record the verified files of a task saved on disk; return the updated row.

        Raises:
            LookupError: The ledger has no task with this uuid.
        """
        now = time.time()
        with self._write() as conn:
            cursor = conn.execute(
                """
                UPDATE tasks SET output_dir = ?, files = ?, downloaded_at = ?, updated_at = ?
                WHERE task_uuid = ?
                """,
                (str(output_dir), _dumps([f.as_json() for f in files]), now, now, task_uuid),
            )
            if cursor.rowcount == 0:
                raise LookupError(f"no task {task_uuid} in the ledger")
            return self._row_by_uuid(conn, task_uuid)

    # --- reads ------------------------------------------------------------------------------

    def get(self, task_uuid: str, person: str | None = None) -> TaskRecord | None:
        """The row of the task with this uuid (if given, only when it is ``person``'s)."""
        sql, params = "SELECT * FROM tasks WHERE task_uuid = ?", [task_uuid]
        if person is not None:
            sql, params = sql + " AND person = ?", [*params, person]
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return None if row is None else _record(row, self._columns())

    def list_tasks(
        self, limit: int = 20, *, sandbox: bool | None = None, person: str | None = None
    ) -> list[TaskRecord]:
        """The newest ``limit`` rows, newest first; only sandbox or only real ones, and only
        ``person``'s, if asked."""
        conditions: list[str] = []
        params: list[object] = []
        if sandbox is not None:
            conditions.append("sandbox = ?")
            params.append(int(sandbox))
        if person is not None:
            conditions.append("person = ?")
            params.append(person)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT * FROM tasks {where} ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, max(0, int(limit))),
            ).fetchall()
            columns = self._columns()
            return [_record(row, columns) for row in rows]

    def secret(self, name: str) -> bytes:
        """The ledger's random 32-byte secret ``name``, made the first time any process asks."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)",
                (name, secrets.token_bytes(32)),
            )
            return bytes(
                conn.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()[0]
            )

    def spending(
        self, person: str, *, sandbox: bool, period_seconds: float, now: float | None = None
    ) -> Spending:
        """What ``person`` spent and reserved (in this mode) in the period ending ``now``."""
        now = time.time() if now is None else now
        with self._lock:
            return _spending(self._conn, person, sandbox, now - period_seconds)

    # --- shared with the ledger's other tables ------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Generator[sqlite3.Connection]:
        """The connection inside one ``BEGIN IMMEDIATE`` transaction (for :mod:`.runs`)."""
        with self._write() as conn:
            yield conn

    @contextlib.contextmanager
    def reading(self) -> Generator[sqlite3.Connection]:
        """The connection, held for reads (for :mod:`.runs`)."""
        with self._lock:
            yield self._conn

    # --- helpers ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Generator[sqlite3.Connection]:
        with self._lock, immediate(self._conn):
            yield self._conn

    def _columns(self) -> list[str]:
        cursor = self._conn.execute("SELECT * FROM tasks LIMIT 0")
        return [str(column[0]) for column in cursor.description]

    def _select_one(self, sql: str, params: tuple[object, ...]) -> TaskRecord | None:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return None if row is None else _record(row, self._columns())

    def _row_by_uuid(self, conn: sqlite3.Connection, task_uuid: str) -> TaskRecord:
        row = conn.execute("SELECT * FROM tasks WHERE task_uuid = ?", (task_uuid,)).fetchone()
        if row is None:
            raise LookupError(f"no task {task_uuid} in the ledger")
        return _record(row, self._columns())

    def _row_by_id(self, conn: sqlite3.Connection, record_id: int) -> TaskRecord:
        row = conn.execute("SELECT * FROM tasks WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise LookupError(f"no ledger row {record_id}")
        return _record(row, self._columns())

    @staticmethod
    def _require_row(conn: sqlite3.Connection, record_id: int) -> None:
        if conn.execute("SELECT 1 FROM tasks WHERE id = ?", (record_id,)).fetchone() is None:
            raise LookupError(f"no ledger row {record_id}")

    def _set_state(
        self, record_id: int, state: str, error: str | None, *, keep_error: bool = False
    ) -> None:
        _check_state(state)
        with self._write() as conn:
            self._require_row(conn, record_id)
            if keep_error:
                conn.execute(
                    "UPDATE tasks SET state = ?, updated_at = ? WHERE id = ?",
                    (state, time.time(), record_id),
                )
            else:
                conn.execute(
                    "UPDATE tasks SET state = ?, error = ?, updated_at = ? WHERE id = ?",
                    (state, error, time.time(), record_id),
                )


def _check_state(state: str) -> RecordState:
    try:
        return RecordState(state)
    except ValueError:
        names = sorted(s.value for s in RecordState)
        raise ValueError(f"unknown task state {state!r}; expected one of {names}") from None


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _record(row: tuple[Any, ...], columns: list[str]) -> TaskRecord:
    values = dict(zip(columns, row, strict=True))
    return TaskRecord(
        id=int(values["id"]),
        task_uuid=values["task_uuid"],
        subscription_key=values["subscription_key"],
        job_uuids=tuple(str(item) for item in json.loads(values["job_uuids"])),
        fingerprint=values["fingerprint"],
        prompt=values["prompt"],
        tier=values["tier"],
        request=dict(json.loads(values["request"])),
        image_count=int(values["image_count"]),
        estimated_credits=float(values["estimated_credits"]),
        consumed=None if values["consumed"] is None else float(values["consumed"]),
        sandbox=bool(values["sandbox"]),
        scope=values["scope"],
        state=RecordState(values["state"]),
        error=values["error"],
        jobs=tuple((str(job[0]), str(job[1])) for job in json.loads(values["jobs"])),
        created_at=float(values["created_at"]),
        submitted_at=values["submitted_at"],
        updated_at=float(values["updated_at"]),
        submit_time=values["submit_time"],
        output_dir=values["output_dir"],
        files=tuple(StoredFile.from_json(dict(item)) for item in json.loads(values["files"])),
        downloaded_at=values["downloaded_at"],
        kind=TaskKind(values["kind"]),
        source=values["source"],
        person=str(values["person"]),
    )


def _spending(conn: sqlite3.Connection, person: str, sandbox: bool, since: float) -> Spending:
    placeholders = ",".join("?" * len(_UNBILLED_STATES))
    row = conn.execute(
        f"""
        SELECT COALESCE(SUM(COALESCE(consumed, estimated_credits)), 0), MIN(created_at)
        FROM tasks
        WHERE person = ? AND sandbox = ? AND created_at > ? AND state NOT IN ({placeholders})
        """,
        (person, int(sandbox), since, *_UNBILLED_STATES),
    ).fetchone()
    return Spending(float(row[0]), None if row[1] is None else float(row[1]))


def _check_budget(
    conn: sqlite3.Connection, draft: SubmissionDraft, limit: SpendLimit, now: float
) -> None:
    spent = _spending(conn, draft.person, draft.sandbox, now - limit.period_seconds)
    if spent.credits + draft.estimated_credits > limit.credits + 1e-9:
        frees_at = None if spent.oldest_at is None else spent.oldest_at + limit.period_seconds
        raise BudgetExceededError(
            cost=draft.estimated_credits,
            spent=spent.credits,
            budget=limit.credits,
            frees_at=frees_at,
        )


def _claim_verdict(owner_json: str | None, created_at: float, now: float) -> Liveness:
    """Whether a ``submitting`` claim is in flight (ALIVE), its owner gone (DEAD), or stale."""
    owner = ProcessOwner.from_json(owner_json) if owner_json else None
    verdict = Liveness.UNKNOWN if owner is None else liveness(owner)
    if verdict is Liveness.UNKNOWN:
        # Cannot be checked from here: trust it for a while (measured on this clock), then not.
        return Liveness.ALIVE if now - created_at < FOREIGN_CLAIM_SECONDS else Liveness.UNKNOWN
    return verdict


def _owner_of(row: tuple[Any, ...], columns: list[str]) -> str | None:
    owner: object = row[columns.index("owner")]
    return owner if isinstance(owner, str) else None
