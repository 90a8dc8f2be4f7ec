"""The command line's words: the service's errors and next steps said in commands and flags."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from rodin_mcp import errors
from rodin_mcp.errors import RodinError
from rodin_mcp.service import SPLITTABLE_TIER, NextAction, NextStep

__all__ = ["advice_for", "next_step_text", "resume_commands", "sandbox_flag", "worded"]

_KEY_SETUP = (
    "set RODIN_API_KEY to a key from https://hyper3d.ai/api-dashboard (a Business subscription "
    "is needed), or pass --sandbox to try the embedded emulator (no key, no real credits)."
)
_ADVICE: dict[type[RodinError], str] = {
    errors.NotConfiguredError: "Either " + _KEY_SETUP,
    errors.AuthError: "To fix it, " + _KEY_SETUP,
    errors.InsufficientFundsError: (
        "'rodin-mcp balance' shows the balance; top up at https://hyper3d.ai."
    ),
    errors.ParallelismLimitError: (
        "Wait for a running task ('rodin-mcp status TASK --wait'), then retry."
    ),
    errors.OutcomeUnknownError: (
        "The submission is recorded: 'rodin-mcp tasks' shows it. The identical command is "
        "refused until you add --force-new, which may bill a second time."
    ),
    errors.UnresolvedSubmissionError: (
        "Check 'rodin-mcp tasks' and your Rodin dashboard first; add --force-new to submit "
        "anyway (this may bill a second time)."
    ),
    errors.SubmissionInFlightError: (
        "Run the same command again in a minute: once the other process records Rodin's "
        "answer, it returns that task without paying again ('rodin-mcp tasks' shows it)."
    ),
    errors.BudgetExceededError: (
        "Nothing was spent. 'rodin-mcp balance' shows what was spent and when it frees up; "
        "RODIN_MAX_CREDITS raises the budget."
    ),
    errors.OutputFolderError: (
        "Set RODIN_OUTPUT_DIR to a folder you can write, or pass --out DIR ('rodin-mcp config' "
        "shows the folder in use); the files stay at Rodin meanwhile."
    ),
    errors.MalformedIdError: (
        "Pass the task id (and --subscription-key) exactly as generate printed them; "
        "'rodin-mcp tasks' lists the tasks known here."
    ),
    errors.LedgerUnavailableError: (
        "Run the command again in a minute; check the database RODIN_DATABASE_URL names."
    ),
    errors.ForeignTaskRefusedError: (
        "'rodin-mcp tasks' lists the tasks submitted here; RODIN_ALLOW_FOREIGN_TASKS=1 allows "
        "tasks submitted elsewhere."
    ),
    errors.UnknownTaskError: (
        "Check the task id ('rodin-mcp tasks' lists them), or pass --subscription-key if the "
        "task was submitted elsewhere."
    ),
    errors.MissingSubscriptionKeyError: "Pass --subscription-key if you have it.",
    errors.SandboxTaskLostError: "Generate it again with 'rodin-mcp generate --sandbox --wait'.",
    errors.TaskFailedError: "Generate again (consider another --seed, prompt or --image).",
    errors.UploadRefusedError: (
        "Uploads are sent to an HTTP server for its tools; here, pass the file's path on this "
        "computer."
    ),
    errors.ChangedFileError: "'rodin-mcp download TASK' fetches the task's files afresh.",
    errors.FileTooLargeError: "Open the file at its path in the task's folder.",
}


_TOKEN_SETUP = (
    "Set RODIN_HTTP_TOKEN to long random secrets, one per person ('alice:TOKEN_A,bob:TOKEN_B'; "
    "clients send 'Authorization: Bearer TOKEN')"
)
_SERVING_ADVICE: dict[errors.ServingProblem, str] = {
    "no_token": _TOKEN_SETUP + ", or bind to 127.0.0.1.",
    "clear_text": (
        "Serve HTTPS with --tls-cert FILE --tls-key FILE (RODIN_TLS_CERT, RODIN_TLS_KEY), or, "
        "when a reverse proxy in front terminates TLS, pass --behind-tls-proxy "
        "(RODIN_BEHIND_TLS_PROXY=1); or bind to 127.0.0.1."
    ),
    "proxy_without_token": _TOKEN_SETUP + ".",
    "tls_files": (
        "Pass --tls-cert and --tls-key (RODIN_TLS_CERT, RODIN_TLS_KEY): a PEM certificate chain "
        "and its unencrypted PEM private key, readable by this user."
    ),
}


def sandbox_flag(sandbox: bool) -> str:
    """`` --sandbox`` when the commands that follow must run in the sandbox, else nothing."""
    return " --sandbox" if sandbox else ""


def advice_for(error: RodinError) -> str | None:
    """What a person can do about ``error`` with these commands, if there is something to say."""
    if isinstance(error, errors.ConverterMissingError):
        spec = f"rodin-mcp[{error.extra}]"
        return (
            f"Install the optional '{error.extra}' libraries: pip install '{spec}', or run "
            f"'uvx --from {spec} rodin-mcp convert ...' with uvx."
        )
    if isinstance(error, errors.UnsplittableTaskError):
        if error.finished:
            return (
                f"Generate a model with 'rodin-mcp generate --tier {SPLITTABLE_TIER}' and split "
                "that task."
            )
        return f"Wait for it ('rodin-mcp status {error.task_uuid} --wait'), then split it."
    if isinstance(error, errors.UnsafeServingError):
        return _SERVING_ADVICE[error.problem]
    if isinstance(error, errors.WrongModeError):
        if error.task_in_sandbox:
            return "Add --sandbox to follow it."
        return "Run the command again without --sandbox (and without RODIN_SANDBOX)."
    return next((text for kind, text in _ADVICE.items() if isinstance(error, kind)), None)


def resume_commands(task_uuid: str, sandbox: bool) -> list[str]:
    """The commands that carry on with a running task: wait for it, then download it."""
    flag = sandbox_flag(sandbox)
    return [f"rodin-mcp status {task_uuid} --wait{flag}", f"rodin-mcp download {task_uuid}{flag}"]


def next_step_text(step: NextStep, sandbox: bool) -> str:
    """One next step as the command to run."""
    flag = sandbox_flag(sandbox)
    match step.action:
        case NextAction.WAIT if step.state is not None:
            return f"rodin-mcp status {step.task_uuid} --wait{flag}"
        case NextAction.WAIT | NextAction.WAIT_THEN_DOWNLOAD:
            return ", then ".join(resume_commands(step.task_uuid, sandbox))
        case NextAction.DOWNLOAD:
            return f"rodin-mcp download {step.task_uuid}{flag}"
        case NextAction.OPEN_FILES:
            return f"open the files in {step.folder}"
        case NextAction.GENERATE_AGAIN:
            return "rodin-mcp generate again, perhaps with another --seed, prompt or --image"


def worded(result: BaseModel, sandbox: bool) -> dict[str, Any]:
    """The result as JSON, with its typed ``next_step`` said as a command."""
    document = result.model_dump(mode="json")
    step = getattr(result, "next_step", None)
    if isinstance(step, NextStep):
        document["next_step"] = next_step_text(step, sandbox)
    return document
