"""`rodin-mcp convert`: the same conversions as the convert_model tool, for people and scripts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rodin_mcp.emulator.formats.glb import write_glb
from tests.cli.helpers import RUN_TIMEOUT, clean_environment, run_cli
from tests.model.conversion_meshes import blue_box
from tests.readers import trimesh_of, usd_validation_errors, welded_watertight


@pytest.fixture
def box_glb(tmp_path: Path) -> Path:
    path = tmp_path / "box.glb"
    path.write_bytes(write_glb(blue_box()))
    return path


def _rows(stdout: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in stdout.splitlines():
        if line.startswith("  ") and "  " in line.strip():
            label, value = line.strip().split("  ", 1)
            rows.setdefault(label, value.strip())
    return rows


def test_convert_for_a_printer_writes_a_watertight_stl_of_the_asked_size_and_says_so(
    tmp_path: Path, box_glb: Path
) -> None:
    env = clean_environment(tmp_path)

    run = run_cli(
        ["convert", "box.glb", "--preset", "3d-print", "--size", "80", "--unit", "mm"],
        env,
        cwd=tmp_path,
    )

    assert run.code == 0, run.stderr
    stl = tmp_path / "output" / "converted" / "box-3d-print.stl"
    shape = trimesh_of(stl)
    assert (shape.bounds[1] - shape.bounds[0])[2] == pytest.approx(80.0, rel=1e-3)
    assert welded_watertight(shape)
    rows = _rows(run.stdout)
    assert rows["printing"] == "watertight, stands"
    assert rows["repaired"] == "yes"
    assert rows["box-3d-print.stl"] == f"{stl.stat().st_size} bytes"
    assert "box-3d-print.contact_sheet.webp" in rows


def test_convert_json_is_the_tool_result_and_tasks_lists_the_conversion(
    tmp_path: Path, box_glb: Path
) -> None:
    env = clean_environment(tmp_path)

    run = run_cli(["--json", "convert", str(box_glb), "--preset", "ar-quick-look"], env)
    tasks = run_cli(["--json", "tasks"], env)

    assert run.code == 0, run.stderr
    result = run.json()
    assert result["model"]["format"] == "usdz"
    assert usd_validation_errors(Path(result["path"])) == []
    assert [c["conversion_id"] for c in tasks.json()["conversions"]] == [result["conversion_id"]]


def test_an_impossible_conversion_exits_1_with_one_line_and_writes_nothing(
    tmp_path: Path, box_glb: Path
) -> None:
    run = run_cli(["convert", str(box_glb), "--format", "fbx"], clean_environment(tmp_path))

    assert run.code == 1
    assert run.stdout == ""
    assert "FBX is not written here" in run.stderr
    assert not (tmp_path / "output").exists()


def test_without_the_convert_extra_the_error_says_how_to_install_it(
    tmp_path: Path, box_glb: Path
) -> None:
    # An interpreter where OpenUSD cannot be imported, as without the convert extra.
    program = (
        "import sys; sys.modules['pxr'] = None; from rodin_mcp.cli import main; sys.exit(main())"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, "convert", str(box_glb), "--format", "usdz"],
        env=clean_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )

    assert done.returncode == 1
    assert "USDZ output needs the usd-core library, which is not installed here." in done.stderr
    assert "pip install 'rodin-mcp[convert]'" in done.stderr
    assert "uvx --from rodin-mcp[convert] rodin-mcp convert" in done.stderr
