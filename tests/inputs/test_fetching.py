"""Tests of fetching image URLs: SSRF refusals, pinning, redirects, caps and timeouts.

Public addresses appear only as the first hop of requests answered by ``httpx2.MockTransport``,
which never opens a connection; everything else goes to a real server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from rodin_mcp.inputs import load_images
from tests.inputs.helpers import JPEG, PNG, make_settings, refusal
from tests.inputs.image_server import ImageServer, RecordingTransport, running_image_server

# --- URLs: SSRF refusals before any connection ----------------------------------------------


def mock_client(
    handler: Callable[[httpx2.Request], httpx2.Response],
) -> tuple[httpx2.AsyncClient, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return handler(request)

    return httpx2.AsyncClient(transport=httpx2.MockTransport(record)), seen


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.png",
        "http://127.1/a.png",
        "http://2130706433/a.png",
        "http://0x7f.1/a.png",
        "http://10.0.0.1/a.png",
        "http://172.16.0.1/a.png",
        "http://192.168.0.10/a.png",
        "http://100.64.0.1/a.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/a.png",
        "http://[::1]/a.png",
        "http://[fc00::1]/a.png",
        "http://[fe80::1]/a.png",
        "http://[::ffff:127.0.0.1]/a.png",
        "http://[::ffff:a9fe:a9fe]/a.png",
        "https://localhost/a.png",
    ],
)
async def test_non_public_addresses_are_refused_before_any_request_is_sent(
    tmp_path: Path, url: str
) -> None:
    client, seen = mock_client(lambda request: httpx2.Response(200, content=PNG))
    async with client:
        error = await refusal([url], make_settings(tmp_path), http=client)
    assert seen == []
    assert "does not fetch images from such addresses" in str(error)


@pytest.mark.anyio
async def test_localhost_by_name_is_refused_before_connecting_to_a_live_server(
    tmp_path: Path, server: ImageServer
) -> None:
    error = await refusal([server.url("/image.png", host="localhost")], make_settings(tmp_path))
    assert "loopback" in str(error)
    assert "RODIN_ALLOW_PRIVATE_IMAGE_URLS" in str(error)
    assert server.seen == []


def redirect_to(target: str) -> Callable[[httpx2.Request], httpx2.Response]:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"Location": target})

    return answer


@pytest.mark.anyio
async def test_a_redirect_from_a_public_host_to_a_private_one_is_refused(tmp_path: Path) -> None:
    targets = ["http://10.1.2.3/b.png", "http://localhost/b.png", "http://[::ffff:192.168.0.1]/"]
    for target in targets:
        client, seen = mock_client(redirect_to(target))
        async with client:
            error = await refusal(
                ["http://93.184.215.14/a.png"], make_settings(tmp_path), http=client
            )
        assert [str(r.url) for r in seen] == ["http://93.184.215.14/a.png"]
        assert "does not fetch images from such addresses" in str(error)


@pytest.mark.anyio
async def test_a_url_with_credentials_is_refused(tmp_path: Path) -> None:
    client, seen = mock_client(lambda request: httpx2.Response(200, content=PNG))
    async with client:
        error = await refusal(
            ["http://user:pw@93.184.215.14/a.png"], make_settings(tmp_path), http=client
        )
    assert seen == []
    assert "user name or password" in str(error)
    assert "pw" not in (error.reference or "")


@pytest.mark.anyio
async def test_a_public_url_is_fetched_with_its_host_header_and_without_client_credentials(
    tmp_path: Path,
) -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, content=JPEG, headers={"Content-Type": "image/jpeg"})

    client = httpx2.AsyncClient(
        transport=httpx2.MockTransport(answer),
        headers={"Authorization": "Bearer SENTINEL-KEY"},
        cookies={"session": "SENTINEL-COOKIE"},
        auth=("user", "SENTINEL-PASSWORD"),
    )
    async with client:
        (image,) = await load_images(
            ["https://93.184.215.14/pics/chair.jpg?X-Amz-Signature=SECRET#frag"],
            make_settings(tmp_path),
            http=client,
        )
    assert image.data == JPEG
    assert image.source == "https://93.184.215.14/pics/chair.jpg"
    (request,) = seen
    assert "authorization" not in request.headers
    assert "cookie" not in request.headers
    assert request.headers["host"] == "93.184.215.14"
    assert request.url.query == b"X-Amz-Signature=SECRET"


# --- URLs: fetching from a real loopback server ---------------------------------------------


@pytest.mark.anyio
async def test_an_allowed_loopback_url_is_fetched_and_its_bytes_decide_the_type(
    tmp_path: Path, server: ImageServer
) -> None:
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    (image,) = await load_images([server.url("/image.png?token=SECRET")], settings)
    assert image.data == PNG
    assert image.content_type == "image/png"
    assert image.source == server.url("/image.png")
    (request,) = server.seen
    assert request.headers["accept-encoding"] == "identity"
    assert "cookie" not in request.headers
    assert "authorization" not in request.headers


@pytest.mark.anyio
async def test_a_host_name_is_resolved_here_and_the_connection_goes_to_the_checked_address(
    tmp_path: Path, server: ImageServer
) -> None:
    transport = RecordingTransport()
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    async with httpx2.AsyncClient(transport=transport) as client:
        (image,) = await load_images(
            [server.url("/image.png", host="localhost")], settings, http=client
        )
    assert image.data == PNG
    assert all(ipaddress.ip_address(url.host).is_loopback for url in transport.urls)
    assert server.seen[-1].headers["host"] == f"localhost:{server.port}"


@pytest.mark.anyio
async def test_up_to_five_redirects_are_followed_and_a_sixth_is_refused(
    tmp_path: Path, server: ImageServer
) -> None:
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    (image,) = await load_images([server.url("/redirect/4")], settings)
    assert image.data == PNG
    assert [r.path for r in server.seen] == [
        "/redirect/4",
        "/redirect/3",
        "/redirect/2",
        "/redirect/1",
        "/redirect/0",
        "/image.png",
    ]

    server.seen.clear()
    error = await refusal([server.url("/redirect/5")], settings)
    assert "more than 5 times" in str(error)
    assert len(server.seen) == 6


@pytest.mark.anyio
async def test_a_redirect_to_cloud_metadata_is_refused_even_with_private_urls_allowed(
    tmp_path: Path, server: ImageServer
) -> None:
    transport = RecordingTransport()
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    metadata = urllib.parse.quote("http://169.254.169.254/latest/meta-data/", safe="")
    async with httpx2.AsyncClient(transport=transport) as client:
        error = await refusal([server.url(f"/to?url={metadata}")], settings, http=client)
    assert "cloud metadata" in str(error)
    assert [url.host for url in transport.urls] == ["127.0.0.1"]
    assert len(server.seen) == 1


@pytest.mark.anyio
async def test_a_redirect_to_a_file_url_is_refused(tmp_path: Path, server: ImageServer) -> None:
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    target = urllib.parse.quote("file:///etc/passwd", safe="")
    error = await refusal([server.url(f"/to?url={target}")], settings)
    assert "only http and https" in str(error)


@pytest.mark.anyio
async def test_a_redirect_to_another_loopback_url_is_followed_when_allowed(
    tmp_path: Path, server: ImageServer
) -> None:
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    target = urllib.parse.quote(server.url("/image.png", host="localhost"), safe="")
    (image,) = await load_images([server.url(f"/to?url={target}")], settings)
    assert image.data == PNG
    assert [r.headers["host"] for r in server.seen] == [
        f"127.0.0.1:{server.port}",
        f"localhost:{server.port}",
    ]


@pytest.mark.anyio
async def test_a_body_over_the_cap_is_cut_off_while_streaming(
    tmp_path: Path, server: ImageServer
) -> None:
    settings = make_settings(
        tmp_path, allow_private_image_urls=True, max_image_bytes=1000, image_fetch_timeout=5
    )
    for path in ("/big?n=100000", "/endless", "/declared-big"):
        error = await refusal([server.url(path)], settings)
        assert "limit" in str(error), path
    (image,) = await load_images(
        [server.url("/big?n=900")], make_settings(tmp_path, allow_private_image_urls=True)
    )
    assert image.size == 916


@pytest.mark.anyio
async def test_a_stalled_server_runs_into_the_fetch_timeout(
    tmp_path: Path, server: ImageServer
) -> None:
    settings = make_settings(tmp_path, allow_private_image_urls=True, image_fetch_timeout=0.3)
    error = await refusal([server.url("/stall")], settings)
    assert "RODIN_IMAGE_FETCH_TIMEOUT" in str(error)


@pytest.mark.anyio
async def test_an_error_status_or_a_web_page_is_not_taken_for_an_image(
    tmp_path: Path, server: ImageServer
) -> None:
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    assert "HTTP 404" in str(await refusal([server.url("/missing")], settings))
    assert "an HTML page" in str(await refusal([server.url("/page")], settings))


@pytest.mark.anyio
async def test_a_refused_connection_is_reported(tmp_path: Path) -> None:
    with running_image_server(PNG) as stopped:
        url = stopped.url("/image.png")
    settings = make_settings(tmp_path, allow_private_image_urls=True)
    error = await refusal([url], settings)
    assert "Could not connect" in str(error)
