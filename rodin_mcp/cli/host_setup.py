"""How to connect an MCP host to this installation: the absolute server command and snippets."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ServerCommand",
    "claude_code_command",
    "claude_desktop_config",
    "claude_desktop_config_path",
    "server_command",
]

_SCRIPT = "rodin-mcp"
CLAUDE_DESKTOP_CONFIG_PATHS = {
    "darwin": "~/Library/Application Support/Claude/claude_desktop_config.json",
    "win32": r"%APPDATA%\Claude\claude_desktop_config.json",
    "linux": "~/.config/Claude/claude_desktop_config.json",
}


@dataclass(frozen=True)
class ServerCommand:
    """An absolute program and its arguments that start the stdio MCP server."""

    command: str
    args: tuple[str, ...] = ()


def _is_script(path: Path) -> bool:
    return path.stem == _SCRIPT and path.is_file()


def server_command() -> ServerCommand:
    """The absolute command that runs this installation's ``rodin-mcp``.

    The script this process was started as, else the one beside this Python (same virtual
    environment), else the one on PATH, else ``python -m rodin_mcp`` with this Python.
    """
    started_as = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started_as is not None and _is_script(started_as):
        return ServerCommand(str(started_as.absolute()))
    # absolute(), not resolve(): a venv's python is a symlink that must stay inside the venv.
    python = Path(sys.executable).absolute()
    for folder in (python.parent, python.parent / "Scripts"):
        for name in (_SCRIPT, _SCRIPT + ".exe"):
            if _is_script(folder / name):
                return ServerCommand(str(folder / name))
    found = shutil.which(_SCRIPT)
    if found:
        return ServerCommand(str(Path(found).absolute()))
    return ServerCommand(str(python), ("-m", "rodin_mcp"))


def claude_desktop_config_path() -> str:
    """Where Claude Desktop keeps its configuration on this platform."""
    return CLAUDE_DESKTOP_CONFIG_PATHS.get(sys.platform, CLAUDE_DESKTOP_CONFIG_PATHS["linux"])


def claude_desktop_config(server: ServerCommand, *, sandbox: bool) -> dict[str, Any]:
    """The ``mcpServers`` entry for Claude Desktop (sandbox, or the real API with a key)."""
    entry: dict[str, Any] = {"command": server.command}
    args = [*server.args, *(["--sandbox"] if sandbox else [])]
    if args:
        entry["args"] = args
    if not sandbox:
        entry["env"] = {"RODIN_API_KEY": "<your key from https://hyper3d.ai/api-dashboard>"}
    return {"mcpServers": {"rodin": entry}}


def claude_code_command(server: ServerCommand, *, sandbox: bool) -> str:
    """The ``claude mcp add`` line that registers the server with Claude Code."""
    words = [server.command, *server.args, *(["--sandbox"] if sandbox else [])]
    quoted = " ".join(f'"{w}"' if " " in w else w for w in words)
    key = "" if sandbox else "--env RODIN_API_KEY=<your key> "
    return f"claude mcp add --transport stdio {key}rodin -- {quoted}"
