"""`rodin-mcp inspect`: the same facts as the inspect_model tool, for people and scripts."""

from __future__ import annotations

from pathlib import Path

from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.emulator.formats.stl import write_stl
from tests.cli.helpers import clean_environment, run_cli
from tests.model.test_inspection import box_mesh


def test_inspect_shows_counts_dimensions_axis_and_textures_without_a_key(tmp_path: Path) -> None:
    path = tmp_path / "box.glb"
    path.write_bytes(write_glb(box_mesh()))

    run = run_cli(["inspect", str(path)], clean_environment(tmp_path))

    assert run.code == 0, run.stderr
    title, *lines = run.stdout.splitlines()
    rows = [tuple(part.strip() for part in line.strip().split("  ", 1)) for line in lines]
    assert title.startswith("Model box.glb (GLB,")
    assert ("triangles", "12") in rows
    assert ("size", "2.000 x 1.000 x 0.500 metres (x, y, z)") in rows
    assert ("up axis", "+Y") in rows
    assert ("watertight", "yes") in rows
    assert ("meshes", "box") in rows
    assert any(
        label == "texture" and value.startswith("base colour: 32x16 PNG") for label, value in rows
    )


def test_inspect_json_is_the_tool_result(tmp_path: Path) -> None:
    path = tmp_path / "box.stl"
    path.write_bytes(write_stl(box_mesh(textured=False)))

    run = run_cli(["--json", "inspect", path.as_uri()], clean_environment(tmp_path))

    assert run.code == 0, run.stderr
    model = run.json()["model"]
    assert (model["format"], model["triangle_count"], model["watertight"]) == ("stl", 12, True)


def test_inspecting_a_file_that_is_no_model_exits_1_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.glb"
    path.write_text("shopping list")

    run = run_cli(["inspect", str(path)], clean_environment(tmp_path))

    assert run.code == 1
    assert run.stdout == ""
    assert "is not a 3D model this server reads" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
