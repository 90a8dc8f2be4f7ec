"""The task ledger: the memory of the MCP server, the command line and the replicas.

Every paid submission is written down *before* its request leaves (state ``submitting``), then its
ids once Rodin answers, then every status and download. So a task id is never lost, and an
identical submission whose outcome is unknown can be spotted before it is paid for twice.

The rules are written once, over :class:`~rodin_mcp.ledger.database.Database` (SQLite on one
machine, PostgreSQL for replicas) and :class:`~rodin_mcp.ledger.owners_registry.Owners` (who
owns a claim, and whether they still run). Every write is one transaction; the claims of one
person are serialised by their person's lock, so of several processes (or replicas) claiming an
identical request at once exactly one gets it, and racing claims cannot overspend a budget. The
states a row can be in are :class:`~rodin_mcp.records.RecordState`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from rodin_mcp.errors import BudgetExceededError
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
from rodin_mcp.ledger.database import Database, Transaction
from rodin_mcp.ledger.owners import Liveness
from rodin_mcp.ledger.owners_registry import Owners
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
    """The task ledger on a database, owned (as claims and runs are) through ``owners``."""

    def __init__(self, database: Database, owners: Owners, *, where: str) -> None:
        self.database = database
        self.owners = owners
        self.where = where
        """The database, for messages (a file's path, or a server's URL without password)."""

    @property
    def engine(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.database.engine

    @property
    def where_url(self) -> str:
        """The PostgreSQL server's URL (credentials included: never show it), for the
        connections the engine needs beside its pool.

        Raises:
            ValueError: the ledger is on SQLite.
        """
        url = getattr(self.database, "url", None)
        if not isinstance(url, str):
            raise ValueError("the ledger is not on PostgreSQL")
        return url

    async def aclose(self) -> None:
        """Let go of the database. The ledger cannot be used afterwards."""
        try:
            await self.owners.aclose()
        finally:
            await self.database.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"Ledger({self.where!r})"

    # --- claims -----------------------------------------------------------------------------

    async def claim_submission(
        self,
        draft: SubmissionDraft,
        *,
        window_seconds: float,
        force_new: bool,
        limit: SpendLimit | None = None,
        now: float | None = None,
    ) -> Claim:
        """Claim ``draft`` for sending, or say why not (see :mod:`~rodin_mcp.ledger.claims`).

        One transaction under the person's lock: of several processes claiming an identical
        draft at once, one gets :class:`Claimed` and the others see its row.

        Raises:
            BudgetExceededError: the person's budget cannot cover it; nothing was written.
        """
        now = time.time() if now is None else now
        async with self.database.writing(lock=_claims_lock(draft.person)) as tx:
            decision = await self._decide(tx, draft, window_seconds, force_new, now, write=True)
            if decision is not None:
                return decision
            if limit is not None:
                await _check_budget(tx, draft, limit, now)
            inserted = await tx.execute(
                """
                INSERT INTO tasks (fingerprint, request, image_count, prompt, tier,
                                   estimated_credits, sandbox, scope, state, owner,
                                   created_at, updated_at, kind, source, person)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'submitting', ?, ?, ?, ?, ?, ?)
                RETURNING id
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
                    self.owners.me(),
                    now,
                    now,
                    draft.kind.value,
                    draft.source,
                    draft.person,
                ),
            )
            return Claimed(int(inserted.one()[0]))

    async def peek_submission(
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
        async with self.database.writing(lock=_claims_lock(draft.person)) as tx:
            return await self._decide(tx, draft, window_seconds, force_new, now, write=False)

    async def confirm_claim(self, record_id: int) -> bool:
        """Whether the claim is still this owner's to send, proven where others could judge it
        otherwise (see :meth:`~rodin_mcp.ledger.owners_registry.Owners.confirm`).

        Raises:
            LedgerUnavailableError: this owner cannot prove it (its database session is gone).
        """
        async with self.database.reading() as tx:
            await self.owners.confirm(tx)
            row = (
                await tx.execute(
                    "SELECT 1 FROM tasks WHERE id = ? AND state = 'submitting' AND owner = ?",
                    (record_id, self.owners.me()),
                )
            ).first()
            return row is not None

    async def abandon_claim(self, record_id: int) -> None:
        """Forget a ``submitting`` row whose request was never sent."""
        async with self.database.writing() as tx:
            await tx.execute(
                "DELETE FROM tasks WHERE id = ? AND state = 'submitting'", (record_id,)
            )

    async def _decide(
        self,
        tx: Transaction,
        draft: SubmissionDraft,
        window_seconds: float,
        force_new: bool,
        now: float,
        *,
        write: bool,
    ) -> Decision | None:
        same = (draft.fingerprint, int(draft.sandbox), draft.scope, draft.person)
        pending = await tx.execute(
            "SELECT * FROM tasks WHERE fingerprint = ? AND sandbox = ? AND scope = ? "
            "AND person = ? AND state IN ('unknown', 'submitting') "
            "ORDER BY created_at DESC, id DESC",
            same,
        )
        unresolved: TaskRecord | None = None
        in_flight: TaskRecord | None = None
        for values in pending.dicts():
            record, owner = _record(values), _text(values.get("owner"))
            if record.state is RecordState.SUBMITTING:
                verdict = await self._claim_verdict(tx, owner, record.created_at, now)
                if verdict is Liveness.ALIVE:
                    in_flight = in_flight or record
                    continue
                record = await self._mark_owner_gone(tx, record, owner, verdict)
            unresolved = unresolved or record
        if unresolved is not None:
            if not force_new:
                return Unresolved(unresolved)
            if write:
                await tx.execute(
                    "UPDATE tasks SET state = 'superseded', updated_at = ? WHERE fingerprint = ? "
                    "AND sandbox = ? AND scope = ? AND person = ? AND state = 'unknown'",
                    (now, *same),
                )
        if force_new:
            return None
        duplicate = await _duplicate(tx, same, now - window_seconds)
        if duplicate is not None:
            return Reused(duplicate)
        return None if in_flight is None else InFlight(in_flight)

    async def _claim_verdict(
        self, tx: Transaction, owner: str | None, created_at: float, now: float
    ) -> Liveness:
        """Whether a ``submitting`` claim is in flight (ALIVE), its owner gone (DEAD), or stale."""
        verdict = await self.owners.liveness(tx, owner)
        if verdict is Liveness.UNKNOWN:
            # Cannot be checked from here: trust it for a while (measured on this clock), then not.
            return Liveness.ALIVE if now - created_at < FOREIGN_CLAIM_SECONDS else Liveness.UNKNOWN
        return verdict

    async def _mark_owner_gone(
        self, tx: Transaction, record: TaskRecord, owner: str | None, verdict: Liveness
    ) -> TaskRecord:
        if verdict is Liveness.DEAD:
            reason = self.owners.gone_reason(owner)
            await tx.execute(
                "UPDATE tasks SET state = 'unknown', error = ?, updated_at = ? "
                "WHERE id = ? AND state = 'submitting'",
                (reason, time.time(), record.id),
            )
        else:
            reason = "no answer was recorded within a minute of sending it"
        return dataclasses.replace(record, state=RecordState.UNKNOWN, error=reason)

    # --- what happened to a submission --------------------------------------------------------

    async def record_submitted(
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
        async with self.database.writing() as tx:
            await _require_row(tx, record_id)
            # The same uuid may already be here as 'external' if another process looked it up.
            await tx.execute(
                "DELETE FROM tasks WHERE task_uuid = ? AND state = 'external' AND id != ?",
                (task_uuid, record_id),
            )
            await tx.execute(
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
            return await _row_by_id(tx, record_id)

    async def record_outcome_unknown(self, record_id: int, reason: str) -> None:
        """Mark a submission whose request may have reached Rodin (state ``unknown``)."""
        await self._set_state(record_id, "unknown", reason)

    async def record_rejected(self, record_id: int, code: str | None, message: str) -> None:
        """Mark a submission that was never sent or that Rodin refused (state ``rejected``)."""
        await self._set_state(record_id, "rejected", f"{code}: {message}" if code else message)

    async def record_external(
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
        async with self.database.writing(lock=f"task:{task_uuid}") as tx:
            existing = (
                await tx.execute("SELECT id, person FROM tasks WHERE task_uuid = ?", (task_uuid,))
            ).first()
            if existing is not None and existing[1] != person:
                return None
            if existing is not None:
                if subscription_key:
                    await tx.execute(
                        "UPDATE tasks SET subscription_key = COALESCE(subscription_key, ?) "
                        "WHERE id = ?",
                        (subscription_key, existing[0]),
                    )
                return await _row_by_id(tx, int(existing[0]))
            inserted = await tx.execute(
                """
                INSERT INTO tasks (task_uuid, subscription_key, sandbox, scope, state,
                                   created_at, updated_at, person)
                VALUES (?, ?, ?, ?, 'external', ?, ?, ?)
                RETURNING id
                """,
                (task_uuid, subscription_key, int(sandbox), scope, now, now, person),
            )
            return await _row_by_id(tx, int(inserted.one()[0]))

    async def record_status(self, task_uuid: str, state: str, jobs: list[tuple[str, str]]) -> None:
        """Record the latest job statuses of a task and the task state derived from them.

        Raises:
            ValueError: ``state`` is not a :class:`~rodin_mcp.records.RecordState`.
            LookupError: The ledger has no task with this uuid.
        """
        _check_state(state)
        async with self.database.writing() as tx:
            changed = await tx.execute(
                "UPDATE tasks SET state = ?, jobs = ?, updated_at = ? WHERE task_uuid = ?",
                (state, _dumps([list(job) for job in jobs]), time.time(), task_uuid),
            )
            if changed.rowcount == 0:
                raise LookupError(f"no task {task_uuid} in the ledger")

    async def record_download(
        self, task_uuid: str, output_dir: Path, files: Sequence[StoredFile]
    ) -> TaskRecord:
        """Record the verified files of a task saved on disk; return the updated row.

        Raises:
            LookupError: The ledger has no task with this uuid.
        """
        now = time.time()
        async with self.database.writing() as tx:
            changed = await tx.execute(
                """
                UPDATE tasks SET output_dir = ?, files = ?, downloaded_at = ?, updated_at = ?
                WHERE task_uuid = ?
                """,
                (str(output_dir), _dumps([f.as_json() for f in files]), now, now, task_uuid),
            )
            if changed.rowcount == 0:
                raise LookupError(f"no task {task_uuid} in the ledger")
            return await _row_by_uuid(tx, task_uuid)

    # --- reads ------------------------------------------------------------------------------

    async def get(self, task_uuid: str, person: str | None = None) -> TaskRecord | None:
        """The row of the task with this uuid (if given, only when it is ``person``'s)."""
        sql, params = "SELECT * FROM tasks WHERE task_uuid = ?", [task_uuid]
        if person is not None:
            sql, params = sql + " AND person = ?", [*params, person]
        async with self.database.reading() as tx:
            found = (await tx.execute(sql, params)).dicts()
        return _record(found[0]) if found else None

    async def list_tasks(
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
        async with self.database.reading() as tx:
            found = await tx.execute(
                f"SELECT * FROM tasks {where} ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, max(0, int(limit))),
            )
        return [_record(values) for values in found.dicts()]

    async def secret(self, name: str) -> bytes:
        """The ledger's random 32-byte secret ``name``, made the first time any process asks."""
        async with self.database.writing() as tx:
            await tx.execute(
                "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, secrets.token_bytes(32)),
            )
            row = (await tx.execute("SELECT value FROM secrets WHERE name = ?", (name,))).one()
        return bytes(row[0])

    async def spending(
        self, person: str, *, sandbox: bool, period_seconds: float, now: float | None = None
    ) -> Spending:
        """What ``person`` spent and reserved (in this mode) in the period ending ``now``."""
        now = time.time() if now is None else now
        async with self.database.reading() as tx:
            return await _spending(tx, person, sandbox, now - period_seconds)

    # --- helpers ----------------------------------------------------------------------------

    async def _set_state(self, record_id: int, state: str, error: str | None) -> None:
        _check_state(state)
        async with self.database.writing() as tx:
            await _require_row(tx, record_id)
            await tx.execute(
                "UPDATE tasks SET state = ?, error = ?, updated_at = ? WHERE id = ?",
                (state, error, time.time(), record_id),
            )


def _claims_lock(person: str) -> str:
    """The lock every claim of ``person`` takes: dedupe and budget are per person."""
    return f"claims:{person}"


async def _duplicate(
    tx: Transaction, same: tuple[str, int, str, str], since: float
) -> TaskRecord | None:
    placeholders = ",".join("?" * len(_DUPLICATE_STATES))
    found = await tx.execute(
        f"""
        SELECT * FROM tasks
        WHERE fingerprint = ? AND sandbox = ? AND scope = ? AND person = ?
          AND submitted_at >= ? AND state IN ({placeholders})
        ORDER BY submitted_at DESC, id DESC LIMIT 1
        """,
        (*same, since, *_DUPLICATE_STATES),
    )
    rows = found.dicts()
    return _record(rows[0]) if rows else None


async def _require_row(tx: Transaction, record_id: int) -> None:
    if (await tx.execute("SELECT 1 FROM tasks WHERE id = ?", (record_id,))).first() is None:
        raise LookupError(f"no ledger row {record_id}")


async def _row_by_id(tx: Transaction, record_id: int) -> TaskRecord:
    rows = (await tx.execute("SELECT * FROM tasks WHERE id = ?", (record_id,))).dicts()
    if not rows:
        raise LookupError(f"no ledger row {record_id}")
    return _record(rows[0])


async def _row_by_uuid(tx: Transaction, task_uuid: str) -> TaskRecord:
    rows = (await tx.execute("SELECT * FROM tasks WHERE task_uuid = ?", (task_uuid,))).dicts()
    if not rows:
        raise LookupError(f"no task {task_uuid} in the ledger")
    return _record(rows[0])


async def _spending(tx: Transaction, person: str, sandbox: bool, since: float) -> Spending:
    placeholders = ",".join("?" * len(_UNBILLED_STATES))
    row = (
        await tx.execute(
            f"""
            SELECT COALESCE(SUM(COALESCE(consumed, estimated_credits)), 0), MIN(created_at)
            FROM tasks
            WHERE person = ? AND sandbox = ? AND created_at > ? AND state NOT IN ({placeholders})
            """,
            (person, int(sandbox), since, *_UNBILLED_STATES),
        )
    ).one()
    return Spending(float(row[0]), None if row[1] is None else float(row[1]))


async def _check_budget(
    tx: Transaction, draft: SubmissionDraft, limit: SpendLimit, now: float
) -> None:
    spent = await _spending(tx, draft.person, draft.sandbox, now - limit.period_seconds)
    if spent.credits + draft.estimated_credits > limit.credits + 1e-9:
        frees_at = None if spent.oldest_at is None else spent.oldest_at + limit.period_seconds
        raise BudgetExceededError(
            cost=draft.estimated_credits,
            spent=spent.credits,
            budget=limit.credits,
            frees_at=frees_at,
        )


def _check_state(state: str) -> RecordState:
    try:
        return RecordState(state)
    except ValueError:
        names = sorted(s.value for s in RecordState)
        raise ValueError(f"unknown task state {state!r}; expected one of {names}") from None


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _record(values: dict[str, Any]) -> TaskRecord:
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
        submitted_at=None if values["submitted_at"] is None else float(values["submitted_at"]),
        updated_at=float(values["updated_at"]),
        submit_time=values["submit_time"],
        output_dir=values["output_dir"],
        files=tuple(StoredFile.from_json(dict(item)) for item in json.loads(values["files"])),
        downloaded_at=None if values["downloaded_at"] is None else float(values["downloaded_at"]),
        kind=TaskKind(values["kind"]),
        source=values["source"],
        person=str(values["person"]),
    )
