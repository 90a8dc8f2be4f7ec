"""The typed records every room shares: where a task stands, a stored file, a task's record.

They sit at the bottom beside :mod:`rodin_mcp.settings` and :mod:`rodin_mcp.errors` and import
nothing of ours. The ledger writes and reads them, the downloader produces :class:`StoredFile`
rows and writes ``task.json`` from a :class:`TaskRecord`, and the service builds its results
from both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "MODEL_FILE_KEY",
    "ConversionRecord",
    "RecordState",
    "RunRecord",
    "RunState",
    "StoredFile",
    "TaskKind",
    "TaskRecord",
    "TaskState",
    "UploadKind",
    "UploadRecord",
    "UploadState",
]

MODEL_FILE_KEY = "model_file"
"""Where a texture's recorded request keeps the model file's name (it names the result folder;
it is never sent)."""


class TaskKind(StrEnum):
    """What a paid task makes: a model, new textures for a model, or a model's parts."""

    GENERATION = "generation"
    TEXTURE = "texture"
    SPLIT = "split"


class TaskState(StrEnum):
    """Where a task stands at Rodin, derived from its jobs."""

    WAITING = "waiting"
    GENERATING = "generating"
    DONE = "done"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        """Whether the task will not change any more (done or failed)."""
        return self in (TaskState.DONE, TaskState.FAILED)


class RecordState(StrEnum):
    """Every state a task's record can be in: Rodin's task states and the ledger's own."""

    SUBMITTING = "submitting"
    """Recorded, request about to leave (or in flight)."""
    UNKNOWN = "unknown"
    """The request may have reached Rodin; never resubmit automatically."""
    REJECTED = "rejected"
    """Never sent, or refused by Rodin: not billed."""
    SUPERSEDED = "superseded"
    """An unknown or stuck submission the user chose to move past."""
    EXTERNAL = "external"
    """A task this ledger did not submit (looked up by its uuid)."""
    WAITING = TaskState.WAITING.value
    GENERATING = TaskState.GENERATING.value
    DONE = TaskState.DONE.value
    FAILED = TaskState.FAILED.value

    @property
    def task_state(self) -> TaskState | None:
        """The Rodin task state this record state is, or None for the ledger's own states."""
        try:
            return TaskState(self.value)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One result file on disk, complete and verified.

    Attributes:
        name: The safe file name inside the task folder.
        path: The file's absolute path.
        size: Its size in bytes.
        sha256: Hex SHA-256 of its bytes.
        mime_type: Its MIME type, from :mod:`rodin_mcp.media_types`.
        source_name: Rodin's own (untrusted) name for it, as listed.
    """

    name: str
    path: Path
    size: int
    sha256: str
    mime_type: str
    source_name: str

    def as_json(self) -> dict[str, Any]:
        """The JSON form kept in the ledger."""
        return {
            "name": self.name,
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "mime_type": self.mime_type,
            "source_name": self.source_name,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredFile:
        """Read the JSON form back (rows written before ``source_name`` existed use ``name``)."""
        return cls(
            name=str(data["name"]),
            path=Path(str(data["path"])),
            size=int(data["size"]),
            sha256=str(data["sha256"]),
            mime_type=str(data["mime_type"]),
            source_name=str(data.get("source_name") or data["name"]),
        )


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One task as the ledger remembers it: submitted here, or looked up by its uuid.

    ``subscription_key`` is left out of ``repr`` because it is a bearer handle. ``scope`` names
    the Rodin the task belongs to: the API base URL, or ``"sandbox"``.
    """

    id: int
    task_uuid: str | None
    subscription_key: str | None = field(repr=False)
    job_uuids: tuple[str, ...]
    fingerprint: str | None
    prompt: str | None
    tier: str | None
    request: dict[str, Any]
    image_count: int
    estimated_credits: float
    consumed: float | None
    sandbox: bool
    scope: str
    state: RecordState
    error: str | None
    jobs: tuple[tuple[str, str], ...]
    created_at: float
    submitted_at: float | None
    updated_at: float
    submit_time: str | None
    output_dir: str | None
    files: tuple[StoredFile, ...]
    downloaded_at: float | None
    kind: TaskKind = TaskKind.GENERATION
    source: str | None = None
    """The task a texture or split started from, or the SHA-256 of a textured local model."""
    person: str = "local"
    """The key of the person the task belongs to (see :class:`~rodin_mcp.people.Person`)."""


class RunState(StrEnum):
    """Where a background run stands: following a submitted task until its files are saved."""

    WORKING = "working"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """Whether the run will not change any more."""
        return self is not RunState.WORKING


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One background run as the ledger remembers it.

    A run follows one submitted task (``task_uuid``, whose own record the ledger keeps apart) to
    its saved files. ``run_id`` is an unguessable token; ``person`` is the key of the person it
    belongs to, the only one who may see it. ``result`` is the downloads result's JSON once
    completed; ``runner`` is the owning process's JSON while one follows it.
    """

    run_id: str
    task_uuid: str
    kind: TaskKind
    person: str = field(repr=False)
    state: RunState
    message: str | None
    created_at: float
    updated_at: float
    ttl_seconds: float | None
    result: dict[str, Any] | None = field(repr=False)
    error: str | None
    runner: str | None

    def expires_at(self) -> float | None:
        """When the run may be forgotten (None: never)."""
        return None if self.ttl_seconds is None else self.created_at + self.ttl_seconds


@dataclass(frozen=True, slots=True)
class ConversionRecord:
    """One model converted here (free, local): what it came from, what was done, what it made.

    ``task_uuid`` is the task whose downloaded file was converted (its outputs lie beside that
    task's files), or None for a local file (``source`` is then its path as given, and the
    outputs lie in the output folder). ``files`` are the outputs, the model file first; the
    contact sheet, when one was made, is among them. ``options`` is the checked plan and
    ``report`` what the conversion reported (triangles, scale, printability, notes), both JSON.
    """

    conversion_id: str
    created_at: float
    task_uuid: str | None
    source: str
    source_sha256: str
    output_dir: str
    files: tuple[StoredFile, ...]
    options: dict[str, Any]
    report: dict[str, Any]
    person: str = "local"
    """The key of the person the conversion belongs to."""


class UploadKind(StrEnum):
    """What an upload is for: an input image, or a model file."""

    IMAGE = "image"
    MODEL = "model"


class UploadState(StrEnum):
    """Where an upload stands: made, received, used once, or past its time."""

    WAITING = "waiting"
    """Made; its link has received no file yet."""
    READY = "ready"
    """Its file was received and stored; not used yet."""
    USED = "used"
    """Used by one call; its file is gone."""
    EXPIRED = "expired"
    """Its time ran out before it was used; its file (if any) is gone."""


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """One upload as the ledger remembers it: a file a person sends to this server once, over a
    signed link, to use once as an input (``upload://<upload_id>``).

    ``upload_id`` is an unguessable token; ``person`` is the key of the person who made it, the
    only one who may use it. ``name`` is the file name they gave (shown, never trusted).
    """

    upload_id: str
    person: str = field(repr=False)
    kind: UploadKind
    state: UploadState
    name: str | None
    size: int | None
    sha256: str | None
    created_at: float
    expires_at: float
    used_at: float | None

    @property
    def uri(self) -> str:
        """What names it as an input: ``upload://<upload_id>``."""
        return f"upload://{self.upload_id}"
