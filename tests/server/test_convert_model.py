"""convert_model through the MCP client, its outputs checked by independent readers.

GLB by the Khronos glTF Validator, USDZ by OpenUSD's validators, 3MF read back by lib3mf, STL,
OBJ and GLB by trimesh; sizes within 0.1 %, triangle budgets, up axes, origins, and the
texture's colour on the contact sheet. Sources: the emulator's models and hand-made ones.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest
from mcp import Client
from mcp.types import ImageContent

from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.emulator.formats.gltf_validator import counts, issue_summary, validate_glbs
from tests.model.conversion_meshes import BLUE, BOX_SIZE, blue_box, share_of_colour
from tests.readers import (
    three_mf_facts,
    trimesh_of,
    usd_facts,
    usd_validation_errors,
    welded_watertight,
)
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(fast_settings: Settings) -> AsyncIterator[Client]:
    """One protocol era is enough here: the tool's path does not depend on it."""
    async with Client(build_server(fast_settings)) as connected:
        yield connected


@pytest.fixture
def box_glb(tmp_path: Path) -> Path:
    path = tmp_path / "models" / "blue box.glb"
    path.parent.mkdir()
    path.write_bytes(write_glb(blue_box()))
    return path


async def _downloaded_glb(client: Client, prompt: str) -> dict[str, Any]:
    task = structured(await client.call_tool("generate_3d", {"prompt": prompt, "seed": 5}))
    await client.call_tool("check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 20})
    downloads = structured(
        await client.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})
    )
    return next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")


async def _convert(client: Client, model: str, **options: Any) -> tuple[dict[str, Any], bytes]:
    result = await client.call_tool("convert_model", {"model": model, **options})
    converted = structured(result)
    sheet = next(b for b in result.content if isinstance(b, ImageContent))
    return converted, base64.b64decode(sheet.data)


def _extent(points: Any) -> Any:
    return np.ptp(np.asarray(points, dtype=np.float64), axis=0)


async def test_a_downloaded_model_for_the_web_is_a_valid_glb_within_budget_beside_the_task(
    client: Client,
) -> None:
    source = await _downloaded_glb(client, "a stone owl")

    converted, sheet = await _convert(client, source["uri"], preset="web")

    path = Path(converted["path"])
    report = validate_glbs([path])[path.name]
    assert counts(report)[0] == 0, issue_summary(report)
    assert path.parent == Path(source["path"]).parent
    assert path.name == "base_basic_pbr-web.glb"
    assert converted["model"]["triangle_count"] <= 20_000
    assert converted["source_triangles"] > 20_000
    assert len(trimesh_of(path).faces) == converted["model"]["triangle_count"]
    assert converted["model"]["textures"], "the texture is kept"
    assert converted["options"]["preset"] == "web"
    assert "web page" in converted["preset_reason"]
    assert sheet[:4] == b"RIFF"


async def test_a_textured_box_for_a_game_engine_keeps_its_colour_and_stands_on_the_origin(
    client: Client, box_glb: Path
) -> None:
    converted, sheet = await _convert(client, str(box_glb), preset="game-engine", size=2.5)

    path = Path(converted["path"])
    report = validate_glbs([path])[path.name]
    assert counts(report)[0] == 0, issue_summary(report)
    shape = trimesh_of(path)
    low, high = shape.bounds
    assert high[1] - low[1] == pytest.approx(2.5, rel=1e-3)
    assert low[1] == pytest.approx(0.0, abs=1e-6)
    assert ((low + high) / 2)[[0, 2]] == pytest.approx([0.0, 0.0], abs=1e-6)
    assert share_of_colour(sheet, BLUE) > 0.1
    assert path.parent == box_glb.parent.parent / "output" / "converted"


