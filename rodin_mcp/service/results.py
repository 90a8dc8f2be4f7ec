"""What the service answers: the typed results both faces present, each in its own words.

Field names here are part of the tools' contract (hosts and models read them), so they only ever
grow.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from rodin_mcp.model import ModelFacts
from rodin_mcp.records import RecordState, TaskKind, TaskState
from rodin_mcp.service.next_steps import NextStep

__all__ = [
    "BalanceResult",
    "ConversionSummary",
    "DownloadsResult",
    "FileInfo",
    "GenerateResult",
    "JobInfo",
    "StatusResult",
    "TaskSummary",
    "TasksResult",
]

_SOURCE = (
    "What a texture or split started from: the source task's uuid, or the SHA-256 of the local "
    "model file that was textured."
)


class GenerateResult(BaseModel):
    """A submitted (or reused) Rodin generation task."""

    task_uuid: str = Field(description="Rodin task id; it names the task everywhere.")
    subscription_key: str = Field(description="Rodin's key for polling this task's status.")
    job_uuids: list[str] = Field(description="Ids of the task's jobs.")
    estimated_credits: float = Field(description="Credits this generation costs (Rodin's table).")
    consumed: float | None = Field(default=None, description="Credits Rodin reports as charged.")
    reused: bool = Field(
        default=False,
        description="True when an identical recent request was found and no new task was created.",
    )
    sandbox: bool = Field(description="Served by the embedded emulator (no real credits).")
    prompt: str | None = Field(default=None, description="The prompt as Rodin understood it.")
    tier: str | None = Field(description="Rodin tier used (generations only).")
    kind: TaskKind = Field(
        default=TaskKind.GENERATION,
        description="generation (a new model), texture (new textures for a model) or split "
        "(a model's parts).",
    )
    source: str | None = Field(default=None, description=_SOURCE)
    submitted_at: str | None = Field(default=None, description="When Rodin received the task.")
    credits_spent: float = Field(
        description="Credits this person has spent or reserved in the budget period "
        "(RODIN_BUDGET_PERIOD_SECONDS), this one included."
    )
    next_step: NextStep = Field(description="What to do next.")


class JobInfo(BaseModel):
    """One job of a task, as Rodin reports it."""

    uuid: str
    status: str = Field(description="Rodin's job status: Waiting, Generating, Done or Failed.")


class StatusResult(BaseModel):
    """Where a task stands."""

    task_uuid: str
    state: TaskState = Field(description="waiting | generating | done | failed")
    jobs: list[JobInfo]
    elapsed_seconds: float = Field(description="Seconds since the task was submitted.")
    waited_seconds: float = Field(default=0.0, description="Seconds this call waited.")
    sandbox: bool
    prompt: str | None = None
    next_step: NextStep


class ConversionSummary(BaseModel):
    """One model converted here (free), as lists show it."""

    conversion_id: str
    converted_at: str | None
    task_uuid: str | None = Field(description="The task whose file was converted, if any.")
    source: str = Field(description="What was converted: a downloaded file's URI or a path.")
    format: str
    preset: str | None
    path: str = Field(description="Absolute path of the converted model file.")
    uri: str = Field(description="MCP resource URI that serves the converted model file.")


class FileInfo(BaseModel):
    """One downloaded result file."""

    name: str = Field(description="File name inside the task folder.")
    path: str = Field(description="Absolute local path of the file.")
    size: int = Field(description="Size in bytes.")
    sha256: str = Field(description="SHA-256 of the file's bytes, hex.")
    mime_type: str
    uri: str = Field(description="MCP resource URI that serves the file.")
    download_url: str | None = Field(
        default=None,
        description="Over HTTP: a link on this server that fetches the file without the MCP "
        "client (a browser, curl) for a short while (RODIN_DOWNLOAD_LINK_SECONDS); only its "
        "owner is given one.",
    )


class DownloadsResult(BaseModel):
    """A task's result files."""

    task_uuid: str
    state: TaskState
    output_dir: str | None = Field(description="Absolute folder holding the files, once fetched.")
    files: list[FileInfo]
    downloaded: bool = Field(description="True when this call fetched or verified the files.")
    preview_path: str | None = Field(
        default=None, description="Local path of Rodin's own preview render (preview.webp)."
    )
    contact_sheet_path: str | None = Field(
        default=None,
        description="Local path of the contact sheet rendered here: the main model, textured "
        "and lit, from several angles in one image.",
    )
    model: ModelFacts | None = Field(
        default=None, description="Facts about the main model file, once downloaded."
    )
    sandbox: bool
    next_step: NextStep
    conversions: list[ConversionSummary] = Field(
        default_factory=list[ConversionSummary],
        description="Models converted here from this task's files, oldest first.",
    )


class BalanceResult(BaseModel):
    """The account's credit balance."""

    balance: float = Field(description="Credits left on the Rodin account (shared by everyone).")
    sandbox: bool
    person: str = Field(description="Who the spending and the budget are of.")
    credits_spent: float = Field(
        description="Credits this person spent or reserved in the budget period."
    )
    budget: float = Field(description="Credits this person may spend per budget period.")
    budget_period_seconds: float = Field(description="The rolling period the budget covers.")
    budget_frees_at: str | None = Field(
        default=None,
        description="When the oldest spend of the period leaves it (UTC, ISO 8601); none if "
        "nothing was spent.",
    )


class TaskSummary(BaseModel):
    """One task from the ledger."""

    task_uuid: str | None
    prompt: str | None
    tier: str | None
    state: RecordState = Field(description="The task's recorded state.")
    submitted_at: str | None
    output_dir: str | None
    estimated_credits: float
    sandbox: bool
    kind: TaskKind = Field(default=TaskKind.GENERATION, description="generation, texture or split.")
    source: str | None = Field(default=None, description=_SOURCE)


class TasksResult(BaseModel):
    """Recent tasks, newest first."""

    tasks: list[TaskSummary]
    conversions: list[ConversionSummary] = Field(
        default_factory=list[ConversionSummary],
        description="Models converted here (free), newest first.",
    )
