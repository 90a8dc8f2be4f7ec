"""The stdio MCP server starts without loading the command line's presentation or commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.helpers import clean_environment

HEAVY_LIBRARIES = (
    "rich",
    "numpy",
    "PIL",
    "trimesh",
    "fast_simplification",
    "manifold3d",
    "lib3mf",
    "pxr",
)
# What only the people's commands need: their modules, how they show results, the session.
# (rodin_mcp.model's facts are part of the tools' output schema; what reads meshes, with numpy
# and Pillow, loads on first use and is caught by HEAVY_LIBRARIES.)
COMMAND_MODULES = (
    "rodin_mcp.cli.commands",
    "rodin_mcp.cli.session",
    "rodin_mcp.cli.views",
    "rodin_mcp.model.format_facts",
    "rodin_mcp.model.render",
)

CHECK = f"""
import sys
from rodin_mcp.cli.parser import parse_command_line
assert parse_command_line([]).command is None
loaded = [m for m in sys.modules if m.split(".")[0] in {set(HEAVY_LIBRARIES)!r}
          or m.startswith({COMMAND_MODULES!r}) or m.startswith("rodin_mcp.service.")]
print(",".join(loaded))
"""


def imported_modules(importtime_log: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip()
        for line in importtime_log.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def test_parsing_the_empty_command_line_loads_no_presentation_library_or_service(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_serving_stdio_loads_no_command_module_numpy_or_pillow(tmp_path: Path) -> None:
    # stdin at EOF: the server starts, sees the host close the pipe, and exits.
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rodin_mcp"],
        env=clean_environment(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    modules = imported_modules(done.stderr)
    assert "rodin_mcp.server.transports" in modules  # the log is real: the server did start
    # rich is absent from this list on purpose: the MCP SDK's MCPServer imports rich.logging
    # itself when rich is installed (mcp/server/mcpserver/utilities/logging.py).
    unexpected = {m for m in modules if m.split(".")[0] in {"numpy", "PIL"}}
    unexpected |= {m for m in modules if m.startswith(COMMAND_MODULES)}
    assert unexpected == set()
