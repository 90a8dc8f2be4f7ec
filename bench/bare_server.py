"""Baseline for the MCP server benchmarks: a bare ``MCPServer`` with one tool, served on stdio.

It is what any MCP server built on the same SDK costs at the least: the interpreter, the ``mcp``
package and one JSON-RPC round trip. ``bench_startup.py`` times its cold start against
``python -m rodin_mcp``; ``bench_status_overhead.py`` times a call of its tool against
``check_status`` to separate the SDK's per-call cost from ours.

Usage::

    .venv/bin/python bench/bare_server.py      # serves MCP over stdio until stdin closes
"""

from __future__ import annotations

from mcp.server import MCPServer

mcp = MCPServer("bare-baseline", version="0.0.0")


@mcp.tool()
async def echo(text: str = "") -> str:
    """Return ``text`` unchanged (async, like rodin-mcp's tools: no worker thread)."""
    return text


if __name__ == "__main__":
    mcp.run()
