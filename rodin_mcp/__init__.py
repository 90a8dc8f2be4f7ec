"""rodin-mcp: an MCP server for Hyper3D Rodin, with an embedded Rodin-compatible emulator."""

__version__ = "0.1.0"

__all__ = ["__version__"]
