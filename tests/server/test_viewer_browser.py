"""The viewer in a real browser: headless Chromium, an MCP Apps host, the real server.

The host page (tests/server/viewer_host) uses ext-apps' own host side of the bridge and runs the
viewer, as read from the server with ``resources/read``, in a sandboxed iframe under the spec's
default CSP. The View's ``resources/read`` requests are forwarded to the server through the MCP
client. The model is generated through the real tools against the embedded emulator, whose
textures take the prompt's colour words: a red mug must show red.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mcp import Client
from mcp.client import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from PIL import Image, ImageChops
from playwright.async_api import Browser, Frame, Page, async_playwright

from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.node_tools import ROOT, node_bin_dir
from tests.server.conftest import structured
from tests.server.viewer_bundle import require_viewer

pytestmark = pytest.mark.anyio

CHROMIUM = Path("/usr/bin/chromium")
VIEWER_URI = "ui://rodin-mcp/viewer.html"
HOST_DIR = Path(__file__).resolve().parent / "viewer_host"
# The MCP Apps spec's CSP for a View that declares no domains (hosts may only tighten it).
DEFAULT_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self' data:; connect-src 'none'"
)
HOST_CONTEXT = {"theme": "light", "containerDimensions": {"height": 420, "maxWidth": 640}}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOAD_TIMEOUT_MS = 90_000
# Where to copy the loaded view's screenshot (docs/images/viewer.png is made this way).
_SCREENSHOT_COPY = os.environ.get("RODIN_TEST_VIEWER_SCREENSHOT")


def host_page(tmp_path: Path) -> str:
    """The host page with its script bundled from the viewer's locked npm packages."""
    bundled = tmp_path / "host.js"
    node = node_bin_dir() / "node"
    assert (ROOT / "viewer/node_modules/esbuild").is_dir(), (
        "viewer/node_modules is missing; run `bash scripts/test.sh` (it runs npm ci in viewer/)"
    )
    subprocess.run(
        [
            str(node),
            str(ROOT / "viewer/build.mjs"),
            "--bundle",
            str(HOST_DIR / "host.js"),
            str(bundled),
        ],
        check=True,
        timeout=120,
    )
    page = (HOST_DIR / "host.html").read_text(encoding="utf-8")
    script = bundled.read_text(encoding="utf-8")
    return page.replace("<!--SCRIPT-->", f'<script type="module">{script}</script>')


@pytest.fixture
async def apps_client(fast_settings: Settings) -> AsyncIterator[Client]:
    require_viewer()
    ui = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
    async with Client(build_server(fast_settings), extensions=[ui]) as connected:  # type: ignore[arg-type]
        yield connected


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing; run `bash scripts/test.sh` (installs it)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def downloads_of_a_new_model(client: Client, prompt: str) -> dict[str, Any]:
    task = structured(await client.call_tool("generate_3d", {"prompt": prompt}))["task_uuid"]
    status = structured(
        await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 30})
    )
    assert status["state"] == "done"
    result = await client.call_tool("list_downloads", {"task_uuid": task})
    structured(result)
    return result.model_dump(by_alias=True, exclude_none=True, mode="json")


async def open_view(page: Page, client: Client, host: str) -> Frame:
    async def read_resource(uri: str) -> dict[str, Any]:
        read = await client.read_resource(uri)
        return read.model_dump(by_alias=True, exclude_none=True, mode="json")

    await page.expose_function("rodinReadResource", read_resource)  # pyright: ignore[reportUnknownMemberType]
    await page.set_content(host)
    ui = (await client.read_resource(VIEWER_URI)).contents[0]
    html = getattr(ui, "text", "")
    await page.evaluate(
        "([html, csp, context]) => window.startView(html, csp, context)",
        [html, DEFAULT_CSP, HOST_CONTEXT],
    )
    iframe = await page.wait_for_selector("#view")
    assert iframe is not None
    frame = await iframe.content_frame()
    assert frame is not None
    return frame


async def viewer_state(frame: Frame) -> dict[str, Any]:
    return await frame.evaluate("() => JSON.parse(JSON.stringify(window.__viewer))")


async def wait_for_renders_after(frame: Frame, renders: int) -> None:
    await frame.wait_for_function(f"() => window.__viewer.renders > {renders}")


async def shot(page: Page) -> Image.Image:
    png = await page.locator("#view").screenshot()
    return Image.open(BytesIO(png)).convert("RGB")


def background_of(image: Image.Image) -> tuple[int, int, int]:
    """The most common colour: the scene's plain background."""
    rgb = np.asarray(image).reshape(-1, 3)
    colours, counts = np.unique(rgb, axis=0, return_counts=True)
    r, g, b = (int(c) for c in colours[int(np.argmax(counts))])
    return (r, g, b)


def share_differing(image: Image.Image, colour: tuple[int, int, int], margin: int = 24) -> float:
    plain = Image.new("RGB", image.size, colour)
    difference = ImageChops.difference(image, plain).convert("L")
    histogram = difference.histogram()
    return sum(histogram[margin:]) / (image.width * image.height)


