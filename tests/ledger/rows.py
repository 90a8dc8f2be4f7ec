"""Rows for ledger tests, written through the ledger's public writes."""

from __future__ import annotations

from rodin_mcp.ledger import Claimed, Ledger, SubmissionDraft

__all__ = ["BASE_URL", "draft", "owner_of", "set_owner", "submit_row"]

BASE_URL = "http://127.0.0.1:9/api/v2"


def draft(
    fingerprint: str = "fp-1",
    *,
    sandbox: bool = True,
    scope: str = BASE_URL,
    prompt: str = "a chair",
    image_count: int = 0,
    person: str = "local",
) -> SubmissionDraft:
    return SubmissionDraft(
        fingerprint=fingerprint,
        request={"tier": "Gen-2", "prompt": prompt, "seed": 7},
        image_count=image_count,
        prompt=prompt,
        tier="Gen-2",
        estimated_credits=0.5,
        sandbox=sandbox,
        scope=scope,
        person=person,
    )


async def submit_row(
    ledger: Ledger,
    fingerprint: str = "fp-1",
    *,
    sandbox: bool = True,
    scope: str = BASE_URL,
    task_uuid: str | None = None,
    prompt: str = "a chair",
) -> int:
    """A claimed row (``force_new``: whatever the ledger holds), answered if ``task_uuid``."""
    claim = await ledger.claim_submission(
        draft(fingerprint, sandbox=sandbox, scope=scope, prompt=prompt),
        window_seconds=0,
        force_new=True,
    )
    assert isinstance(claim, Claimed)
    if task_uuid is not None:
        await ledger.record_submitted(
            claim.record_id,
            task_uuid=task_uuid,
            subscription_key=f"key-{task_uuid}",
            job_uuids=[f"{task_uuid}-j1", f"{task_uuid}-j2"],
            consumed=0.5,
            submit_time="2025-01-01T00:00:00Z",
        )
    return claim.record_id


async def set_owner(ledger: Ledger, record_id: int, owner: str | None) -> None:
    """Write a claim's owner as another process (or an older version) would have."""
    async with ledger.database.writing() as tx:
        await tx.execute("UPDATE tasks SET owner = ? WHERE id = ?", (owner, record_id))


async def owner_of(ledger: Ledger, record_id: int) -> str | None:
    async with ledger.database.reading() as tx:
        row = (await tx.execute("SELECT owner FROM tasks WHERE id = ?", (record_id,))).one()
    return None if row[0] is None else str(row[0])
