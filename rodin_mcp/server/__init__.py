"""The MCP face of rodin-mcp: tools, resources and transports."""

from rodin_mcp.server.app import build_server
from rodin_mcp.server.state import AppState

__all__ = ["AppState", "build_server"]
