"""`rodin-mcp serve --http`: Streamable HTTP at /mcp, loopback by default; off loopback, tokens
and TLS (served here, or by a proxy in front that the operator names)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.server.conftest import structured
from tests.server.http_server import (
    INITIALIZE,
    MCP_HEADERS,
    can_bind,
    refused_start,
    running_server,
    sandbox_http_server,
    url_of,
)

TOKEN = "t0ken-" + "x" * 40


@pytest.fixture
def loopback_server(tmp_path: Path) -> Iterator[int]:
    with sandbox_http_server(tmp_path) as port:
        yield port


@pytest.mark.anyio
async def test_tools_work_over_streamable_http_in_sandbox(loopback_server: int) -> None:
    async with Client(f"http://127.0.0.1:{loopback_server}/mcp") as client:
        made = structured(await client.call_tool("generate_3d", {"prompt": "a vase"}))
        status = structured(
            await client.call_tool(
                "check_status", {"task_uuid": made["task_uuid"], "wait_seconds": 45}
            )
        )
    assert made["sandbox"] is True
    assert status["state"] == "done"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_every_loopback_bind_refuses_requests_naming_another_host_or_origin(
    tmp_path: Path, host: str
) -> None:
    if not can_bind(host):
        pytest.skip(f"this machine has no {host} to bind (macOS aliases only 127.0.0.1)")
    with running_server(tmp_path, "--sandbox", host=host) as port:
        url = url_of(host, port)
        evil_host = httpx2.post(
            url, json=INITIALIZE, headers={**MCP_HEADERS, "Host": f"evil.example:{port}"}
        )
        evil_origin = httpx2.post(
            url, json=INITIALIZE, headers={**MCP_HEADERS, "Origin": "http://evil.example"}
        )
        elsewhere = httpx2.get(url.replace("/mcp", "/elsewhere"), headers={"Host": "evil.example"})
        by_name = httpx2.post(
            url, json=INITIALIZE, headers={**MCP_HEADERS, "Host": f"localhost:{port}"}
        )
        fine = httpx2.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert (evil_host.status_code, evil_origin.status_code) == (421, 403)
    assert elsewhere.status_code == 421  # every route, not only /mcp
    assert (by_name.status_code, fine.status_code) == (200, 200)


def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    code, stderr = refused_start(tmp_path, "--host", "0.0.0.0", "--behind-tls-proxy")
    assert code == 1
    assert "RODIN_HTTP_TOKEN" in stderr


def test_serving_tokens_in_clear_text_beyond_loopback_is_refused_at_start(tmp_path: Path) -> None:
    code, stderr = refused_start(tmp_path, "--host", "0.0.0.0", env={"RODIN_HTTP_TOKEN": TOKEN})
    assert code == 1
    assert "clear text" in stderr
    assert "--tls-cert" in stderr
    assert "--behind-tls-proxy" in stderr
    assert TOKEN not in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--behind-tls-proxy"], {}), ([], {"RODIN_BEHIND_TLS_PROXY": "1"})],
    ids=["flag", "environment"],
)
def test_a_tls_proxy_in_front_without_tokens_is_refused_even_on_loopback(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    code, stderr = refused_start(tmp_path, *args, env=env)
    assert code == 1
    assert "proxy" in stderr
    assert "RODIN_HTTP_TOKEN" in stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--behind-tls-proxy"], {}), ([], {"RODIN_BEHIND_TLS_PROXY": "1"})],
    ids=["flag", "environment"],
)
def test_behind_a_tls_proxy_every_request_needs_the_token_whatever_it_forwards(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    environment = {"RODIN_HTTP_TOKEN": TOKEN, **env}
    with running_server(tmp_path, "--sandbox", *args, host="0.0.0.0", env=environment) as port:
        url = url_of("0.0.0.0", port)
        forwarded = {
            "X-Forwarded-For": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "localhost",
            "X-Real-IP": "127.0.0.1",
            "Forwarded": "for=127.0.0.1;proto=https",
        }
        refused = httpx2.post(url, json=INITIALIZE, headers={**MCP_HEADERS, **forwarded})
        accepted = httpx2.post(
            url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}"}
        )
    assert refused.status_code == 401
    assert TOKEN not in refused.text
    assert accepted.status_code == 200


@pytest.mark.anyio
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_the_bearer_scheme_is_accepted_in_any_case(tmp_path: Path, scheme: str) -> None:
    env = {"RODIN_HTTP_TOKEN": TOKEN}  # a bare token: its person is anonymous
    with running_server(tmp_path, "--sandbox", env=env) as port:
        url = url_of("127.0.0.1", port)
        headers = {"Authorization": f"{scheme} {TOKEN}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            made = structured(await client.call_tool("generate_3d", {"prompt": "a vase"}))
            listed = structured(await client.call_tool("list_tasks", {}))
        wrong = httpx2.post(
            url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"{scheme} nope"}
        )
    assert [t["task_uuid"] for t in listed["tasks"]] == [made["task_uuid"]]
    assert wrong.status_code == 401


@pytest.mark.anyio
async def test_no_token_is_written_to_the_data_folder(tmp_path: Path) -> None:
    named = "named-" + "y" * 40
    env = {"RODIN_HTTP_TOKEN": f"{TOKEN},alice:{named}"}
    with running_server(tmp_path, "--sandbox", env=env) as port:
        for token in (TOKEN, named):
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http,
                Client(streamable_http_client(url_of("127.0.0.1", port), http_client=http)) as c,
            ):
                made = structured(await c.call_tool("generate_3d", {"prompt": "a vase"}))
                await c.call_tool("check_status", {"task_uuid": made["task_uuid"]})
    written = [p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert written  # the ledger is there
    assert not [data for data in written if TOKEN.encode() in data or named.encode() in data]
