"""A reference to a file on another computer, through the MCP client.

On Windows, merely looking such a path up makes the system sign in to that computer with the
user's account, so inspect_model (free, read-only), generate_3d and generate_texture refuse it
from its text: the watch (tests/file_system_watch.py) sees no file-system call naming the host,
nothing reaches Rodin and nothing is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from PIL import Image

from rodin_mcp.emulator import RunningEmulator
from tests.emulator.models import glb_model
from tests.file_system_watch import file_system_calls
from tests.server.conftest import structured, text_of

pytestmark = pytest.mark.anyio

HOST = "rodin-unreachable-host"
FORMS = [
    rf"\\{HOST}\share\{{name}}",
    rf"\\?\UNC\{HOST}\share\{{name}}",
    f"//{HOST}/share/{{name}}",
    f"file://{HOST}/share/{{name}}",
    f"file:////{HOST}/share/{{name}}",
]


def _local_files(tmp_path: Path) -> tuple[str, str]:
    model = tmp_path / "mug.glb"
    model.write_bytes(glb_model())
    image = tmp_path / "wood.png"
    Image.new("RGB", (64, 64), (150, 90, 40)).save(image)
    return str(model), str(image)


async def _refused_unseen(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    with file_system_calls(HOST) as calls:
        result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    assert calls == [], calls
    return text_of(result)


async def _nothing_recorded_or_sent(client: Client, emulator: RunningEmulator) -> None:
    assert emulator.requests == []
    assert structured(await client.call_tool("list_tasks", {}))["tasks"] == []


@pytest.mark.parametrize("form", FORMS)
async def test_inspect_model_refuses_a_model_on_another_computer_unlooked(
    client: Client, emulator: RunningEmulator, form: str
) -> None:
    text = await _refused_unseen(client, "inspect_model", {"model": form.format(name="x.glb")})

    assert "is on another computer" in text
    assert rf"\\{HOST}\share" in text
    assert "absolute path on this computer" in text
    await _nothing_recorded_or_sent(client, emulator)


@pytest.mark.parametrize("form", FORMS)
async def test_generate_3d_refuses_an_image_on_another_computer_unlooked(
    client: Client, emulator: RunningEmulator, tmp_path: Path, form: str
) -> None:
    _, local_image = _local_files(tmp_path)
    images = [local_image, form.format(name="chair.png")]

    text = await _refused_unseen(client, "generate_3d", {"prompt": "a chair", "images": images})

    assert "is on another computer" in text
    assert "an http(s) URL or a data: URI" in text
    await _nothing_recorded_or_sent(client, emulator)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("remote", ["model", "image"])
async def test_generate_texture_refuses_a_model_or_image_on_another_computer_unlooked(
    client: Client, emulator: RunningEmulator, tmp_path: Path, form: str, remote: str
) -> None:
    model, image = _local_files(tmp_path)
    arguments = {"model": model, "image": image, "prompt": "oak"}
    arguments[remote] = form.format(name="mug.glb" if remote == "model" else "wood.png")

    text = await _refused_unseen(client, "generate_texture", arguments)

    assert "is on another computer" in text
    await _nothing_recorded_or_sent(client, emulator)
