"""The `rodin-mcp` command line: dispatches to the MCP server, the emulator and the commands."""

from rodin_mcp.cli.main import main

__all__ = ["main"]
