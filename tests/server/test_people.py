"""Several people on one HTTP server: each sees, spends and reads only their own.

A real `rodin-mcp serve --http` subprocess with two named tokens, against the emulator. Bob is
given Alice's task id and her files' URIs (as if she had pasted them somewhere) and gets exactly
the answers an unknown id gets, and nothing paid leaves the server; the same after a restart.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from rodin_mcp.emulator import RunningEmulator
from tests.server.conftest import structured, text_of
from tests.server.http_server import free_port, serve, wait_until_listening

pytestmark = pytest.mark.anyio

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef"
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4"
    "z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
PAID = ("rodin", "rodin_texture_only", "bang")


@contextmanager
def _server(tmp_path: Path, emulator: RunningEmulator, key: str, **extra: str) -> Generator[str]:
    port = free_port()
    env = {
        **extra,
        "RODIN_BASE_URL": emulator.base_url,
        "RODIN_API_KEY": key,
        "RODIN_HTTP_TOKEN": f"alice:{ALICE},bob:{BOB}",
        "RODIN_POLL_INITIAL": "0.05",
        "RODIN_POLL_MAX": "0.2",
        "RODIN_CONFIRM_SPEND": "never",
    }
    process = serve(tmp_path, "--port", str(port), env=env)
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.communicate(timeout=30)


@asynccontextmanager
async def _as(url: str, token: str) -> AsyncGenerator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


async def _answer(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    """A refused call's text, with ids made neutral, so two refusals can be compared."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    return re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text_of(result)
    )


async def _read_error(client: Client, uri: str) -> str:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the SDK's error type is the point
        await client.read_resource(uri)
    return re.sub(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", str(raised.value)
    )


def _filled(arguments: dict[str, str], task: str, uri: str) -> dict[str, Any]:
    return {k: v.format(task=task, uri=uri) for k, v in arguments.items()}


def _paid(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.requests if r.endpoint in PAID)


async def _bob_sees_nothing_of(
    url: str, emulator: RunningEmulator, alice_task: str, file_uri: str
) -> None:
    unknown = str(uuid.uuid4())
    unknown_uri = file_uri.replace(alice_task, unknown)
    paid = _paid(emulator)
    async with _as(url, BOB) as bob:
        listed = structured(await bob.call_tool("list_tasks", {}))
        assert alice_task not in str(listed)
        for tool, arguments in (
            ("check_status", {"task_uuid": "{task}"}),
            ("list_downloads", {"task_uuid": "{task}"}),
            ("split_into_parts", {"task_uuid": "{task}"}),
            ("inspect_model", {"model": "{uri}"}),
            ("convert_model", {"model": "{uri}", "format": "stl"}),
            ("generate_texture", {"model": "{uri}", "image": PNG}),
        ):
            theirs = await _answer(bob, tool, _filled(arguments, alice_task, file_uri))
            nobodys = await _answer(bob, tool, _filled(arguments, unknown, unknown_uri))
            assert theirs == nobodys, tool
        assert await _read_error(bob, file_uri) == await _read_error(bob, unknown_uri)
        assert (await bob.list_resources()).resources == []
    assert _paid(emulator) == paid


async def test_a_second_person_sees_spends_and_reads_nothing_of_the_first(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    with _server(tmp_path, emulator, sentinel_api_key) as url:
        async with _as(url, ALICE) as alice:
            made = structured(await alice.call_tool("generate_3d", {"prompt": "a brass owl"}))
            task = made["task_uuid"]
            done = structured(
                await alice.call_tool("check_status", {"task_uuid": task, "wait_seconds": 45})
            )
            assert done["state"] == "done"
            files = structured(await alice.call_tool("list_downloads", {"task_uuid": task}))
            model_uri = next(f["uri"] for f in files["files"] if f["name"].endswith(".glb"))
            assert (await alice.read_resource(model_uri)).contents
        await _bob_sees_nothing_of(url, emulator, task, model_uri)
        async with _as(url, BOB) as bob:
            own = structured(await bob.call_tool("generate_3d", {"prompt": "a brass owl"}))
        assert own["task_uuid"] != task
        assert own["reused"] is False
        assert _paid(emulator) == 2
        async with _as(url, ALICE) as alice:
            hers = structured(await alice.call_tool("list_tasks", {}))
        assert [t["task_uuid"] for t in hers["tasks"]] == [task]

    with _server(tmp_path, emulator, sentinel_api_key) as url:  # the same after a restart
        await _bob_sees_nothing_of(url, emulator, task, model_uri)
        async with _as(url, ALICE) as alice:
            again = structured(await alice.call_tool("check_status", {"task_uuid": task}))
            hers = structured(await alice.call_tool("list_tasks", {}))
        assert again["state"] == "done"
        assert [t["task_uuid"] for t in hers["tasks"]] == [task]


async def test_a_person_elsewhere_names_no_file_of_the_servers_disk_unless_the_operator_allows_it(
    tmp_path: Path, emulator: RunningEmulator, sentinel_api_key: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with _server(tmp_path, emulator, sentinel_api_key) as url:
        async with _as(url, ALICE) as alice:
            task = structured(await alice.call_tool("generate_3d", {"prompt": "a tin cup"}))
            await alice.call_tool(
                "check_status", {"task_uuid": task["task_uuid"], "wait_seconds": 45}
            )
            files = structured(
                await alice.call_tool("list_downloads", {"task_uuid": task["task_uuid"]})
            )
        model = next(Path(f["path"]) for f in files["files"] if f["name"].endswith(".glb"))
        (inbox / "cup.glb").write_bytes(model.read_bytes())
        paid = _paid(emulator)
        async with _as(url, BOB) as bob:
            answers = {
                await _answer(bob, "inspect_model", {"model": str(path)})
                for path in (model, inbox / "cup.glb", tmp_path / "absent.glb", tmp_path)
            }
            images = {
                await _answer(bob, "generate_3d", {"images": [str(path)]})
                for path in (model, tmp_path / "absent.png", f"file://{model}")
            }
        assert len(answers) == 1
        assert "RODIN_ALLOWED_INPUT_DIRS" in answers.pop()
        assert len(images) == 1
        assert _paid(emulator) == paid
    with _server(tmp_path, emulator, sentinel_api_key, RODIN_ALLOWED_INPUT_DIRS=str(inbox)) as url:
        async with _as(url, BOB) as bob:
            inside = structured(
                await bob.call_tool("inspect_model", {"model": str(inbox / "cup.glb")})
            )
            outside = await _answer(bob, "inspect_model", {"model": str(model)})
        assert inside["model"]["format"] == "glb"
        assert "outside the folders" in outside