async def test_a_box_for_a_printer_is_a_watertight_stl_of_the_asked_height_in_mm_standing_on_z(
    client: Client, box_glb: Path
) -> None:
    converted, sheet = await _convert(client, str(box_glb), preset="3d-print", size=150)

    shape = trimesh_of(Path(converted["path"]))
    low, high = shape.bounds
    assert (high - low)[2] == pytest.approx(150.0, rel=1e-3)
    assert (high - low)[0] == pytest.approx(150.0 * BOX_SIZE[0] / BOX_SIZE[1], rel=1e-3)
    assert low[2] == pytest.approx(0.0, abs=1e-4)
    assert welded_watertight(shape)
    printability = converted["printability"]
    assert printability["watertight"]
    assert printability["stands"]
    assert printability["repaired"] is True
    assert printability["volume"] == pytest.approx(
        150.0**3 * BOX_SIZE[0] * BOX_SIZE[2] / BOX_SIZE[1] ** 2, rel=1e-3
    )
    assert converted["model"]["format"] == "stl"
    assert share_of_colour(sheet, BLUE) < 0.01, "an STL carries no texture"


async def test_a_3mf_is_read_back_by_lib3mf_with_its_unit_and_size(
    client: Client, box_glb: Path
) -> None:
    converted, _ = await _convert(
        client, box_glb.as_uri(), format="3mf", size=4, unit="in", along="longest"
    )

    read = three_mf_facts(Path(converted["path"]))
    assert read.unit == "Inch"
    assert read.triangles == 12
    assert _extent(read.points).max() == pytest.approx(4.0, rel=1e-3)
    assert _extent(read.points)[2] == pytest.approx(4.0, rel=1e-3), "3MF is Z up"
    model = converted["model"]
    assert (model["format"], model["units"], model["up_axis"]) == ("3mf", "inches", "+Z")


async def test_a_usdz_for_ar_quick_look_passes_openusds_validators_in_centimetres(
    client: Client,
) -> None:
    source = await _downloaded_glb(client, "a teapot")

    converted, sheet = await _convert(client, source["uri"], preset="ar-quick-look", size=30)

    path = Path(converted["path"])
    assert usd_validation_errors(path) == []
    read = usd_facts(path)
    assert (read.up_axis, read.metres_per_unit) == ("Y", 0.01)
    assert _extent(read.points)[1] == pytest.approx(30.0, rel=1e-3)
    assert read.points[:, 1].min() == pytest.approx(0.0, abs=1e-4)
    assert read.texture_files, "the textures travel inside the package"
    assert converted["model"]["triangle_count"] <= 100_000
    assert (converted["model"]["units"], converted["model"]["up_axis"]) == ("centimetres", "+Y")
    assert sheet[:4] == b"RIFF"


async def test_an_obj_comes_with_its_material_and_texture_and_can_be_turned_z_up(
    client: Client, box_glb: Path
) -> None:
    converted, _ = await _convert(client, str(box_glb), format="obj", up_axis="z", origin="center")

    names = [f["name"] for f in converted["files"]]
    assert names[:3] == ["blue box-obj.obj", "blue box-obj.mtl", "blue box-obj.png"]
    shape = trimesh_of(Path(converted["path"]))
    low, high = shape.bounds
    assert (high - low) == pytest.approx([BOX_SIZE[0], BOX_SIZE[2], BOX_SIZE[1]], rel=1e-3)
    assert (low + high) == pytest.approx([0.0, 0.0, 0.0], abs=1e-5)
    visual = cast(Any, shape.visual)
    rgb = visual.material.image.convert("RGB")
    assert rgb.getpixel((0, 0)) == BLUE


async def test_a_conversion_never_overwrites_and_is_listed_served_and_inspectable(
    client: Client,
) -> None:
    source = await _downloaded_glb(client, "a lamp")
    folder = Path(source["path"]).parent
    taken = folder / "base_basic_pbr-stl.stl"
    taken.write_bytes(b"a file of the user's")

    first, _ = await _convert(client, source["uri"], format="stl")
    second, _ = await _convert(client, source["uri"], format="stl")

    assert taken.read_bytes() == b"a file of the user's"
    assert [Path(first["path"]).name, Path(second["path"]).name] == [
        "base_basic_pbr-stl-2.stl",
        "base_basic_pbr-stl-3.stl",
    ]
    tasks = structured(await client.call_tool("list_tasks", {}))
    assert [c["conversion_id"] for c in tasks["conversions"]] == [
        second["conversion_id"],
        first["conversion_id"],
    ]
    task = first["task_uuid"]
    downloads = structured(await client.call_tool("list_downloads", {"task_uuid": task}))
    assert [c["path"] for c in downloads["conversions"]] == [first["path"], second["path"]]
    served = await client.read_resource(first["uri"])
    assert base64.b64decode(served.contents[0].blob) == Path(first["path"]).read_bytes()  # type: ignore[union-attr]
    inspected = structured(await client.call_tool("inspect_model", {"model": first["uri"]}))
    assert inspected["model"] == first["model"]


