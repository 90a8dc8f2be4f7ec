"""The MCP Apps viewer, through the MCP Client: offered to Apps clients only.

An Apps client declares ``capabilities.extensions["io.modelcontextprotocol/ui"]`` with the
``text/html;profile=mcp-app`` MIME type; a plain client declares nothing and must see the server
exactly as it is without the viewer. Both protocol eras (``protocol_mode``).
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.shared.exceptions import MCPError

from rodin_mcp.server import build_server
from rodin_mcp.service.viewer_copies import COPY_TEXTURE_PX, COPY_TRIANGLES
from rodin_mcp.settings import Settings
from tests.server.conftest import structured
from tests.server.viewer_bundle import require_viewer

pytestmark = pytest.mark.anyio

VIEWER_URI = "ui://rodin-mcp/viewer.html"
DOWNLOADS_FIELDS = {
    "task_uuid",
    "state",
    "output_dir",
    "files",
    "downloaded",
    "preview_path",
    "contact_sheet_path",
    "model",
    "sandbox",
    "next_step",
    "conversions",
}


def apps_capability() -> Any:
    return advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


@pytest.fixture
async def apps_client(fast_settings: Settings, protocol_mode: str) -> AsyncIterator[Client]:
    require_viewer()
    server = build_server(fast_settings)
    async with Client(server, mode=protocol_mode, extensions=[apps_capability()]) as connected:  # type: ignore[arg-type]
        yield connected


@pytest.fixture
async def plain_client(fast_settings: Settings, protocol_mode: str) -> AsyncIterator[Client]:
    require_viewer()  # without the bundle there is nothing to hide, and nothing to test
    async with Client(build_server(fast_settings), mode=protocol_mode) as connected:  # type: ignore[arg-type]
        yield connected


async def finished_downloads(client: Client, prompt: str, **options: Any) -> dict[str, Any]:
    arguments = {"prompt": prompt, **options}
    task = structured(await client.call_tool("generate_3d", arguments))["task_uuid"]
    status = structured(
        await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    )
    assert status["state"] == "done"
    return structured(await client.call_tool("list_downloads", {"task_uuid": task}))


async def test_an_apps_client_can_read_the_viewer_as_an_mcp_app_document(
    apps_client: Client,
) -> None:
    listed = {str(r.uri): r for r in (await apps_client.list_resources()).resources}
    assert listed[VIEWER_URI].mime_type == APP_MIME_TYPE
    assert listed[VIEWER_URI].meta == {"ui": {"prefersBorder": True}}

    read = await apps_client.read_resource(VIEWER_URI)
    content = read.contents[0]
    assert content.mime_type == APP_MIME_TYPE
    html = getattr(content, "text", "")
    assert html.startswith("<!doctype html>")
    assert '<script type="module">' in html
    assert "<script src" not in html  # self-contained: nothing for the host's CSP to refuse


async def test_an_apps_client_sees_the_downloads_tool_linked_to_the_viewer(
    apps_client: Client, protocol_mode: str
) -> None:
    if protocol_mode == "auto":  # 2026-07-28 discovery states the server's extensions
        assert EXTENSION_ID in (apps_client.server_capabilities.extensions or {})
    tools = {t.name: t for t in (await apps_client.list_tools()).tools}
    assert tools["list_downloads"].meta == {"ui": {"resourceUri": VIEWER_URI}}
    assert tools["inspect_model"].meta == {"ui": {"resourceUri": VIEWER_URI}}
    linked = {name for name, tool in tools.items() if tool.meta and "ui" in tool.meta}
    assert linked == {"list_downloads", "inspect_model", "convert_model"}


async def test_an_apps_client_gets_the_task_models_with_their_resource_uris(
    apps_client: Client,
) -> None:
    downloads = await finished_downloads(apps_client, "a red ceramic mug")

    viewer = downloads["viewer"]
    glb = next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")
    assert viewer == {
        "task_uuid": downloads["task_uuid"],
        "models": [
            {
                "name": "base_basic_pbr.glb",
                "uri": glb["uri"],
                "full_uri": glb["uri"],
                "size": glb["size"],
                "full_size": glb["size"],
            }
        ],
    }
    read = await apps_client.read_resource(viewer["models"][0]["uri"])
    blob = getattr(read.contents[0], "blob", "")
    assert len(base64.b64decode(blob)) == viewer["models"][0]["size"]


async def test_a_plain_client_sees_no_viewer_resource_link_or_field(
    plain_client: Client,
) -> None:
    assert EXTENSION_ID not in (plain_client.server_capabilities.extensions or {})
    tools = (await plain_client.list_tools()).tools
    assert [t.name for t in tools if t.meta and "ui" in t.meta] == []
    resources = (await plain_client.list_resources()).resources
    assert [str(r.uri) for r in resources if str(r.uri).startswith("ui://")] == []
    with pytest.raises(MCPError, match="Unknown resource"):
        await plain_client.read_resource(VIEWER_URI)

    templates = (await plain_client.list_resource_templates()).resource_templates
    assert all("/views/" not in t.uri_template for t in templates)

    downloads = await finished_downloads(plain_client, "a red ceramic mug")
    assert set(downloads) == DOWNLOADS_FIELDS
    glb = next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")
    inspected = structured(await plain_client.call_tool("inspect_model", {"model": glb["uri"]}))
    assert "viewer" not in inspected
    view = glb["uri"].replace("/files/", "/views/")
    with pytest.raises(MCPError, match="Unknown resource"):
        await plain_client.read_resource(view)


async def test_a_large_model_reaches_the_viewer_as_a_lightweight_copy(
    apps_client: Client, tmp_path: Path
) -> None:
    downloads = await finished_downloads(apps_client, "a red ceramic mug", quality_override=200_000)

    [model] = downloads["viewer"]["models"]
    glb = next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")
    assert model["full_uri"] == glb["uri"]
    assert model["full_size"] == glb["size"]
    assert model["uri"] == glb["uri"].replace("/files/", "/views/")
    assert model["size"] < glb["size"] / 2
    read = await apps_client.read_resource(model["uri"])
    copy = tmp_path / "copy.glb"
    copy.write_bytes(base64.b64decode(getattr(read.contents[0], "blob", "")))
    assert copy.stat().st_size == model["size"]
    full = structured(await apps_client.call_tool("inspect_model", {"model": glb["uri"]}))
    light = structured(await apps_client.call_tool("inspect_model", {"model": str(copy)}))
    assert full["model"]["triangle_count"] > 300_000
    assert light["model"]["triangle_count"] <= COPY_TRIANGLES
    full_box, light_box = full["model"]["bounding_box"], light["model"]["bounding_box"]
    assert light_box["size"] == pytest.approx(full_box["size"], rel=0.02)
    assert [t["width"] for t in light["model"]["textures"]] == [
        min(t["width"], COPY_TEXTURE_PX) for t in full["model"]["textures"]
    ]


async def test_inspecting_a_downloaded_model_offers_the_viewer_with_that_model_first(
    apps_client: Client,
) -> None:
    downloads = await finished_downloads(apps_client, "a red ceramic mug")
    glb = next(f for f in downloads["files"] if f["name"] == "base_basic_pbr.glb")

    inspected = structured(await apps_client.call_tool("inspect_model", {"model": glb["uri"]}))

    assert inspected["viewer"] == downloads["viewer"]
    assert inspected["viewer"]["models"][0]["name"] == "base_basic_pbr.glb"