def share_red(image: Image.Image) -> float:
    rgb = np.asarray(image, dtype=np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    red = (r > 90) & (r > 1.6 * g) & (r > 1.6 * b)
    return float(red.mean())


def share_changed(before: Image.Image, after: Image.Image, margin: int = 24) -> float:
    difference = ImageChops.difference(before, after).convert("L")
    return sum(difference.histogram()[margin:]) / (before.width * before.height)


async def test_the_viewer_shows_a_textured_model_under_the_default_csp_and_its_controls_respond(
    apps_client: Client, browser: Browser, tmp_path: Path
) -> None:
    host = host_page(tmp_path)
    downloads = await downloads_of_a_new_model(apps_client, "a red ceramic mug")
    page = await browser.new_page(viewport={"width": 640, "height": 420})
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    frame = await open_view(page, apps_client, host)

    await page.evaluate(
        "([args, result]) => window.sendToolCall(args, result)",
        [{"task_uuid": downloads["structuredContent"]["task_uuid"]}, downloads],
    )
    await frame.wait_for_function(
        "() => ['loaded', 'error'].includes(window.__viewer.state)", timeout=LOAD_TIMEOUT_MS
    )

    state = await viewer_state(frame)
    assert state["state"] == "loaded", state
    assert state["model"] == "base_basic_pbr.glb"
    assert state["meshes"] >= 1
    assert state["texturesWithImage"] >= 1, "the embedded textures were lost"
    assert all(0 < side < 100 for side in state["size"])  # metres, from the loaded model
    dimensions = await frame.text_content("#dimensions")
    assert dimensions is not None
    assert dimensions.endswith("m (W × H × D)")
    refused = [m for m in console if "Content Security Policy" in m or "Couldn't load" in m]
    assert refused == []

    loaded = await shot(page)
    loaded.save(tmp_path / "viewer.png")
    if _SCREENSHOT_COPY:
        shutil.copyfile(tmp_path / "viewer.png", _SCREENSHOT_COPY)
    background = background_of(loaded)
    assert share_differing(loaded, background) > 0.05, "the model is not visible"
    assert share_red(loaded) > 0.01, "no red texture colour on screen"

    renders = state["renders"]
    await frame.click("#wireframe")
    await frame.wait_for_function("() => window.__viewer.wireframe === true")
    await wait_for_renders_after(frame, renders)
    wireframe = await shot(page)
    assert share_changed(loaded, wireframe) > 0.02, "the wireframe toggle changed nothing"

    await frame.click("#wireframe")
    await frame.wait_for_function("() => window.__viewer.wireframe === false")
    renders = (await viewer_state(frame))["renders"]
    box = await page.locator("#view").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 160, y + 40, steps=8)
    await page.mouse.up()
    await wait_for_renders_after(frame, renders)
    orbited = await shot(page)
    assert share_changed(loaded, orbited) > 0.02, "dragging did not orbit the view"


async def test_the_viewer_switches_models_offers_the_full_file_and_reports_failures(
    apps_client: Client, browser: Browser, tmp_path: Path
) -> None:
    host = host_page(tmp_path)
    downloads = await downloads_of_a_new_model(apps_client, "a blue vase")
    model = downloads["structuredContent"]["viewer"]["models"][0]
    task = downloads["structuredContent"]["task_uuid"]
    missing = f"rodin://tasks/{task}/files/missing.glb"
    # As a lightweight-copy producer will list them: a light copy at uri, the full file apart.
    light = {**model, "full_uri": missing, "full_size": model["size"] * 10}
    other = {**model, "name": "second.glb"}
    downloads["structuredContent"]["viewer"]["models"] = [light, other]
    page = await browser.new_page(viewport={"width": 640, "height": 420})
    frame = await open_view(page, apps_client, host)

    await page.evaluate(
        "([args, result]) => window.sendToolCall(args, result)",
        [{"task_uuid": task}, downloads],
    )
    await frame.wait_for_function(
        "() => window.__viewer.state === 'loaded'", timeout=LOAD_TIMEOUT_MS
    )
    assert (await viewer_state(frame))["model"] == model["name"]
    assert await frame.is_visible("#model")
    assert await frame.is_visible("#full")

    await frame.select_option("#model", index=1)
    await frame.wait_for_function(
        "() => window.__viewer.state === 'loaded' && window.__viewer.model === 'second.glb'",
        timeout=LOAD_TIMEOUT_MS,
    )

    await frame.select_option("#model", index=0)
    await frame.wait_for_function(
        "() => window.__viewer.state === 'loaded' && window.__viewer.model !== 'second.glb'",
        timeout=LOAD_TIMEOUT_MS,
    )
    await frame.click("#full")
    await frame.wait_for_function(
        "() => window.__viewer.state === 'error'", timeout=LOAD_TIMEOUT_MS
    )
    message = await frame.text_content("#status")
    assert message is not None
    assert message.startswith(f"Could not show {model['name']}")
    assert await frame.is_visible("#status")
