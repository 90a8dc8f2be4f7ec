"""The MCP face's words: the service's errors and next steps said in tools and their arguments.

The core's messages say what happened; this module adds what the model can do about it with
these tools, and turns each typed next step into one instruction.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

from rodin_mcp import errors
from rodin_mcp.errors import RodinError
from rodin_mcp.server.vocabulary import (
    CHECK_BALANCE,
    CHECK_STATUS,
    CREATE_UPLOAD,
    GENERATE_3D,
    LIST_DOWNLOADS,
    LIST_TASKS,
    SPLIT_PARTS,
    SUGGESTED_WAIT_SECONDS,
)
from rodin_mcp.service import SPLITTABLE_TIER, NextAction, NextStep

__all__ = ["advice_for", "next_step_text", "tool_errors", "worded"]

_WAIT = f"wait_seconds={SUGGESTED_WAIT_SECONDS}"
_KEY_SETUP = (
    "set RODIN_API_KEY in this MCP server's environment (the host's config 'env' block) to a key "
    "from https://hyper3d.ai/api-dashboard (a Business subscription is needed), then restart the "
    "server; or set RODIN_SANDBOX=1 to use the embedded emulator, which needs no key and spends "
    "no real credits."
)
_ADVICE: dict[type[RodinError], str] = {
    errors.NotConfiguredError: "Either " + _KEY_SETUP,
    errors.AuthError: "To fix it, " + _KEY_SETUP,
    errors.InsufficientFundsError: f"{CHECK_BALANCE} shows the balance; top up at https://hyper3d.ai.",
    errors.ParallelismLimitError: (
        f"Wait for a running task to finish ({CHECK_STATUS} with wait_seconds), then retry."
    ),
    errors.OutcomeUnknownError: (
        f"The submission is recorded: {LIST_TASKS} shows it. An identical call of the same tool "
        "is refused until you pass force_new=true, which may bill a second time."
    ),
    errors.UnresolvedSubmissionError: (
        f"Check {LIST_TASKS} and your Rodin dashboard first; to submit again anyway, call the "
        "same tool with force_new=true (this may bill a second time)."
    ),
    errors.SubmissionInFlightError: (
        f"Call {GENERATE_3D} again in a minute with the same arguments: once the other process "
        f"records Rodin's answer, it returns that task without paying again ({LIST_TASKS} "
        "shows it)."
    ),
    errors.FileNotDownloadedError: (
        f"Call {LIST_DOWNLOADS} for that task first: it saves the files and lists their URIs."
    ),
    errors.ChangedFileError: (
        f"Call {LIST_DOWNLOADS} for that task again: it downloads a changed file afresh."
    ),
    errors.FileTooLargeError: (
        f"Open it at its path on the server's computer, or fetch it with the download_url "
        f"{LIST_DOWNLOADS} gives over HTTP."
    ),
    errors.OutputFolderError: (
        "Ask the user to set RODIN_OUTPUT_DIR in this MCP server's environment (the host's config "
        "'env' block) to a folder this server may write, then restart the server; the files stay "
        f"at Rodin meanwhile, and {LIST_DOWNLOADS} fetches them then."
    ),
    errors.BudgetExceededError: (
        f"Tell the user: nothing was spent. {CHECK_BALANCE} shows their spending and when it "
        "frees up; whoever runs the server can raise RODIN_MAX_CREDITS."
    ),
    errors.MalformedIdError: (
        f"Pass the 'task_uuid' (and 'subscription_key') exactly as {GENERATE_3D} returned them; "
        f"{LIST_TASKS} lists the tasks known here."
    ),
    errors.LedgerUnavailableError: (
        "Tell the user that nothing was sent or spent, and call the tool again in a minute; "
        "whoever runs the server should check the database RODIN_DATABASE_URL names."
    ),
    errors.ForeignTaskRefusedError: (
        f"Use a task_uuid this server returned to this user ({LIST_TASKS} lists them); whoever "
        "runs the server can allow tasks submitted elsewhere with RODIN_ALLOW_FOREIGN_TASKS=1."
    ),
    errors.UnknownTaskError: (
        f"Check the task_uuid (it is the 'task_uuid' of {GENERATE_3D}'s result), or pass the "
        "task's subscription_key too if it was submitted elsewhere."
    ),
    errors.WrongModeError: "Restart this server in the other mode to follow that task.",
    errors.MissingSubscriptionKeyError: "Pass subscription_key if you have it.",
    errors.SandboxTaskLostError: f"Generate it again with {GENERATE_3D}.",
    errors.TaskFailedError: (
        f"Generate again with {GENERATE_3D} (consider another seed, prompt or image)."
    ),
}


def _install_advice(error: errors.ConverterMissingError) -> str:
    spec = f"rodin-mcp[{error.extra}]"
    return (
        f"Tell the user: conversions need the optional '{error.extra}' libraries. With uvx, "
        f"change this server's command in the MCP host's config to 'uvx --from {spec} "
        f"rodin-mcp'; with pip, run pip install '{spec}'. Then restart the server."
    )


def advice_for(error: RodinError) -> str | None:
    """What the model can do about ``error`` with these tools, if there is something to say."""
    if isinstance(error, errors.ConverterMissingError):
        return _install_advice(error)
    if isinstance(error, errors.UnsplittableTaskError):
        if error.finished:
            return (
                f"Generate a model with {GENERATE_3D}(tier={SPLITTABLE_TIER}) and pass that "
                f"task_uuid to {SPLIT_PARTS}."
            )
        return (
            f"Call {CHECK_STATUS} with task_uuid={error.task_uuid} and {_WAIT} until state is "
            f"done, then {SPLIT_PARTS} again."
        )
    if isinstance(error, errors.UploadRefusedError):
        return _upload_advice(error)
    return next((text for kind, text in _ADVICE.items() if isinstance(error, kind)), None)


def _upload_advice(error: errors.UploadRefusedError) -> str | None:
    if error.reason == "waiting":
        return (
            f"Send the file to the upload_url {CREATE_UPLOAD} gave (its bytes as the body of one "
            "PUT, for example curl -T <file> '<upload_url>'), then call again."
        )
    if error.reason == "too_large":
        return "Pass a smaller file."
    return f"Call {CREATE_UPLOAD} for a new link, send the file to it, and pass the uri it gives."


@asynccontextmanager
async def tool_errors() -> AsyncGenerator[None]:
    """Re-raise any :class:`RodinError` as a :class:`ToolError`: its message, then the advice."""
    try:
        yield
    except RodinError as exc:
        advice = advice_for(exc)
        raise ToolError(f"{exc} {advice}" if advice else str(exc)) from None


def next_step_text(step: NextStep) -> str:
    """One next step as an instruction naming the tool and its arguments."""
    task = f"task_uuid={step.task_uuid}"
    match step.action:
        case NextAction.WAIT if step.state is None:
            text = f"Call {CHECK_STATUS} with {task} and {_WAIT} until state is done, then "
            text += f"{LIST_DOWNLOADS}."
            if step.reused:
                text = "An identical request was submitted recently; reusing it. " + text
            return text
        case NextAction.WAIT:
            return (
                f"Still {step.state}. Call {CHECK_STATUS} again with {task} and {_WAIT}; "
                "generations can take several minutes."
            )
        case NextAction.WAIT_THEN_DOWNLOAD:
            return (
                f"The task is still {step.state}; nothing was downloaded. Call {CHECK_STATUS} "
                f"with {task} and {_WAIT}, then {LIST_DOWNLOADS} again."
            )
        case NextAction.DOWNLOAD:
            return f"Done. Call {LIST_DOWNLOADS} with {task} and download=true to fetch the files."
        case NextAction.OPEN_FILES:
            return (
                f"{step.file_count} files are in {step.folder}. Tell the user where they are; "
                "the model files open in Blender, three.js or any glTF viewer."
            )
        case NextAction.GENERATE_AGAIN:
            return (
                "Rodin reported the task as failed (it gives no reason). Generate again with "
                f"{GENERATE_3D}, perhaps with another seed, prompt or image."
            )


def worded(result: BaseModel) -> dict[str, Any]:
    """The result as JSON, with its typed ``next_step`` said in this face's words."""
    document = result.model_dump(mode="json")
    step = getattr(result, "next_step", None)
    if isinstance(step, NextStep):
        document["next_step"] = next_step_text(step)
    return document
