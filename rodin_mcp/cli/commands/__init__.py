"""The people's commands, one module each; :mod:`rodin_mcp.cli.main` dispatches to them."""
