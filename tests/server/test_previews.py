"""Previews rendered here, through the MCP client: the contact sheet list_downloads and
inspect_model return, its fallback to Rodin's preview, and rendering off the event loop."""

from __future__ import annotations

import base64
import colorsys
import io
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import numpy as np
import pytest
from mcp import Client
from mcp.types import CallToolResult, ImageContent
from PIL import Image

from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.emulator.formats.stl import write_stl
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.model.meshes import grid, pbr_material
from tests.model.test_inspection import box_mesh
from tests.server.conftest import structured

pytestmark = pytest.mark.anyio

SHEET_BUDGET_BYTES = 300 * 1024


def _images(result: CallToolResult) -> list[ImageContent]:
    return [block for block in result.content if isinstance(block, ImageContent)]


def _picture(block: ImageContent) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(block.data)))
    image.load()
    return image.convert("RGB")


def _share_of_hue(image: Image.Image, low: float, high: float) -> float:
    """Share of clearly coloured pixels whose hue (0-1) lies in [low, high)."""
    pixels = np.asarray(image, dtype=np.float64).reshape(-1, 3) / 255.0
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in pixels[::7]])
    vivid = hsv[(hsv[:, 1] > 0.45) & (hsv[:, 2] > 0.25)]
    if len(vivid) == 0:
        return 0.0
    hue = vivid[:, 0]
    return float(np.mean((hue >= low) & (hue < high)))


async def _downloaded(client: Client, prompt: str) -> CallToolResult:
    task = structured(await client.call_tool("generate_3d", {"prompt": prompt, "seed": 11}))[
        "task_uuid"
    ]
    await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    return await client.call_tool("list_downloads", {"task_uuid": task})


async def test_list_downloads_returns_the_contact_sheet_of_the_textured_model(
    client: Client,
) -> None:
    result = await _downloaded(client, "a red ceramic mug")
    downloads = structured(result)

    sheet_path = Path(downloads["contact_sheet_path"])
    assert sheet_path.parent == Path(downloads["output_dir"])
    [block] = _images(result)
    assert block.mime_type == "image/webp"
    assert base64.b64decode(block.data) == sheet_path.read_bytes()
    assert sheet_path.stat().st_size < SHEET_BUDGET_BYTES
    picture = _picture(block)
    assert picture.width >= 2 * 480
    assert picture.height >= 480
    assert np.asarray(picture).std() > 10  # not blank
    # Red (hue near 0 or 1) dominates the vivid pixels of a red mug.
    assert _share_of_hue(picture, 0.0, 0.06) + _share_of_hue(picture, 0.94, 1.01) > 0.6


async def test_the_sheet_shows_each_models_own_colour(client: Client) -> None:
    blue = _picture(_images(await _downloaded(client, "a blue ceramic mug"))[0])

    assert _share_of_hue(blue, 0.5, 0.75) > 0.6
    assert _share_of_hue(blue, 0.0, 0.06) < 0.1


async def test_without_local_previews_rodins_own_preview_is_returned(
    fast_settings: Settings,
) -> None:
    settings = fast_settings.model_copy(update={"preview_seconds": 0.0})
    async with Client(build_server(settings)) as client:
        result = await _downloaded(client, "a red ceramic mug")

    downloads = structured(result)
    assert downloads["contact_sheet_path"] is None
    [block] = _images(result)
    rodin_preview = Path(downloads["preview_path"]).read_bytes()
    assert base64.b64decode(block.data) == rodin_preview


async def test_inspect_model_returns_a_picture_of_a_glb_unless_asked_not_to(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "box.glb"
    path.write_bytes(write_glb(box_mesh()))

    with_picture = await client.call_tool("inspect_model", {"model": str(path)})
    without = await client.call_tool("inspect_model", {"model": str(path), "preview": False})

    [block] = _images(with_picture)
    assert np.asarray(_picture(block)).std() > 10
    assert _images(without) == []
    assert structured(with_picture) == structured(without)


async def test_a_format_that_is_not_rendered_gets_facts_without_a_picture(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "box.stl"
    path.write_bytes(write_stl(box_mesh(textured=False)))

    result = await client.call_tool("inspect_model", {"model": str(path)})

    assert structured(result)["model"]["triangle_count"] == 12
    assert _images(result) == []


async def test_rendering_a_large_model_does_not_hold_up_other_tool_calls(
    client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "large.glb"
    path.write_bytes(write_glb(grid(600, 400, pbr_material(), quads=False)))
    finished: list[str] = []

    async def inspect() -> None:
        await client.call_tool("inspect_model", {"model": str(path)})
        finished.append("inspect_model")

    async def list_tasks() -> None:
        for _ in range(20):  # let the inspection's request go out first (no clock involved)
            await anyio.lowlevel.checkpoint()
        result: Any = await client.call_tool("list_tasks", {})
        assert not result.is_error
        finished.append("list_tasks")

    async with anyio.create_task_group() as group:
        group.start_soon(inspect)
        group.start_soon(list_tasks)

    assert finished == ["list_tasks", "inspect_model"]
