"""Turning service errors into ToolErrors a model can act on."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from mcp.server.mcpserver.exceptions import ToolError

from rodin_mcp.errors import (
    AuthError,
    ContentViolationError,
    InsufficientFundsError,
    OutcomeUnknownError,
    ParallelismLimitError,
    RateLimitError,
    RodinError,
)

__all__ = ["tool_errors"]

_HINTS: dict[type[RodinError], str] = {
    AuthError: (
        " Set RODIN_API_KEY in this MCP server's environment (the host's config 'env' block) to "
        "a key from https://hyper3d.ai/api-dashboard, then restart the server; or set "
        "RODIN_SANDBOX=1 to try the embedded emulator."
    ),
    InsufficientFundsError: (
        " Check the balance with check_balance and top up at https://hyper3d.ai (API credits); "
        "cheaper choices: tier Sketch or a Gen-2.5 tier other than Extreme-High, no HighPack."
    ),
    ParallelismLimitError: (
        " Wait for a running task to finish (check_status with wait_seconds), then retry."
    ),
    RateLimitError: " Wait a little and retry; Rodin is limiting the request rate.",
    ContentViolationError: " Use a different image showing one clear object.",
    OutcomeUnknownError: (
        " The submission is recorded: list_tasks shows it. An identical generate_3d call is "
        "refused until you pass force_new=true, which may bill a second time."
    ),
}


@asynccontextmanager
async def tool_errors() -> AsyncGenerator[None]:
    """Re-raise any :class:`RodinError` as a :class:`ToolError` with its curated message."""
    try:
        yield
    except RodinError as exc:
        hint = next((h for cls, h in _HINTS.items() if isinstance(exc, cls)), "")
        message = str(exc)
        if hint and hint.strip() not in message:
            message += hint
        raise ToolError(message) from None
