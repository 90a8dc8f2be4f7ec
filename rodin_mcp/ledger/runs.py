"""Background runs in the ledger: who asked, where each stands, what it produced.

A run lives in the ``runs`` table beside the task it follows, so it survives the process that
started it: another process on the same ledger (another replica, on PostgreSQL), or this one
after a restart, finds it and takes it over once its runner is gone (:meth:`RunStore.adopt`),
exactly once: the adoption is one transaction under the run's lock. A run's row is small; its result
is the downloads result's JSON, read only when asked for.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from rodin_mcp.ledger.database import Transaction
from rodin_mcp.ledger.owners import Liveness
from rodin_mcp.ledger.store import Ledger
from rodin_mcp.records import RunRecord, RunState, TaskKind

__all__ = ["RunStore", "new_run_id"]

_COLUMNS = (
    "run_id, task_uuid, kind, person, state, message, created_at, updated_at, ttl_seconds, "
    "result, error, runner"
)


def new_run_id() -> str:
    """An unguessable run id: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class RunStore:
    """The ``runs`` table of one ledger."""

    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time) -> None:
        self._ledger = ledger
        self._clock = clock

    @property
    def owner(self) -> str:
        """This process (or replica) as the runner of the runs it starts or adopts."""
        return self._ledger.owners.me()

    async def create(
        self, task_uuid: str, kind: TaskKind, person: str, ttl_seconds: float | None
    ) -> RunRecord:
        """A new working run of ``task_uuid`` for ``person`` (a key), run by this process."""
        now = self._clock()
        run_id = new_run_id()
        async with self._ledger.database.writing() as conn:
            await conn.execute(
                f"INSERT INTO runs ({_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL, NULL, ?)",
                (
                    run_id,
                    task_uuid,
                    kind.value,
                    person,
                    RunState.WORKING.value,
                    now,
                    now,
                    ttl_seconds,
                    self._ledger.owners.me(),
                ),
            )
            return await _row(conn, run_id)

    async def get(self, run_id: str) -> RunRecord | None:
        """The run, or None when there is no such run (or it was swept)."""
        async with self._ledger.database.reading() as conn:
            try:
                return await _row(conn, run_id)
            except LookupError:
                return None

    async def note(self, run_id: str, message: str) -> RunRecord | None:
        """Record where a working run stands; None when it is no longer working."""
        async with self._ledger.database.writing() as conn:
            updated = (
                await conn.execute(
                    "UPDATE runs SET message = ?, updated_at = ? WHERE run_id = ? AND state = ?",
                    (message, self._clock(), run_id, RunState.WORKING.value),
                )
            ).rowcount
            return await _row(conn, run_id) if updated else None

    async def finish(
        self,
        run_id: str,
        state: RunState,
        message: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> RunRecord | None:
        """End a working run; None when it had already ended (a cancel came first)."""
        assert state.is_final
        async with self._ledger.database.writing() as conn:
            updated = (
                await conn.execute(
                    "UPDATE runs SET state = ?, message = ?, result = ?, error = ?, "
                    "runner = NULL, updated_at = ? WHERE run_id = ? AND state = ?",
                    (
                        state.value,
                        message,
                        None if result is None else json.dumps(result, separators=(",", ":")),
                        error,
                        self._clock(),
                        run_id,
                        RunState.WORKING.value,
                    ),
                )
            ).rowcount
            return await _row(conn, run_id) if updated else None

    async def adopt(self, run_id: str) -> bool:
        """Make this process the runner of a working run whose runner is gone.

        True when this process now runs it (and did not before); False when the run is not
        working, or its runner is alive (here or elsewhere) or cannot be checked. One
        transaction under the run's lock: of several processes adopting at once, one does.
        """
        owners = self._ledger.owners
        async with self._ledger.database.writing(lock=f"run:{run_id}") as conn:
            row = (
                await conn.execute("SELECT state, runner FROM runs WHERE run_id = ?", (run_id,))
            ).first()
            if row is None or row[0] != RunState.WORKING.value:
                return False
            runner = None if row[1] is None else str(row[1])
            if runner is not None and await owners.liveness(conn, runner) is not Liveness.DEAD:
                return False
            await conn.execute(
                "UPDATE runs SET runner = ?, updated_at = ? WHERE run_id = ?",
                (owners.me(), self._clock(), run_id),
            )
            return True

    async def orphans(self) -> list[str]:
        """Working runs whose runner is gone: a crashed or killed process's."""
        found: list[str] = []
        async with self._ledger.database.reading() as conn:
            rows = (
                await conn.execute(
                    "SELECT run_id, runner FROM runs WHERE state = ?", (RunState.WORKING.value,)
                )
            ).rows
            for run_id, runner in rows:
                text = None if runner is None else str(runner)
                if text is None or await self._ledger.owners.liveness(conn, text) is Liveness.DEAD:
                    found.append(str(run_id))
        return found

    async def working_count(self, person: str | None = None) -> int:
        """How many runs are working, in every process (only ``person``'s, if given)."""
        sql = "SELECT COUNT(*) FROM runs WHERE state = ?"
        params: list[object] = [RunState.WORKING.value]
        if person is not None:
            sql += " AND person = ?"
            params.append(person)
        async with self._ledger.database.reading() as conn:
            return int((await conn.execute(sql, params)).one()[0])

    async def visible(
        self, person: str, limit: int, *, before: tuple[float, str] | None = None
    ) -> list[RunRecord]:
        """``person``'s runs, newest first, from after ``before`` (a page cursor)."""
        sql = f"SELECT {_COLUMNS} FROM runs WHERE person = ?"
        params: list[object] = [person]
        if before is not None:
            sql += " AND (created_at < ? OR (created_at = ? AND run_id < ?))"
            params += [before[0], before[0], before[1]]
        sql += " ORDER BY created_at DESC, run_id DESC LIMIT ?"
        params.append(limit)
        async with self._ledger.database.reading() as conn:
            return [_record(row) for row in (await conn.execute(sql, params)).rows]

    async def sweep(self) -> int:
        """Forget ended runs past their time to live; returns how many."""
        async with self._ledger.database.writing() as conn:
            swept = await conn.execute(
                "DELETE FROM runs WHERE state != ? AND ttl_seconds IS NOT NULL "
                "AND created_at + ttl_seconds < ?",
                (RunState.WORKING.value, self._clock()),
            )
            return swept.rowcount


async def _row(conn: Transaction, run_id: str) -> RunRecord:
    row = (await conn.execute(f"SELECT {_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))).first()
    if row is None:
        raise LookupError(f"no run {run_id}")
    return _record(row)


def _record(row: tuple[Any, ...]) -> RunRecord:
    return RunRecord(
        run_id=str(row[0]),
        task_uuid=str(row[1]),
        kind=TaskKind(row[2]),
        person=str(row[3]),
        state=RunState(row[4]),
        message=None if row[5] is None else str(row[5]),
        created_at=float(row[6]),
        updated_at=float(row[7]),
        ttl_seconds=None if row[8] is None else float(row[8]),
        result=None if row[9] is None else json.loads(row[9]),
        error=None if row[10] is None else str(row[10]),
        runner=None if row[11] is None else str(row[11]),
    )
