"""Images in data: URIs over Streamable HTTP, at the transport's real limit on one request.

A real `rodin-mcp serve --http` subprocess against the emulator: an image just under the limit
the descriptions state reaches Rodin byte for byte; one just over it is refused at once with a
JSON-RPC error that says why and what to do, and the session goes on.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from rodin_mcp.emulator import RunningEmulator
from rodin_mcp.server.request_size import DATA_URI_IMAGE_BYTES, MAX_REQUEST_BYTES
from tests.server.conftest import structured
from tests.server.http_server import people_server

pytestmark = pytest.mark.anyio

TOKEN = "size-token-0123456789abcdef"
_SMALL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def _png_of_size(size: int) -> bytes:
    """A valid PNG of exactly ``size`` bytes: a 1x1 image padded by a private ancillary chunk
    (which decoders skip)."""
    end = _SMALL_PNG.rindex(b"IEND") - 4
    padding = size - len(_SMALL_PNG) - 12
    chunk_type = b"ruSt"
    data = bytes(padding)
    crc = struct.pack(">I", zlib.crc32(chunk_type + data) & 0xFFFFFFFF)
    png = _SMALL_PNG[:end] + struct.pack(">I", padding) + chunk_type + data + crc + _SMALL_PNG[end:]
    assert len(png) == size
    return png


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


async def test_a_data_uri_just_under_the_stated_limit_works_and_one_over_is_refused_in_words(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    under = _png_of_size(DATA_URI_IMAGE_BYTES - 16 * 1024)
    over = _png_of_size(DATA_URI_IMAGE_BYTES + 16 * 1024)
    assert len(_data_uri(under)) < MAX_REQUEST_BYTES < len(_data_uri(over))
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKEN) as served:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(f"{served.url}/mcp", http_client=http)) as client,
        ):
            tools = {t.name: t for t in (await client.list_tools()).tools}
            described = tools["generate_3d"].input_schema["properties"]["images"]["description"]
            assert "at most 4 MiB" in described
            assert "under about 3 MiB" in described

            made = structured(await client.call_tool("generate_3d", {"images": [_data_uri(under)]}))
            sent = [
                p.sha256 for r in emulator.requests if r.endpoint == "rodin" for p in r.file_parts
            ]
            assert sent == [hashlib.sha256(under).hexdigest()]

            with pytest.raises(MCPError) as raised:
                await client.call_tool("generate_3d", {"images": [_data_uri(over)]})
            assert "larger than the 4 MiB" in str(raised.value)
            assert "create_upload" in str(raised.value)

            assert (
                structured(await client.call_tool("list_tasks", {}))["tasks"][0]["task_uuid"]
                == made["task_uuid"]
            )
    assert sum(1 for r in emulator.requests if r.endpoint == "rodin") == 1
