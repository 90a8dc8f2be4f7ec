"""Uploads in and download links out, for people who are not on the server's machine.

A real `rodin-mcp serve --http` subprocess with two named tokens (Alice and Bob), against the
emulator. Files are sent with `curl -T` when curl is installed (else an httpx2 PUT, streamed),
exactly as an agent's shell would, with no credential but the link.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from PIL import Image

from rodin_mcp.emulator import RunningEmulator
from tests.emulator.models import glb_model
from tests.server.conftest import structured, text_of
from tests.server.http_server import ServedHttp, people_server

pytestmark = pytest.mark.anyio

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef"
TOKENS = f"alice:{ALICE},bob:{BOB}"
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4"
    "z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


@asynccontextmanager
async def _as(served: ServedHttp, token: str) -> AsyncGenerator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{served.url}/mcp", http_client=http)) as client,
    ):
        yield client


def _put(path: Path, url: str) -> tuple[int, dict[str, Any]]:
    """Send ``path`` to ``url`` as an agent's shell would: `curl -T`, else an httpx2 PUT."""
    if shutil.which("curl") is not None:
        done = subprocess.run(
            ["curl", "-sS", "-T", str(path), url, "-w", "\n%{http_code}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        body, _, status = done.stdout.rpartition("\n")
        return int(status), json.loads(body)
    with path.open("rb") as file:
        response = httpx2.put(url, content=file, timeout=60)
    return response.status_code, response.json()


def _raw_post_status(base: str, path: str) -> int:
    """The status a POST of ``path`` gets, sent as written (HTTP clients fold dot segments)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\nConnection: close\r\n\r\n{}".encode()
        )
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


def _expiry(url: str) -> int:
    found = re.search(r"expires=(\d+)", url)
    assert found is not None
    return int(found.group(1))


def _links(downloads: dict[str, Any]) -> list[str]:
    return [str(f["download_url"]) for f in downloads["files"]]


def _neutral(text: str) -> str:
    return re.sub(r"upload://[A-Za-z0-9_-]+", "upload://<id>", text)


async def _refusal(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    return text_of(result)


def _png(path: Path) -> Path:
    Image.new("RGB", (64, 48), (200, 120, 40)).save(path)
    return path


def _sent_images(emulator: RunningEmulator) -> list[str]:
    return [p.sha256 for r in emulator.requests if r.endpoint == "rodin" for p in r.file_parts]


async def test_an_image_sent_with_curl_reaches_rodin_byte_for_byte_once_and_for_its_maker_only(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    image = _png(tmp_path / "chair.png")
    sha256 = hashlib.sha256(image.read_bytes()).hexdigest()
    unknown = {"images": [f"upload://{secrets.token_urlsafe(24)}"]}
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKENS) as served:
        async with _as(served, ALICE) as alice, _as(served, BOB) as bob:
            assert "create_upload" in {t.name for t in (await alice.list_tools()).tools}
            link = structured(
                await alice.call_tool("create_upload", {"kind": "image", "name": "chair.png"})
            )
            mine = {"images": [link["uri"]]}
            assert "not received its file yet" in await _refusal(alice, "generate_3d", mine)

            status, received = _put(image, link["upload_url"])
            assert status == 201, received
            assert (received["uri"], received["sha256"]) == (link["uri"], sha256)
            status, again = _put(image, link["upload_url"])
            assert status == 409, again

            theirs = await _refusal(bob, "generate_3d", mine)
            assert _neutral(theirs) == _neutral(await _refusal(bob, "generate_3d", unknown))

            made = structured(await alice.call_tool("generate_3d", mine))
            assert _sent_images(emulator) == [sha256]
            used = await _refusal(alice, "generate_3d", {**mine, "seed": 7})
            assert "already used" in used
            assert "create_upload" in used
        assert made["task_uuid"]
        assert list((tmp_path / "data" / "uploads").iterdir()) == []
    signature = re.search(r"signature=([^&]+)", link["upload_url"])
    assert signature is not None
    assert signature.group(1) not in served.stderr
    assert ALICE not in served.stderr


async def test_a_model_upload_is_inspected_or_textured_once_and_only_as_a_model(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    model = tmp_path / "mug.glb"
    model.write_bytes(glb_model())
    sha256 = hashlib.sha256(model.read_bytes()).hexdigest()
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKENS) as served:
        async with _as(served, ALICE) as alice:

            async def uploaded(kind: str, path: Path) -> str:
                link = structured(await alice.call_tool("create_upload", {"kind": kind}))
                assert _put(path, link["upload_url"])[0] == 201
                return str(link["uri"])

            first = await uploaded("model", model)
            result = await alice.call_tool("inspect_model", {"model": first})
            inspected = structured(result)
            assert [block.type for block in result.content] == ["text", "image"]  # the sheet
            assert inspected["model"]["format"] == "glb"
            assert inspected["model"]["path"] == first
            assert "already used" in await _refusal(alice, "inspect_model", {"model": first})

            second = await uploaded("model", model)
            textured = {"model": second, "image": PNG}
            structured(await alice.call_tool("generate_texture", textured))
            sent = [p for r in emulator.requests for p in r.file_parts if p.name == "model"]
            assert [p.sha256 for p in sent] == [sha256]

            image = await uploaded("image", _png(tmp_path / "look.png"))
            wrong = await _refusal(alice, "generate_texture", {"model": image, "image": PNG})
            assert "made for an image" in wrong
            assert "create_upload" in wrong


async def test_a_model_upload_is_converted_once_into_the_converted_folder_under_its_name(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    model = tmp_path / "sent.glb"
    model.write_bytes(glb_model())
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKENS) as served:
        async with _as(served, ALICE) as alice:
            link = structured(
                await alice.call_tool("create_upload", {"kind": "model", "name": "mug.glb"})
            )
            assert _put(model, link["upload_url"])[0] == 201
            asked = {"model": link["uri"], "format": "stl"}

            converted = structured(await alice.call_tool("convert_model", asked))

            path = Path(converted["path"])
            assert path.parent.name == "converted"
            assert path.name.startswith("mug-")
            assert path.suffix == ".stl"
            assert converted["source"] == link["uri"]
            triangles = converted["model"]["triangle_count"]
            assert triangles > 0
            assert path.stat().st_size == 84 + 50 * triangles
            assert "already used" in await _refusal(alice, "convert_model", asked)
            async with _as(served, BOB) as bob:
                assert "no upload" in await _refusal(bob, "convert_model", asked)
    assert not [p for p in (tmp_path / "data" / "uploads").glob("*") if p.is_file()]


async def test_an_upload_link_takes_no_bytes_over_its_limit_nor_after_tampering(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 2048)
    env = {"RODIN_MAX_IMAGE_BYTES": "1024"}
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKENS, env) as served:
        async with _as(served, ALICE) as alice:
            refused = await _refusal(alice, "create_upload", {"kind": "image", "size": 4096})
            assert "1,024-byte limit" in refused
            link = structured(await alice.call_tool("create_upload", {"kind": "image"}))
        url = link["upload_url"]
        status, answer = _put(big, url)
        assert (status, answer["error"]) == (413, "too_large")
        altered = re.sub(r"signature=.", "signature=A", url)
        if altered == url:
            altered = re.sub(r"signature=.", "signature=B", url)
        status, answer = _put(_png(tmp_path / "small.png"), altered)
        assert (status, answer["error"]) == (403, "invalid_link")
        later = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 3600}", url)
        assert _put(tmp_path / "small.png", later)[0] == 403
        status, answer = _put(tmp_path / "small.png", url)  # still waiting for its file
        assert status == 201, answer


async def test_a_download_link_serves_the_recorded_file_without_a_token_and_nothing_else(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKENS) as served:
        async with _as(served, ALICE) as alice:
            task = structured(await alice.call_tool("generate_3d", {"prompt": "a lamp"}))
            wait = {"task_uuid": task["task_uuid"], "wait_seconds": 20}
            await alice.call_tool("check_status", wait)
            downloads = structured(
                await alice.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})
            )
        model = next(f for f in downloads["files"] if f["name"].endswith(".glb"))
        url = model["download_url"]
        assert url.startswith(f"{served.url}/links/files/")
        async with httpx2.AsyncClient(timeout=60) as browser:  # no token at all
            fetched = await browser.get(url)
            assert fetched.status_code == 200
            assert fetched.headers["content-type"] == model["mime_type"]
            assert int(fetched.headers["content-length"]) == model["size"]
            assert hashlib.sha256(fetched.content).hexdigest() == model["sha256"]
            assert "attachment" in fetched.headers["content-disposition"]

            other = next(f for f in downloads["files"] if f["name"] != model["name"])
            swapped = url.replace(model["name"], other["name"])
            assert (await browser.get(swapped)).status_code == 403
            tampered = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 1}", url)
            refused = await browser.get(tampered)
            assert (refused.status_code, refused.json()["error"]) == (403, "invalid_link")
            assert "signature=" not in refused.text

            for around in ("/links/../mcp", "/links/%2E%2E/mcp", "/links/mcp"):
                assert _raw_post_status(served.url, around) == 404, around
            assert _raw_post_status(served.url, "/mcp") == 401

            path = Path(model["path"])
            data = bytearray(path.read_bytes())
            data[-1] ^= 0xFF
            path.write_bytes(bytes(data))
            changed = await browser.get(url)
            assert (changed.status_code, changed.json()["error"]) == (409, "changed")
            assert "list_downloads" in changed.json()["message"]


async def test_expired_upload_and_download_links_are_refused_as_expired(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    env = {"RODIN_UPLOAD_SECONDS": "1", "RODIN_DOWNLOAD_LINK_SECONDS": "1"}
    image = _png(tmp_path / "chair.png")
    with people_server(tmp_path, emulator.base_url, sentinel_api_key, TOKENS, env) as served:
        async with _as(served, ALICE) as alice:
            task = structured(await alice.call_tool("generate_3d", {"prompt": "a vase"}))
            wait = {"task_uuid": task["task_uuid"], "wait_seconds": 20}
            await alice.call_tool("check_status", wait)
            link = structured(await alice.call_tool("create_upload", {"kind": "image"}))
            downloads = structured(
                await alice.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})
            )
            latest = max(_expiry(url) for url in [link["upload_url"], *_links(downloads)])
            while time.time() <= latest:  # a test of time: let the links expire
                time.sleep(0.1)

            status, answer = _put(image, link["upload_url"])
            assert (status, answer["error"]) == (410, "expired")
            late = await _refusal(alice, "generate_3d", {"images": [link["uri"]]})
            assert "expired" in late
            async with httpx2.AsyncClient(timeout=60) as browser:
                fetched = await browser.get(downloads["files"][0]["download_url"])
            assert (fetched.status_code, fetched.json()["error"]) == (410, "expired")
            assert "expired" in fetched.json()["message"]
