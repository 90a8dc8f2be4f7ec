"""`rodin-mcp demo`: the whole product on a fresh machine, without a key."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from tests.cli.helpers import run_cli

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def test_demo_generates_downloads_inspects_and_shows_a_working_host_snippet(
    sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    run = run_cli(["demo"], sandbox_env)

    assert run.code == 0, run.stderr
    task = re.search(rf"Submitted task ({UUID})", run.stdout)
    assert task is not None, run.stdout
    assert '"a wooden chair"' in run.stdout
    folder = re.search(r"Files in (\S+)", run.stdout)
    assert folder is not None
    assert Path(folder.group(1)).parent == tmp_path / "output"
    assert (Path(folder.group(1)) / "base_basic_pbr.glb").is_file()
    assert (Path(folder.group(1)) / "preview.webp").is_file()
    assert re.search(r"vertices\s+[\d,]+", run.stdout)
    assert re.search(r"triangles\s+[\d,]+", run.stdout)
    assert re.search(r"texture\s+base colour: \d+x\d+ PNG", run.stdout)
    assert f"Preview: {folder.group(1)}/preview.webp" in run.stdout
    assert "RODIN_API_KEY" in run.stdout
    snippet = re.search(r"^\{\n.*?^\}$", run.stdout, re.DOTALL | re.MULTILINE)
    assert snippet is not None, run.stdout
    entry = json.loads(snippet.group(0))["mcpServers"]["rodin"]
    command = Path(entry["command"])
    assert command.is_absolute()
    assert command.is_file()
    assert os.access(command, os.X_OK)
    assert entry["args"][-1] == "--sandbox"


def test_demo_json_is_one_document_holding_every_step_and_the_ledger_keeps_the_task(
    sandbox_env: dict[str, str],
) -> None:
    run = run_cli(["demo", "a red teapot", "--json"], sandbox_env)

    assert run.code == 0, run.stderr
    document = run.json()
    assert document["generate"]["sandbox"] is True
    assert document["generate"]["prompt"] == "a red teapot"
    assert document["status"]["state"] == "done"
    files = document["downloads"]["files"]
    assert {f["name"] for f in files} >= {"base_basic_pbr.glb", "preview.webp"}
    assert all(Path(f["path"]).stat().st_size == f["size"] for f in files)
    inspection = document["inspection"]
    assert inspection["format"] == "glb"
    assert inspection["vertex_count"] > 0
    assert inspection["triangle_count"] > 0
    assert all(side > 0 for side in inspection["bounding_box"]["size"])
    assert Path(document["host"]["command"]).is_absolute()
    assert document["host"]["claude_desktop_config"]["mcpServers"]["rodin"]["args"][-1] == (
        "--sandbox"
    )
    listed = run_cli(["tasks", "--sandbox", "--json"], sandbox_env).json()["tasks"]
    assert [t["task_uuid"] for t in listed] == [document["generate"]["task_uuid"]]
    assert listed[0]["state"] == "done"
    assert listed[0]["output_dir"] == document["downloads"]["output_dir"]
