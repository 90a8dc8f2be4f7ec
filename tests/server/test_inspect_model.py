"""inspect_model and the model facts of list_downloads, through the MCP client.

The figures are checked against trimesh's reading of the same files (an independent reader),
for emulator outputs with fixed seeds, and against hand-made meshes in tests/model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import trimesh
from mcp import Client

from rodin_mcp.emulator.formats.stl import write_stl
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.model.test_inspection import SIZE, box_mesh
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio


async def _downloaded(client: Client, **options: Any) -> dict[str, Any]:
    task = structured(await client.call_tool("generate_3d", options))["task_uuid"]
    await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    return structured(await client.call_tool("list_downloads", {"task_uuid": task}))


def _reference_figures(path: Path) -> tuple[int, Any, bool]:
    """Triangles, bounds and watertightness as trimesh tells them, vertices welded by position
    alone (Rodin's files split them at UV seams)."""
    loaded: object = trimesh.load(str(path), force="mesh", process=False)  # pyright: ignore[reportUnknownMemberType]
    assert isinstance(loaded, trimesh.Trimesh)
    mesh = loaded
    welded = mesh.copy()
    welded.merge_vertices(merge_tex=True, merge_norm=True)  # pyright: ignore[reportUnknownMemberType]
    return len(mesh.faces), mesh.bounds, bool(welded.is_watertight)


async def test_a_downloaded_model_is_inspected_by_its_resource_uri_as_trimesh_reads_it(
    client: Client,
) -> None:
    downloads = await _downloaded(client, prompt="a stone owl", seed=7)
    glb = next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")

    facts = structured(await client.call_tool("inspect_model", {"model": glb["uri"]}))

    model = facts["model"]
    triangles, bounds, watertight = _reference_figures(Path(glb["path"]))
    assert facts["uri"] == glb["uri"]
    assert facts["task_uuid"] == downloads["task_uuid"]
    assert (model["format"], model["file_size"]) == ("glb", glb["size"])
    assert model["triangle_count"] == triangles
    assert model["bounding_box"]["minimum"] == pytest.approx(bounds[0], abs=1e-5)
    assert model["bounding_box"]["maximum"] == pytest.approx(bounds[1], abs=1e-5)
    assert model["bounding_box"]["size"] == pytest.approx(bounds[1] - bounds[0], abs=1e-5)
    assert model["watertight"] is watertight
    assert (model["up_axis"], model["units"]) == ("+Y", "metres")
    assert model["meshes"]
    assert model["materials"]
    base = next(t for t in model["textures"] if t["role"] == "base colour")
    assert base["width"] > 0
    assert base["height"] > 0


async def test_list_downloads_reports_the_same_facts_as_inspect_model(client: Client) -> None:
    downloads = await _downloaded(client, prompt="a teapot", seed=3)
    glb = next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")

    facts = structured(await client.call_tool("inspect_model", {"model": glb["path"]}))

    assert downloads["model"] == facts["model"]


async def test_a_local_file_is_inspected_by_path_and_by_file_uri(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "my models" / "box.stl"
    path.parent.mkdir()
    path.write_bytes(write_stl(box_mesh(textured=False)))

    by_path = structured(await client.call_tool("inspect_model", {"model": str(path)}))
    by_uri = structured(await client.call_tool("inspect_model", {"model": path.as_uri()}))

    assert by_path == by_uri
    assert by_path["uri"] is None
    model = by_path["model"]
    assert (model["format"], model["triangle_count"], model["watertight"]) == ("stl", 12, True)
    assert model["bounding_box"]["size"] == pytest.approx(list(SIZE), abs=1e-5)
    assert model["path"] == str(path)


async def test_a_file_that_holds_no_model_is_refused_with_what_would_work(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "chair.glb"
    path.write_bytes(b"<html>a web page, not a model</html>")

    result = await client.call_tool("inspect_model", {"model": str(path)})

    assert result.is_error
    assert "is not a 3D model this server reads" in text_of(result)
    assert "GLB, OBJ, STL, FBX, USDZ or 3MF" in text_of(result)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("models/chair.glb", "relative path"),
        ("", "empty"),
        ("ftp://example.com/chair.glb", "'ftp:' references are not supported"),
        ("rodin://tasks/abc", "rodin://tasks/<task_uuid>/files/<name>"),
        ("/mnt/user-data/uploads/chair.glb", "assistant's sandbox"),
        ("/no/such/folder/chair.glb", "There is no file"),
    ],
)
async def test_unusable_references_get_a_clear_error(
    client: Client, reference: str, expected: str
) -> None:
    result = await client.call_tool("inspect_model", {"model": reference})

    assert result.is_error
    assert expected in text_of(result)


async def test_a_folder_is_refused(client: Client, tmp_path: Path) -> None:
    result = await client.call_tool("inspect_model", {"model": str(tmp_path)})

    assert result.is_error
    assert "is a folder, not a model file" in text_of(result)


async def test_a_resource_uri_of_a_file_not_downloaded_says_to_download_first(
    client: Client,
) -> None:
    uri = "rodin://tasks/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/files/base_basic_pbr.glb"

    result = await client.call_tool("inspect_model", {"model": uri})

    assert result.is_error
    assert "no downloaded file 'base_basic_pbr.glb'" in text_of(result)
    assert "list_downloads" in text_of(result)


async def test_a_file_outside_the_allowed_folders_is_refused_before_it_is_read(
    fast_settings: Settings, tmp_path: Path
) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    outside = tmp_path / "elsewhere.stl"
    outside.write_bytes(write_stl(box_mesh(textured=False)))
    inside = allowed / "box.stl"
    os.symlink(outside, inside)  # a link inside that leads outside is outside
    settings = fast_settings.model_copy(update={"allowed_input_dirs": [allowed]})

    async with Client(build_server(settings)) as client:
        for reference in (str(outside), str(inside)):
            result = await client.call_tool("inspect_model", {"model": reference})
            assert result.is_error
            assert "outside the folders this server may read model files from" in text_of(result)


async def test_inspection_needs_no_api_key(tmp_path: Path) -> None:
    path = tmp_path / "box.stl"
    path.write_bytes(write_stl(box_mesh(textured=False)))
    settings = Settings(output_dir=tmp_path / "out", data_dir=tmp_path / "data")

    async with Client(build_server(settings)) as client:
        facts = structured(await client.call_tool("inspect_model", {"model": str(path)}))

    assert facts["model"]["triangle_count"] == 12
    assert np.isclose(facts["model"]["bounding_box"]["size"][0], SIZE[0])
