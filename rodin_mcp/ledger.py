"""The task ledger: the memory of the MCP server and the command line.

Every paid submission is written down *before* its request leaves (state ``submitting``), then its
ids once Rodin answers, then every status and download. So a task id is never lost, and an
identical submission whose outcome is unknown can be spotted before it is paid for twice.

Storage is one SQLite file in WAL mode, shared safely by several processes (several host windows
each run a server): every write is one ``BEGIN IMMEDIATE`` transaction, and ``busy_timeout`` makes
a writer wait for another rather than fail. A :class:`Ledger` holds one connection, guarded by a
lock, so it may be called from worker threads one at a time. The file is created ``0600`` because
it holds subscription keys (handles that let anyone read a task's status); its folder ``0700``.

States of a task::

    submitting  recorded, request about to leave (or in flight)
    unknown     the request may have reached Rodin; never resubmit automatically
    rejected    never sent, or refused by Rodin: not billed
    superseded  an unknown/submitting row the user chose to move past
    waiting, generating, done, failed    as Rodin reports the jobs
    external    a task this ledger did not submit (looked up by uuid)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar, cast

from rodin_mcp.errors import ConfigError

__all__ = [
    "SCHEMA_VERSION",
    "TASK_STATES",
    "Ledger",
    "TaskRecord",
    "migrate",
    "request_fingerprint",
]

logger = logging.getLogger(__name__)

TASK_STATES = frozenset(
    {
        "submitting",
        "unknown",
        "rejected",
        "superseded",
        "waiting",
        "generating",
        "done",
        "failed",
        "external",
    }
)
"""Every state a ledger row can be in."""

_T = TypeVar("_T")

_DUPLICATE_STATES = ("waiting", "generating", "done")
_STALE_SUBMITTING_SECONDS = 60.0
_BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One row of the ledger: a task this server submitted or looked up.

    ``subscription_key`` is left out of ``repr`` because it is a bearer handle.
    """

    id: int
    task_uuid: str | None
    subscription_key: str | None = field(repr=False)
    job_uuids: list[str]
    fingerprint: str | None
    prompt: str | None
    tier: str | None
    request: dict[str, Any]
    estimated_credits: float
    consumed: float | None
    sandbox: bool
    base_url: str
    state: str
    error: str | None
    jobs: list[tuple[str, str]]
    created_at: float
    submitted_at: float | None
    updated_at: float
    submit_time: str | None
    output_dir: str | None
    files: list[dict[str, Any]]
    downloaded_at: float | None


