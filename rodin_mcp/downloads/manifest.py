"""``task.json``: the record of a task beside its files, written from the ledger's record.

It holds the task and job ids, the prompt, Rodin's submit time, the request options, the price,
when the files were first and last fetched, and each file's name, Rodin's name for it, size,
SHA-256 and MIME type. Never the subscription key. It is written atomically (a locked temporary
file, flushed, then renamed), and read back only to find a task's existing folder.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rodin_mcp.downloads.temp_files import write_file_atomically
from rodin_mcp.records import TaskRecord

__all__ = ["MANIFEST_NAME", "manifest_document", "read_manifest", "write_manifest"]

MANIFEST_NAME = "task.json"
MANIFEST_SCHEMA = 1


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest in ``folder`` as a JSON object, or ``{}`` if absent or unreadable."""
    path = folder / MANIFEST_NAME
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return {}
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}  # pyright: ignore[reportUnknownVariableType]


def manifest_document(record: TaskRecord, *, first_downloaded_at: str | None) -> dict[str, Any]:
    """The manifest of a task's record (which holds its files)."""
    return {
        "schema": MANIFEST_SCHEMA,
        "task_uuid": record.task_uuid,
        "job_uuids": list(record.job_uuids),
        "prompt": record.prompt,
        "submit_time": record.submit_time,
        "request": record.request or None,
        "image_count": record.image_count,
        "estimated_credits": record.estimated_credits if record.request else None,
        "first_downloaded_at": first_downloaded_at or _iso(record.downloaded_at),
        "downloaded_at": _iso(record.downloaded_at),
        "files": [
            {
                "name": f.name,
                "source_name": f.source_name,
                "size": f.size,
                "sha256": f.sha256,
                "mime_type": f.mime_type,
            }
            for f in record.files
        ],
    }


def write_manifest(folder: Path, record: TaskRecord) -> Path:
    """Write (or replace) ``task.json`` in ``folder`` from ``record``; return its path."""
    path = folder / MANIFEST_NAME
    previous = read_manifest(folder).get("first_downloaded_at")
    document = manifest_document(
        record, first_downloaded_at=previous if isinstance(previous, str) else None
    )
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    write_file_atomically(path, data)
    return path


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")
