"""Rows for ledger tests, written through the ledger's public writes."""

from __future__ import annotations

from rodin_mcp.ledger import Ledger

__all__ = ["BASE_URL", "submit_row"]

BASE_URL = "http://127.0.0.1:9/api/v2"


def submit_row(
    ledger: Ledger,
    fingerprint: str = "fp-1",
    *,
    sandbox: bool = True,
    scope: str = BASE_URL,
    task_uuid: str | None = None,
    prompt: str = "a chair",
) -> int:
    record_id = ledger.begin_submission(
        fingerprint=fingerprint,
        request={"tier": "Gen-2", "prompt": prompt, "seed": 7},
        image_count=0,
        prompt=prompt,
        tier="Gen-2",
        estimated_credits=0.5,
        sandbox=sandbox,
        scope=scope,
    )
    if task_uuid is not None:
        ledger.record_submitted(
            record_id,
            task_uuid=task_uuid,
            subscription_key=f"key-{task_uuid}",
            job_uuids=[f"{task_uuid}-j1", f"{task_uuid}-j2"],
            consumed=0.5,
            submit_time="2025-01-01T00:00:00Z",
        )
    return record_id
