"""Running one command: settings, the service, and turning every ending into an exit code.

Errors print one line, ``error: <curated message>`` (the same messages the MCP tools give), and
with ``--json`` also an ``{"error": ...}`` document on stdout. Ctrl-C ends with exit code 130
and says how to resume; no traceback is printed for any expected ending.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import anyio

from rodin_mcp.cli.exit_codes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TASK_FAILED
from rodin_mcp.cli.output import Output
from rodin_mcp.cli.settings_sources import load_settings
from rodin_mcp.errors import (
    BudgetExceededError,
    RodinError,
    TaskFailedError,
    UnresolvedSubmissionError,
)
from rodin_mcp.service import RodinService, open_service

__all__ = [
    "CommandContext",
    "Phase",
    "ResumePoint",
    "ServiceCommand",
    "report_error",
    "run_plain",
    "run_with_service",
]

logger = logging.getLogger(__name__)

Phase = Literal["starting", "submitting", "waiting", "downloading"]

# The service's messages name the MCP tools' arguments; say what they are on the command line.
_COMMAND_LINE_HINTS: dict[type[RodinError], str] = {
    UnresolvedSubmissionError: (
        "On the command line: check 'rodin-mcp tasks', then add --force-new to submit anyway."
    ),
    BudgetExceededError: "On the command line: set RODIN_MAX_CREDITS higher for this command.",
}


@dataclass
class ResumePoint:
    """What the command was doing, so an interruption can say how to carry on."""

    phase: Phase = "starting"
    task_uuid: str | None = None
    sandbox: bool = False


@dataclass
class CommandContext:
    """What a command body gets: its arguments, its output channels and the service."""

    args: argparse.Namespace
    output: Output
    service: RodinService
    resume: ResumePoint = field(default_factory=ResumePoint)


ServiceCommand = Callable[[CommandContext], Awaitable[int]]


def run_with_service(
    command: ServiceCommand,
    args: argparse.Namespace,
    output: Output,
    settings_arguments: Mapping[str, Any],
) -> int:
    """Open the service with the effective settings, run ``command``, and return its exit code."""
    resume = ResumePoint()

    async def session() -> int:
        settings = load_settings(settings_arguments)
        resume.sandbox = settings.sandbox
        async with open_service(settings) as service:
            return await command(CommandContext(args, output, service, resume))

    try:
        return anyio.run(session)
    except BaseException as raw:  # every ending becomes an exit code; bugs are logged
        return _ending(raw, output, resume)


def run_plain(command: Callable[[], int], output: Output) -> int:
    """Run a command that needs no service, with the same endings as the others."""
    try:
        return command()
    except BaseException as raw:
        return _ending(raw, output, ResumePoint())


def _leaf(error: BaseException) -> BaseException:
    # Task groups wrap what the command raised; the first interesting leaf is the story.
    while isinstance(error, BaseExceptionGroup):
        group = cast(BaseExceptionGroup[BaseException], error)
        leaves = group.exceptions
        error = next(
            (e for e in leaves if isinstance(e, KeyboardInterrupt | RodinError)), leaves[0]
        )
    return error


def _ending(raw: BaseException, output: Output, resume: ResumePoint) -> int:
    error = _leaf(raw)
    if isinstance(error, SystemExit):
        raise error
    if isinstance(error, KeyboardInterrupt):
        _interrupted(output, resume)
        return EXIT_INTERRUPTED
    if isinstance(error, RodinError):
        code = EXIT_TASK_FAILED if isinstance(error, TaskFailedError) else EXIT_ERROR
        report_error(output, str(error), type(error).__name__, code)
        hint = next((h for t, h in _COMMAND_LINE_HINTS.items() if isinstance(error, t)), None)
        if hint is not None:
            output.hint(hint)
        return code
    if not isinstance(error, Exception):
        raise raw
    logger.debug("unexpected failure", exc_info=error)
    report_error(
        output,
        f"unexpected {type(error).__name__}; run again with -v to see the details.",
        type(error).__name__,
        EXIT_ERROR,
    )
    return EXIT_ERROR


def report_error(output: Output, message: str, kind: str, code: int) -> None:
    """The error line on stderr and, with --json, the error document on stdout."""
    output.error(message)
    if output.json_mode:
        output.json({"error": {"type": kind, "message": message, "exit_code": code}})


def _interrupted(output: Output, resume: ResumePoint) -> None:
    task = resume.task_uuid
    if resume.phase == "submitting":
        output.hint(
            "Interrupted while submitting: the task may or may not have been created (and "
            "billed). The ledger records it; check 'rodin-mcp tasks' before submitting again."
        )
    elif task is None:
        output.hint("Interrupted.")
    else:
        flag = " --sandbox" if resume.sandbox else ""
        where = "in the sandbox" if resume.sandbox else "at Rodin"
        output.hint(
            f"Interrupted. Task {task} keeps running {where} and is in the ledger; nothing is "
            "lost. To resume:\n"
            f"  rodin-mcp status {task} --wait{flag}\n"
            f"  rodin-mcp download {task}{flag}"
        )
