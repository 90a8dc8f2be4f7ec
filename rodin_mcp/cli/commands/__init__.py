"""The people's commands, one module each; :mod:`rodin_mcp.cli.app` dispatches to them."""