def request_fingerprint(request_fields: Mapping[str, Any], image_hashes: Sequence[str]) -> str:
    """Hex SHA-256 identifying a generation request, for spotting duplicates.

    The options are serialised as canonical JSON (sorted keys, no spaces, ``None`` values dropped
    so an omitted option and an explicit ``None`` match), followed by the image hashes in order.

    Args:
        request_fields: The request options as JSON values (``model_dump(mode="json")``).
        image_hashes: Hex SHA-256 of each input image, in upload order.

    Raises:
        TypeError: A value is not a JSON value.
    """
    canonical = json.dumps(
        {"fields": _drop_none(dict(request_fields)), "images": list(image_hashes)},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(b"rodin-mcp request v1\n" + canonical.encode("utf-8")).hexdigest()


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        items = cast(Mapping[Any, Any], value).items()
        return {key: _drop_none(item) for key, item in items if item is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(item) for item in cast(Sequence[Any], value)]
    return value


# --- schema ---------------------------------------------------------------------------------


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_uuid TEXT UNIQUE,
            subscription_key TEXT,
            job_uuids TEXT NOT NULL DEFAULT '[]',
            fingerprint TEXT,
            prompt TEXT,
            tier TEXT,
            request TEXT NOT NULL DEFAULT '{}',
            estimated_credits REAL NOT NULL DEFAULT 0,
            consumed REAL,
            sandbox INTEGER NOT NULL,
            base_url TEXT NOT NULL,
            state TEXT NOT NULL,
            error TEXT,
            jobs TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            submitted_at REAL,
            updated_at REAL NOT NULL,
            submit_time TEXT,
            output_dir TEXT,
            files TEXT NOT NULL DEFAULT '[]',
            downloaded_at REAL
        )
        """
    )
    conn.execute(
        "CREATE INDEX tasks_by_fingerprint ON tasks (fingerprint, sandbox, base_url, created_at)"
    )
    conn.execute("CREATE INDEX tasks_by_created ON tasks (created_at)")


_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_migrate_0_to_1,)
"""``_MIGRATIONS[n]`` takes a database from schema version ``n`` to ``n + 1``."""

SCHEMA_VERSION = len(_MIGRATIONS)
"""The schema version this code writes (``PRAGMA user_version``)."""


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the schema of ``conn`` up to :data:`SCHEMA_VERSION`; return the version found.

    Runs in one ``BEGIN IMMEDIATE`` transaction, so two processes opening a new file at once do
    not both create the tables.

    Raises:
        ConfigError: The file was written by a newer rodin-mcp.
    """
    with _immediate(conn):
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise ConfigError(
                f"The task ledger {path} was written by a newer rodin-mcp (schema {found}; this "
                f"version reads up to {SCHEMA_VERSION}). Upgrade rodin-mcp, or set "
                "RODIN_DATA_DIR to another folder."
            )
        for version in range(found, SCHEMA_VERSION):
            _MIGRATIONS[version](conn)
            logger.info("task ledger %s migrated to schema %d", path, version + 1)
        if found != SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
    return found


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Generator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- the ledger -----------------------------------------------------------------------------


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
        _make_private_dirs(self.path.parent)
        _create_private_file(self.path)
        try:
            self._conn = sqlite3.connect(
                self.path,
                timeout=_BUSY_TIMEOUT_MS / 1000,
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
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS:d}")
        mode = _retry_while_locked(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        if str(mode).lower() != "wal":
            logger.warning("task ledger %s: WAL mode unavailable, using %s", self.path, mode)
        # FULL: a committed submission survives a power cut, not only a crash of this process.
        conn.execute("PRAGMA synchronous = FULL")
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

    def begin_submission(
        self,
        *,
        fingerprint: str,
        request: dict[str, Any],
        prompt: str | None,
        tier: str | None,
        estimated_credits: float,
        sandbox: bool,
        base_url: str,
    ) -> int:
        """Record a submission about to be sent (state ``submitting``); return its row id."""
        now = time.time()
        with self._write() as conn:
            cursor = conn.execute(
                """
                INSERT INTO tasks (fingerprint, request, prompt, tier, estimated_credits, sandbox,
                                   base_url, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'submitting', ?, ?)
                """,
                (
                    fingerprint,
                    _dumps(request),
                    prompt,
                    tier,
                    float(estimated_credits),
                    int(sandbox),
                    base_url,
                    now,
                    now,
                ),
            )
            row_id = cursor.lastrowid
        if row_id is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise RuntimeError("SQLite returned no row id")
        return row_id

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

    def resolve_unknown(self, record_id: int, state: str) -> None:
        """Move an ``unknown`` or stuck ``submitting`` row on, e.g. to ``superseded``."""
        self._set_state(record_id, state, None, keep_error=True)

    def record_external(
        self, *, task_uuid: str, subscription_key: str | None, sandbox: bool, base_url: str
    ) -> TaskRecord:
        """Record a task this ledger did not submit; return its row (the existing one if known).

        A known task keeps its row; a subscription key it lacked is filled in.
        """
        now = time.time()
        with self._write() as conn:
            existing = conn.execute(
                "SELECT id FROM tasks WHERE task_uuid = ?", (task_uuid,)
            ).fetchone()
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
                INSERT INTO tasks (task_uuid, subscription_key, sandbox, base_url, state,
                                   created_at, updated_at)
                VALUES (?, ?, ?, ?, 'external', ?, ?)
                """,
                (task_uuid, subscription_key, int(sandbox), base_url, now, now),
            )
            return self._row_by_id(conn, int(cast(int, cursor.lastrowid)))

    def record_status(self, task_uuid: str, state: str, jobs: list[tuple[str, str]]) -> None:
        """Record the latest job statuses of a task and the task state derived from them.

        Raises:
            ValueError: ``state`` is not one of :data:`TASK_STATES`.
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

    def record_download(self, task_uuid: str, output_dir: str, files: list[dict[str, Any]]) -> None:
        """Record the files of a task saved on disk (name, path, size, sha256, mime_type).

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
                (output_dir, _dumps(files), now, now, task_uuid),
            )
            if cursor.rowcount == 0:
                raise LookupError(f"no task {task_uuid} in the ledger")

    # --- reads ------------------------------------------------------------------------------

    def get(self, task_uuid: str) -> TaskRecord | None:
        """The row of the task with this uuid, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM tasks WHERE task_uuid = ?", (task_uuid,)
            ).fetchone()
            return None if row is None else _record(row, self._columns())

    def get_by_id(self, record_id: int) -> TaskRecord | None:
        """The row with this ledger id, or None."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM tasks WHERE id = ?", (record_id,)).fetchone()
            return None if row is None else _record(row, self._columns())

    def find_duplicate(
        self,
        fingerprint: str,
        *,
        within_seconds: float,
        sandbox: bool,
        base_url: str,
        now: float | None = None,
    ) -> TaskRecord | None:
        """The newest accepted task with this fingerprint submitted in the last ``within_seconds``.

        Accepted means Rodin gave it ids and it has not failed (``waiting``, ``generating`` or
        ``done``). Rows with an unknown outcome are found by :meth:`find_unresolved` instead.
        """
        since = (time.time() if now is None else now) - within_seconds
        placeholders = ",".join("?" * len(_DUPLICATE_STATES))
        return self._select_one(
            f"""
            SELECT * FROM tasks
            WHERE fingerprint = ? AND sandbox = ? AND base_url = ? AND submitted_at >= ?
              AND state IN ({placeholders})
            ORDER BY submitted_at DESC, id DESC LIMIT 1
            """,
            (fingerprint, int(sandbox), base_url, since, *_DUPLICATE_STATES),
        )

    def find_unresolved(
        self, fingerprint: str, *, sandbox: bool, base_url: str, now: float | None = None
    ) -> TaskRecord | None:
        """The newest submission with this fingerprint whose outcome is unknown.

        That is a row in state ``unknown``, or one still ``submitting`` more than a minute after
        it was created (its process died mid-request). A younger ``submitting`` row is a request
        in flight in this or another process and is not returned.
        """
        stale_before = (time.time() if now is None else now) - _STALE_SUBMITTING_SECONDS
        return self._select_one(
            """
            SELECT * FROM tasks
            WHERE fingerprint = ? AND sandbox = ? AND base_url = ?
              AND (state = 'unknown' OR (state = 'submitting' AND created_at < ?))
            ORDER BY created_at DESC, id DESC LIMIT 1
            """,
            (fingerprint, int(sandbox), base_url, stale_before),
        )

    def list_tasks(self, limit: int = 20, *, sandbox: bool | None = None) -> list[TaskRecord]:
        """The newest ``limit`` rows, newest first; only sandbox or only real ones if asked."""
        where = "" if sandbox is None else "WHERE sandbox = ?"
        params: tuple[object, ...] = () if sandbox is None else (int(sandbox),)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT * FROM tasks {where} ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, max(0, int(limit))),
            ).fetchall()
            columns = self._columns()
            return [_record(row, columns) for row in rows]

    # --- helpers ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Generator[sqlite3.Connection]:
        with self._lock, _immediate(self._conn):
            yield self._conn

    def _columns(self) -> list[str]:
        cursor = self._conn.execute("SELECT * FROM tasks LIMIT 0")
        return [str(column[0]) for column in cursor.description]

    def _select_one(self, sql: str, params: tuple[object, ...]) -> TaskRecord | None:
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return None if row is None else _record(row, self._columns())

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


def _retry_while_locked(operation: Callable[[], _T]) -> _T:
    """Run ``operation``, retrying while SQLite reports the file locked without waiting itself.

    Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is locked"
    at once, without calling the busy handler, when another process is doing the same.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            return operation()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _check_state(state: str) -> None:
    if state not in TASK_STATES:
        raise ValueError(f"unknown task state {state!r}; expected one of {sorted(TASK_STATES)}")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _record(row: tuple[Any, ...], columns: list[str]) -> TaskRecord:
    values = dict(zip(columns, row, strict=True))
    return TaskRecord(
        id=int(values["id"]),
        task_uuid=values["task_uuid"],
        subscription_key=values["subscription_key"],
        job_uuids=[str(item) for item in json.loads(values["job_uuids"])],
        fingerprint=values["fingerprint"],
        prompt=values["prompt"],
        tier=values["tier"],
        request=dict(json.loads(values["request"])),
        estimated_credits=float(values["estimated_credits"]),
        consumed=None if values["consumed"] is None else float(values["consumed"]),
        sandbox=bool(values["sandbox"]),
        base_url=values["base_url"],
        state=values["state"],
        error=values["error"],
        jobs=[(str(job[0]), str(job[1])) for job in json.loads(values["jobs"])],
        created_at=float(values["created_at"]),
        submitted_at=values["submitted_at"],
        updated_at=float(values["updated_at"]),
        submit_time=values["submit_time"],
        output_dir=values["output_dir"],
        files=[dict(item) for item in json.loads(values["files"])],
        downloaded_at=values["downloaded_at"],
    )


def _make_private_dirs(folder: Path) -> None:
    """Create ``folder`` and its missing parents with mode 0700; leave existing ones alone."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)
        if os.name != "nt":
            os.chmod(path, 0o700)  # mkdir's mode is reduced by the umask


def _create_private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does, or tighten an existing one."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        raise ConfigError(f"Cannot create the task ledger {path}: {exc.strerror}.") from None
    try:
        if os.name != "nt" and (os.fstat(fd).st_mode & 0o077):
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
