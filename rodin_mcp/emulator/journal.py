"""An append-only file of accepted tasks, so an emulator can outlive its process.

Sandbox mode starts a fresh emulator with every server or command-line process; with a journal,
tasks submitted by an earlier process keep their clock, their files and their bill. One JSON line
per task (generations, texture-only and part-split tasks alike, told apart by ``kind``), written
(and flushed to disk) when the task is accepted; a torn last line from a crash is skipped on
load.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, cast

from rodin_mcp.emulator.jobs import JobTimeline
from rodin_mcp.emulator.split_order import SplitOrder
from rodin_mcp.emulator.submission import Submission
from rodin_mcp.emulator.tasks import Order, Task, kind_of
from rodin_mcp.emulator.texture_order import TextureOrder

__all__ = ["TaskJournal"]

logger = logging.getLogger(__name__)
_VERSION = 1


class TaskJournal:
    """Reads and appends the tasks of one emulator to a file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def load(self) -> list[Task]:
        """Every readable task in the file, oldest first (none if the file does not exist)."""
        if not self._path.exists():
            return []
        tasks: list[Task] = []
        with self._path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    tasks.append(_task_from(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    logger.warning("emulator journal %s: skipping line %d", self._path, number)
        return tasks

    def append(self, task: Task) -> None:
        """Add one accepted task, durably."""
        line = json.dumps(_task_record(task), separators=(",", ":")) + "\n"
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def clear(self) -> None:
        """Forget every task."""
        with self._lock:
            self._path.unlink(missing_ok=True)


def _task_record(task: Task) -> dict[str, Any]:
    return {
        "v": _VERSION,
        "kind": kind_of(task.submission),
        "uuid": task.uuid,
        "subscription_key": task.subscription_key,
        "created_at": task.created_at,
        "submission": _order_record(task.submission),
        "jobs": [asdict(job) for job in task.jobs],
    }


def _order_record(order: Order) -> dict[str, Any]:
    """The order as JSON-ready data: bytes as base64, a split's source nested."""
    record = {f.name: getattr(order, f.name) for f in fields(order)}
    for name, value in record.items():
        if isinstance(value, bytes):
            record[name] = base64.b64encode(value).decode("ascii")
        elif isinstance(value, Submission):
            record[name] = _order_record(value)
    return record


def _task_from(record: dict[str, Any]) -> Task:
    if record.get("v") != _VERSION:
        raise ValueError("unknown journal version")
    data = cast(dict[str, Any], record["submission"])
    kind = record.get("kind", "rodin")  # lines written before texture and split tasks have none
    order: Order
    if kind == "rodin":
        order = _submission_from(data)
    elif kind == "rodin_texture_only":
        data["image"] = base64.b64decode(data["image"])
        data["model"] = base64.b64decode(data["model"])
        order = TextureOrder(**data)
    elif kind == "bang":
        data["source"] = _submission_from(cast(dict[str, Any], data["source"]))
        order = SplitOrder(**data)
    else:
        raise ValueError(f"unknown task kind {kind!r}")
    jobs = tuple(JobTimeline(**job) for job in cast(list[dict[str, Any]], record["jobs"]))
    return Task(
        uuid=str(record["uuid"]),
        subscription_key=str(record["subscription_key"]),
        submission=order,
        jobs=jobs,
        created_at=float(record["created_at"]),
    )


def _submission_from(data: dict[str, Any]) -> Submission:
    image = data["image"]
    data["image"] = base64.b64decode(image) if image is not None else None
    bbox = data["bbox"]
    data["bbox"] = tuple(bbox) if bbox is not None else None
    return Submission(**data)
