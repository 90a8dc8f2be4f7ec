"""What the MCP server keeps for its lifetime: the service."""

from __future__ import annotations

from dataclasses import dataclass

from rodin_mcp.service import RodinService

__all__ = ["AppState"]


@dataclass
class AppState:
    """The lifespan state every tool and resource reads."""

    service: RodinService
