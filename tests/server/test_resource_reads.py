"""Reading downloaded files as MCP resources: only the recorded file, checked, in bounded memory.

Through `mcp.Client(server)` against the emulator: a file is served only while it is the regular
file recorded in the ledger with its size and SHA-256; a symbolic link or another file put in its
place, or changed bytes, are refused with advice, and list_downloads heals them.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from pydantic import SecretStr

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.server import build_server
from rodin_mcp.settings import Settings
from tests.server.conftest import FAST_POLLING, structured

pytestmark = pytest.mark.anyio


async def _downloaded_model(client: Client) -> dict[str, Any]:
    task = structured(await client.call_tool("generate_3d", {"prompt": "a teapot"}))["task_uuid"]
    await client.call_tool("check_status", {"task_uuid": task, "wait_seconds": 20})
    downloads = structured(await client.call_tool("list_downloads", {"task_uuid": task}))
    model = next(f for f in downloads["files"] if f["name"].endswith(".glb"))
    return {**model, "task_uuid": task}


async def _read_bytes(client: Client, uri: str) -> bytes:
    blob = getattr((await client.read_resource(uri)).contents[0], "blob", None)
    assert blob is not None
    return base64.b64decode(blob)


async def _refusal(client: Client, uri: str) -> str:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the SDK's error type is the point
        await client.read_resource(uri)
    return str(raised.value)


def _symlink_or_skip(target: Path, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError) as exc:  # Windows without the privilege
        pytest.skip(f"symbolic links cannot be made here: {exc}")


async def test_a_symbolic_link_swapped_in_for_a_file_is_refused_even_to_identical_bytes(
    client: Client, tmp_path: Path
) -> None:
    model = await _downloaded_model(client)
    path = Path(model["path"])
    assert hashlib.sha256(await _read_bytes(client, model["uri"])).hexdigest() == model["sha256"]
    elsewhere = tmp_path / "elsewhere.glb"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    _symlink_or_skip(elsewhere, path)

    refused = await _refusal(client, model["uri"])

    assert "symbolic link" in refused
    assert "list_downloads" in refused


async def test_a_file_whose_bytes_changed_on_disk_is_refused_until_list_downloads_heals_it(
    client: Client,
) -> None:
    model = await _downloaded_model(client)
    path = Path(model["path"])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))  # same size, other bytes

    refused = await _refusal(client, model["uri"])
    assert "SHA-256" in refused
    assert "list_downloads" in refused

    await client.call_tool("list_downloads", {"task_uuid": model["task_uuid"]})
    assert hashlib.sha256(await _read_bytes(client, model["uri"])).hexdigest() == model["sha256"]


async def test_another_file_renamed_into_place_is_refused(client: Client, tmp_path: Path) -> None:
    model = await _downloaded_model(client)
    path = Path(model["path"])
    other = tmp_path / "other.glb"
    other.write_bytes(b"x" * model["size"])
    os.replace(other, path)

    assert "SHA-256" in await _refusal(client, model["uri"])


async def test_a_file_over_the_resource_limit_is_refused_with_where_else_to_get_it(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    settings = Settings(
        api_key=SecretStr(sentinel_api_key),
        base_url=emulator.base_url,
        output_dir=tmp_path / "output",
        data_dir=tmp_path / "data",
        max_resource_bytes=1024,
        **FAST_POLLING,
    )
    async with Client(build_server(settings)) as client:
        model = await _downloaded_model(client)
        assert model["size"] > 1024
        refused = await _refusal(client, model["uri"])
    assert f"{model['size']:,} bytes" in refused
    assert "RODIN_MAX_RESOURCE_BYTES" in refused
    assert "download_url" in refused