async def test_a_local_models_conversion_is_served_under_its_own_uri(
    client: Client, box_glb: Path
) -> None:
    converted, _ = await _convert(client, str(box_glb), format="glb")

    assert converted["uri"].startswith(f"rodin://conversions/{converted['conversion_id']}/")
    served = await client.read_resource(converted["uri"])
    assert base64.b64decode(served.contents[0].blob) == Path(converted["path"]).read_bytes()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"format": "fbx"}, "FBX is not written here"),
        ({"format": "glb", "up_axis": "z"}, "always Y up"),
        ({"format": "usdz", "repair": True}, "stl and 3mf outputs only"),
    ],
)
async def test_an_impossible_conversion_is_refused_with_why_and_writes_nothing(
    client: Client, box_glb: Path, fast_settings: Settings, options: dict[str, Any], words: str
) -> None:
    result = await client.call_tool("convert_model", {"model": str(box_glb), **options})

    assert result.is_error
    assert words in text_of(result)
    assert not (fast_settings.output_dir / "converted").exists()


async def test_a_file_that_is_no_model_or_too_big_gets_a_clear_error(
    fast_settings: Settings, tmp_path: Path, box_glb: Path
) -> None:
    fake = tmp_path / "chair.glb"
    fake.write_bytes(b"glTF" + bytes(200))
    settings = fast_settings.model_copy(update={"convert_max_triangles": 10})

    async with Client(build_server(settings)) as client:
        broken = await client.call_tool("convert_model", {"model": str(fake), "format": "stl"})
        big = await client.call_tool("convert_model", {"model": str(box_glb), "format": "stl"})

    assert broken.is_error
    assert "chair.glb" in text_of(broken)
    assert big.is_error
    assert "12 triangles; models of at most 10 are converted here" in text_of(big)


async def test_converting_needs_no_api_key(tmp_path: Path, box_glb: Path) -> None:
    settings = Settings(output_dir=tmp_path / "out", data_dir=tmp_path / "data")

    async with Client(build_server(settings)) as client:
        converted = structured(
            await client.call_tool("convert_model", {"model": str(box_glb), "preset": "web"})
        )

    assert Path(converted["path"]).is_file()


async def test_an_apps_client_gets_the_viewer_on_a_converted_glb_shown_first(
    fast_settings: Settings,
) -> None:
    from tests.server.test_viewer import apps_capability
    from tests.server.viewer_bundle import require_viewer

    require_viewer()
    server = build_server(fast_settings)
    async with Client(server, extensions=[apps_capability()]) as apps:  # type: ignore[arg-type]
        source = await _downloaded_glb(apps, "a fox")
        converted, _ = await _convert(apps, source["uri"], preset="web")

    viewer = converted["viewer"]
    assert viewer["task_uuid"] == converted["task_uuid"]
    names = [m["name"] for m in viewer["models"]]
    assert names[0] == "base_basic_pbr-web.glb"
    assert "base_basic_pbr.glb" in names


async def test_a_usdz_converts_back_to_a_valid_glb_of_the_same_size_with_its_texture(
    client: Client, box_glb: Path
) -> None:
    usdz, _ = await _convert(client, str(box_glb), format="usdz", unit="cm", origin="bottom")

    back, sheet = await _convert(client, usdz["path"], format="glb")

    path = Path(back["path"])
    report = validate_glbs([path])[path.name]
    assert counts(report)[0] == 0, issue_summary(report)
    low, high = trimesh_of(path).bounds
    assert (high - low) == pytest.approx(BOX_SIZE, rel=1e-3), "centimetres read back as metres"
    assert back["model"]["textures"]
    assert share_of_colour(sheet, BLUE) > 0.1
