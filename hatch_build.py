"""Hatch build hook: builds the MCP Apps viewer (viewer/) into the package when Node can.

With Node >= 18 and npm on PATH, runs ``npm ci`` and ``node build.mjs`` in ``viewer/``, which
writes ``rodin_mcp/server/viewer_dist/viewer.html``; that file is gitignored and reaches the
wheel and the sdist as a build artifact (``[tool.hatch.build] artifacts``). Without Node, or
when that build fails, the package is built without a fresh viewer and this says so on stderr;
the server then simply offers no viewer. ``RODIN_SKIP_VIEWER_BUILD=1`` skips the build.

A bundle that is already there (built earlier, or shipped in the sdist being built) is kept and
packaged when no build happens.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE = Path("rodin_mcp/server/viewer_dist/viewer.html")
MIN_NODE = 18


def _say(message: str) -> None:
    sys.stderr.write(f"rodin-mcp viewer: {message}\n")
    sys.stderr.flush()


def _node_major(node: str) -> int | None:
    try:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.match(r"v(\d+)\.", done.stdout.strip())
    return int(match.group(1)) if match else None


class ViewerBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Builds viewer.html before hatch collects the package's files."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        del version, build_data
        root = Path(self.root)
        source = root / "viewer"
        bundle = root / BUNDLE
        if not (source / "package.json").is_file():
            self._without_build(bundle, "no viewer/ sources here")
            return
        if os.environ.get("RODIN_SKIP_VIEWER_BUILD") == "1":
            self._without_build(bundle, "RODIN_SKIP_VIEWER_BUILD=1")
            return
        node, npm = shutil.which("node"), shutil.which("npm")
        major = _node_major(node) if node else None
        if node is None or npm is None or major is None or major < MIN_NODE:
            found = f"Node {major}" if major is not None else "no Node"
            self._without_build(bundle, f"needs Node >= {MIN_NODE} and npm on PATH ({found})")
            return
        try:
            # npm's and esbuild's chatter goes to stderr, with the rest of the build's log.
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"], cwd=source, check=True, stdout=sys.stderr
            )
            subprocess.run([node, "build.mjs"], cwd=source, check=True, stdout=sys.stderr)
        except (OSError, subprocess.CalledProcessError) as exc:
            self._without_build(bundle, f"the build failed ({exc})")
            return
        _say(f"built {BUNDLE}")

    def _without_build(self, bundle: Path, why: str) -> None:
        if bundle.is_file():
            _say(f"not rebuilt: {why}; packaging the existing {BUNDLE}")
        else:
            _say(f"not built: {why}; the package will have no viewer")
