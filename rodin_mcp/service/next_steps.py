"""What to do after a result, as data: each face puts it in its own words."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from rodin_mcp.records import TaskState

__all__ = ["NextAction", "NextStep"]


class NextAction(StrEnum):
    """The kinds of next step the service hands its faces."""

    WAIT = "wait"
    """The task is still running: follow it until it is done."""
    WAIT_THEN_DOWNLOAD = "wait_then_download"
    """Files were asked for, but the task is still running: follow it, then fetch them."""
    DOWNLOAD = "download"
    """The task is done: fetch its files."""
    OPEN_FILES = "open_files"
    """The files are on disk: tell the person where they are."""
    GENERATE_AGAIN = "generate_again"
    """Rodin failed the task: generate again, perhaps with another seed, prompt or image."""


class NextStep(BaseModel):
    """One next step with the facts a face needs to say it."""

    action: NextAction
    task_uuid: str
    state: TaskState | None = Field(default=None, description="The task's state, when running.")
    reused: bool = Field(default=False, description="The task is an identical earlier one.")
    folder: str | None = Field(default=None, description="Where the files are.")
    file_count: int = Field(default=0, description="How many files are there.")
