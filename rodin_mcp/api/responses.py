"""Rodin's answers in types, tolerant of its variations: extra fields are ignored everywhere.

Sources: https://developer.hyper3d.ai/api-specification/check-status and
https://developer.hyper3d.ai/api-specification/download-results.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rodin_mcp.records import TaskState

__all__ = [
    "LINK_LIFETIME_SECONDS",
    "RESULT_RETENTION_DAYS",
    "DownloadItem",
    "JobStatus",
    "SubmitResult",
    "TaskStatus",
    "job_state",
    "task_state",
]

LINK_LIFETIME_SECONDS = 600
"""Result links are signed for about ten minutes after they are listed."""

RESULT_RETENTION_DAYS = 7
"""Rodin keeps a task's results this many days."""


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SubmitResult(_Wire):
    """What Rodin returned for an accepted generation."""

    task_uuid: str = Field(description="Task id; used to list and download the results.")
    subscription_key: str = Field(
        repr=False, description="Handle used to poll the task's status; treat it as a secret."
    )
    job_uuids: list[str] = Field(default_factory=list[str], description="Ids of the sub-jobs.")
    prompt: str | None = Field(default=None, description="The prompt Rodin used (refined).")
    submit_time: str | None = Field(default=None, description="When Rodin received the request.")
    consumed: float | None = Field(default=None, description="Credits Rodin charged, if stated.")


class JobStatus(_Wire):
    """The state of one job of a task, as Rodin reports it."""

    uuid: str
    status: str = Field(description="Waiting, Generating, Done or Failed (as Rodin spells it).")
    queue_length: int | None = Field(default=None, description="Place in the queue if waiting.")


_FAILED_STATUSES = frozenset({"failed", "canceled", "cancelled", "error"})


def job_state(status: str) -> TaskState:
    """Map one job's Rodin status onto waiting/generating/done/failed (case-insensitive)."""
    lowered = status.strip().lower()
    if lowered in _FAILED_STATUSES:
        return TaskState.FAILED
    if lowered == "done":
        return TaskState.DONE
    if lowered == "generating":
        return TaskState.GENERATING
    return TaskState.WAITING


def task_state(statuses: Iterable[str]) -> TaskState:
    """The task's state from its jobs' states .

    Any failed job fails the task; all done means done; any generating means generating; else
    waiting (including a task with no jobs listed yet).
    """
    states = [job_state(s) for s in statuses]
    if TaskState.FAILED in states:
        return TaskState.FAILED
    if states and all(s == TaskState.DONE for s in states):
        return TaskState.DONE
    if TaskState.GENERATING in states:
        return TaskState.GENERATING
    return TaskState.WAITING


class TaskStatus(_Wire):
    """The jobs of a task and the task state derived from them."""

    jobs: list[JobStatus]

    @computed_field(description="waiting, generating, done or failed; derived from the jobs.")
    @property
    def state(self) -> TaskState:
        """Task state derived from the job states."""
        return task_state(job.status for job in self.jobs)


class DownloadItem(_Wire):
    """One result file of a task: a short-lived signed URL and the server's name for it."""

    url: str = Field(
        repr=False,
        description=f"Signed URL; expires after about {LINK_LIFETIME_SECONDS // 60} minutes.",
    )
    name: str = Field(description="Rodin's name for the file (untrusted; never a path).")
