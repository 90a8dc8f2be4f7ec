"""Running one command: settings, the service, and turning every ending into an exit code.

Errors print one line, ``error: <message>``, then the command line's advice for it
(:mod:`rodin_mcp.cli.words`), and with ``--json`` also an ``{"error": ...}`` document on stdout.
Ctrl-C ends with exit code 130 and says how to resume; no traceback is printed for any expected
ending.
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
from rodin_mcp.cli.words import advice_for, resume_commands
from rodin_mcp.errors import RodinError, TaskFailedError
from rodin_mcp.people import LOCAL_OWNER
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
            mine = service.acting_for(LOCAL_OWNER)  # a person at this machine's command line
            return await command(CommandContext(args, output, mine, resume))

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
        advice = advice_for(error)
        report_error(output, str(error), type(error).__name__, code, advice=advice)
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


def report_error(
    output: Output, message: str, kind: str, code: int, *, advice: str | None = None
) -> None:
    """The error line (and advice) on stderr and, with --json, the error document on stdout."""
    output.error(message)
    if advice is not None:
        output.hint(advice)
    if output.json_mode:
        document: dict[str, object] = {"type": kind, "message": message, "exit_code": code}
        if advice is not None:
            document["advice"] = advice
        output.json({"error": document})


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
        where = "in the sandbox" if resume.sandbox else "at Rodin"
        commands = "".join(f"\n  {line}" for line in resume_commands(task, resume.sandbox))
        output.hint(
            f"Interrupted. Task {task} keeps running {where} and is in the ledger; nothing is "
            f"lost. To resume:{commands}"
        )
