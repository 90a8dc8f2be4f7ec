"""MCP helpers of the server benchmarks: a stdio session, a tool result's structured data."""

from __future__ import annotations

import sys
from contextlib import AsyncExitStack
from typing import Any, Literal

import anyio.to_thread
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult
from measure import child_pids

__all__ = ["connect_stdio", "structured"]


def structured(result: CallToolResult) -> dict[str, Any]:
    """A successful tool result's structured content."""
    if result.is_error or result.structured_content is None:
        text = " ".join(getattr(block, "text", "") for block in result.content)
        raise RuntimeError(f"tool call failed: {text[:300]}")
    return result.structured_content


async def connect_stdio(
    stack: AsyncExitStack,
    args: list[str],
    env: dict[str, str] | None,
    mode: Literal["legacy", "auto"],
    read_timeout: float,
) -> tuple[Client, int]:
    """Start a stdio server (``python ARGS``) and connect; return the client and its pid."""
    before = await anyio.to_thread.run_sync(child_pids)
    params = StdioServerParameters(command=sys.executable, args=args, env=env)
    client = await stack.enter_async_context(
        Client(params, mode=mode, read_timeout_seconds=read_timeout)
    )
    new = await anyio.to_thread.run_sync(child_pids) - before
    if len(new) != 1:
        raise RuntimeError(f"expected one new child process, found {sorted(new)}")
    return client, new.pop()
