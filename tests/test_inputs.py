"""Tests of image inputs: real files, data: URIs, and URLs against a server on 127.0.0.1.

No test sends traffic anywhere but loopback. Public addresses appear only as the first hop of
requests answered by ``httpx2.MockTransport``, which never opens a connection.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import ipaddress
import os
import socket
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx2
import pytest

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs import (
    MAX_IMAGES,
    address_refusal,
    image_fingerprint,
    load_images,
    sniff_image_type,
)
from rodin_mcp.settings import Settings
from tests.inputs_fixtures import (
    ImageServer,
    RecordingTransport,
    image_bytes,
    running_image_server,
)

PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX path semantics under test")


@pytest.fixture(autouse=True)
def loopback_only_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test whose code tries to open a connection beyond loopback; never connect."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        host = _ip_host_of(address)
        if host is not None and not ipaddress.ip_address(host).is_loopback:
            attempts.append(host)
            raise OSError(errno.ENETUNREACH, "blocked by the test's loopback-only guard")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield
    assert attempts == [], f"the code under test tried to connect to {attempts}"


def _ip_host_of(address: object) -> str | None:
    if not isinstance(address, tuple):
        return None  # a Unix socket path
    return str(cast(tuple[object, ...], address)[0]).split("%", 1)[0]


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "output_dir": tmp_path / "out",
        "allowed_input_dirs": [],
        "allow_private_image_urls": False,
        "image_fetch_timeout": 10.0,
        "max_image_bytes": 5 * 1024 * 1024,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def server() -> Iterator[ImageServer]:
    with running_image_server(PNG) as running:
        yield running


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


async def refusal(references: list[str], settings: Settings, **kwargs: Any) -> ImageInputError:
    with pytest.raises(ImageInputError) as raised:
        await load_images(references, settings, **kwargs)
    return raised.value


# --- local files ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_png_jpeg_and_webp_files_load_in_order_with_numbered_part_names(
    tmp_path: Path,
) -> None:
    paths = [
        write(tmp_path / "front.png", PNG),
        write(tmp_path / "side.jpeg", JPEG),
        write(tmp_path / "back.webp", WEBP),
    ]

    images = await load_images(paths, make_settings(tmp_path))

    assert [(i.filename, i.content_type) for i in images] == [
        ("0000.png", "image/png"),
        ("0001.jpg", "image/jpeg"),
        ("0002.webp", "image/webp"),
    ]
    assert [i.data for i in images] == [PNG, JPEG, WEBP]
    assert [i.sha256 for i in images] == [hashlib.sha256(d).hexdigest() for d in (PNG, JPEG, WEBP)]
    assert [i.source for i in images] == paths
    assert images[0].size == len(PNG)
    assert "data=" not in repr(images[0])


@pytest.mark.anyio
async def test_no_references_give_no_images(tmp_path: Path) -> None:
    assert await load_images([], make_settings(tmp_path)) == []


@pytest.mark.anyio
async def test_more_than_five_images_are_refused_before_any_is_read(tmp_path: Path) -> None:
    missing = [str(tmp_path / f"missing-{i}.png") for i in range(MAX_IMAGES + 1)]
    error = await refusal(missing, make_settings(tmp_path))
    assert "at most 5" in str(error)


@pytest.mark.anyio
async def test_five_images_are_accepted(tmp_path: Path) -> None:
    paths = [write(tmp_path / f"{i}.png", PNG) for i in range(MAX_IMAGES)]
    images = await load_images(paths, make_settings(tmp_path))
    assert [i.filename for i in images] == [f"000{i}.png" for i in range(5)]


@pytest.mark.anyio
async def test_a_single_string_is_not_taken_for_a_list_of_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "a.png", PNG)
    with pytest.raises(TypeError):
        await load_images(path, make_settings(tmp_path))


@pytest.mark.anyio
async def test_a_path_in_the_home_folder_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "pictures" / "chair.png", PNG)
    (image,) = await load_images(["~/pictures/chair.png"], make_settings(tmp_path))
    assert image.source == str(tmp_path / "pictures" / "chair.png")


@pytest.mark.anyio
async def test_a_quoted_path_with_spaces_around_it_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "my chair.png", PNG)
    (image,) = await load_images([f'  "{path}" '], make_settings(tmp_path))
    assert image.data == PNG


@pytest.mark.anyio
async def test_a_relative_path_is_refused_with_a_request_for_an_absolute_one(
    tmp_path: Path,
) -> None:
    error = await refusal(["pictures/chair.png"], make_settings(tmp_path))
    assert "relative path" in str(error)
    assert "absolute path" in str(error)
    assert error.reference == "pictures/chair.png"


@pytest.mark.anyio
async def test_a_missing_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.png")
    error = await refusal([path], make_settings(tmp_path))
    assert "no file" in str(error)
    assert error.reference == path


@pytest.mark.anyio
@pytest.mark.parametrize(
    "prefix", ["/mnt/user-data/uploads", "/home/claude", "/mnt/data", "/tmp/outputs"]
)
async def test_a_path_in_the_assistants_sandbox_is_explained(tmp_path: Path, prefix: str) -> None:
    path = f"{prefix}/rodin-test-{uuid.uuid4().hex}/chair.png"
    error = await refusal([path], make_settings(tmp_path))
    message = str(error)
    assert "assistant's sandbox" in message
    assert "not on this computer" in message
    assert "absolute path" in message
    assert "data: URI" in message
    assert error.reference == path


@posix_only
@pytest.mark.anyio
@pytest.mark.parametrize(
    "reference",
    [r"C:\Users\me\chair.png", "C:/Users/me/chair.png", r"\\server\share\chair.png", "D:chair.png"],
)
async def test_a_windows_path_on_this_posix_server_gets_a_clear_error(
    tmp_path: Path, reference: str
) -> None:
    error = await refusal([reference], make_settings(tmp_path))
    assert "Windows path" in str(error)
    assert "absolute path on this computer" in str(error)


@pytest.mark.anyio
async def test_a_folder_is_refused(tmp_path: Path) -> None:
    error = await refusal([str(tmp_path)], make_settings(tmp_path))
    assert "is a folder" in str(error)


@posix_only
@pytest.mark.anyio
async def test_a_device_or_a_pipe_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        error = await refusal([path], make_settings(tmp_path))
        assert "not a regular file" in str(error)


@pytest.mark.anyio
async def test_a_renamed_text_file_is_refused_by_its_magic_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "chair.png", b"password=hunter2\nthis is not a picture\n")
    error = await refusal([path], make_settings(tmp_path))
    assert "is text" in str(error)
    assert "PNG, JPEG or WEBP" in str(error)


@pytest.mark.anyio
@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("BMP", "BMP"), ("TIFF", "TIFF")])
async def test_gif_bmp_and_tiff_are_refused_with_what_is_accepted(
    tmp_path: Path, fmt: str, name: str
) -> None:
    path = write(tmp_path / "chair.png", image_bytes(fmt))
    error = await refusal([path], make_settings(tmp_path))
    assert f"a {name} image" in str(error)
    assert "PNG, JPEG or WEBP" in str(error)


@pytest.mark.anyio
async def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    error = await refusal([write(tmp_path / "a.png", b"")], make_settings(tmp_path))
    assert "empty" in str(error)


@pytest.mark.anyio
async def test_a_file_over_the_size_cap_is_refused_and_one_at_the_cap_accepted(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "a.png", PNG)
    error = await refusal([path], make_settings(tmp_path, max_image_bytes=len(PNG) - 1))
    assert "limit" in str(error)
    assert "RODIN_MAX_IMAGE_BYTES" in str(error)
    (image,) = await load_images([path], make_settings(tmp_path, max_image_bytes=len(PNG)))
    assert image.size == len(PNG)


@pytest.mark.anyio
async def test_the_same_images_in_the_same_order_have_the_same_fingerprint(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    first = await load_images(
        [write(tmp_path / "a.png", PNG), write(tmp_path / "b.jpg", JPEG)], settings
    )
    copies = await load_images(
        [write(tmp_path / "c" / "a.png", PNG), write(tmp_path / "c" / "b.jpg", JPEG)], settings
    )
    assert image_fingerprint(first) == image_fingerprint(copies)
    assert image_fingerprint(first) != image_fingerprint(list(reversed(first)))
    assert image_fingerprint(first) != image_fingerprint(first[:1])


# --- allowed input folders ------------------------------------------------------------------


@pytest.mark.anyio
async def test_allowed_folders_admit_files_inside_and_refuse_files_outside(
    tmp_path: Path,
) -> None:
    allowed = tmp_path / "allowed"
    inside = write(allowed / "sub" / "chair.png", PNG)
    outside = write(tmp_path / "secret" / "chair.png", PNG)
    settings = make_settings(tmp_path, allowed_input_dirs=[allowed])

    (image,) = await load_images([inside], settings)
    assert image.data == PNG
    error = await refusal([outside], settings)
    assert "outside the folders" in str(error)
    assert "RODIN_ALLOWED_INPUT_DIRS" in str(error)
    dotdot = str(allowed / ".." / "secret" / "chair.png")
    assert "outside the folders" in str(await refusal([dotdot], settings))


@posix_only
@pytest.mark.anyio
async def test_a_symlink_inside_an_allowed_folder_cannot_escape_it(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    secret = write(tmp_path / "secret.png", PNG)
    (allowed / "escape.png").symlink_to(secret)
    (allowed / "linked-dir").symlink_to(tmp_path)
    write(allowed / "real.png", PNG)
    (allowed / "alias.png").symlink_to(allowed / "real.png")
    settings = make_settings(tmp_path, allowed_input_dirs=[allowed])

    for path in (allowed / "escape.png", allowed / "linked-dir" / "secret.png"):
        assert "outside the folders" in str(await refusal([str(path)], settings))
    (image,) = await load_images([str(allowed / "alias.png")], settings)
    assert image.data == PNG


@pytest.mark.anyio
async def test_a_missing_file_outside_the_allowed_folders_reveals_nothing_about_it(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, allowed_input_dirs=[tmp_path / "allowed"])
    error = await refusal([str(tmp_path / "elsewhere" / "x.png")], settings)
    assert "outside the folders" in str(error)


# --- file:// URIs ---------------------------------------------------------------------------


@posix_only
@pytest.mark.anyio
async def test_file_uris_are_percent_decoded(tmp_path: Path) -> None:
    path = write(tmp_path / "my chair #1.png", PNG)
    uri = "file://" + urllib.parse.quote(path)
    localhost_uri = "file://localhost" + urllib.parse.quote(path)
    images = await load_images([uri, localhost_uri, Path(path).as_uri()], make_settings(tmp_path))
    assert [image.source for image in images] == [path, path, path]


@posix_only
@pytest.mark.anyio
async def test_a_file_uri_naming_another_computer_or_a_windows_drive_is_refused(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    assert "another computer" in str(await refusal(["file://nas/share/a.png"], settings))
    assert "Windows path" in str(await refusal(["file:///C:/Users/me/a.png"], settings))


# --- data: URIs -----------------------------------------------------------------------------


def data_uri(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


@pytest.mark.anyio
async def test_base64_and_percent_encoded_data_uris_load(tmp_path: Path) -> None:
    wrapped = base64.encodebytes(JPEG).decode()  # with newlines every 76 characters
    urlsafe = base64.urlsafe_b64encode(WEBP).decode().rstrip("=")
    references = [
        data_uri(PNG),
        f"data:image/jpeg;base64,{wrapped}",
        f"data:image/webp;base64,{urlsafe}",
        "data:image/png," + urllib.parse.quote_from_bytes(PNG),
        data_uri(JPEG, media_type=""),
    ]
    images = await load_images(references, make_settings(tmp_path))
    assert [i.data for i in images] == [PNG, JPEG, WEBP, PNG, JPEG]
    assert images[0].source.startswith("data:image/png;base64,")
    assert len(images[0].source) < 80


@pytest.mark.anyio
async def test_a_data_uri_whose_type_does_not_match_its_bytes_is_refused(tmp_path: Path) -> None:
    error = await refusal([data_uri(PNG, "image/jpeg")], make_settings(tmp_path))
    assert "says image/jpeg" in str(error)
    assert "image/png" in str(error)


@pytest.mark.anyio
async def test_bad_data_uris_are_refused_with_short_references(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    cases = {
        "data:image/png;base64,@@@not base64@@@" + "A" * 5000: "not valid base64",
        "data:image/png;base64" + "A" * 5000: "no comma",
        data_uri(b"just some text " * 100, "text/plain"): "is text",
        data_uri(image_bytes("GIF"), "image/gif"): "a GIF image",
    }
    for reference, expected in cases.items():
        error = await refusal([reference], settings)
        assert expected in str(error)
        assert error.reference is not None
        assert len(error.reference) < 120
        assert len(str(error)) < 400


@pytest.mark.anyio
async def test_a_data_uri_over_the_size_cap_is_refused(tmp_path: Path) -> None:
    big = PNG + b"\0" * 4000
    error = await refusal([data_uri(big)], make_settings(tmp_path, max_image_bytes=2000))
    assert "limit" in str(error)


@pytest.mark.anyio
async def test_raw_base64_without_a_data_prefix_gets_a_hint(tmp_path: Path) -> None:
    raw = base64.b64encode(PNG + b"\0" * 300).decode()
    error = await refusal([raw], make_settings(tmp_path))
    assert "data:image/png;base64," in str(error)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "reference", ["ftp://127.0.0.1/a.png", "javascript:alert(1)", "gopher://127.0.0.1/a"]
)
async def test_other_schemes_are_refused(tmp_path: Path, reference: str) -> None:
    error = await refusal([reference], make_settings(tmp_path))
    assert "not supported" in str(error)


def test_magic_bytes_decide_the_type() -> None:
    assert sniff_image_type(PNG) == "image/png"
    assert sniff_image_type(JPEG) == "image/jpeg"
    assert sniff_image_type(WEBP) == "image/webp"
    assert sniff_image_type(image_bytes("GIF")) is None
    assert sniff_image_type(b"RIFF\0\0\0\0WAVEfmt ") is None
    assert sniff_image_type(b"") is None


# --- the address classifier -----------------------------------------------------------------

ADDRESS_TABLE: list[tuple[str, str | None, str | None]] = [
    # address, refusal when private is not allowed, refusal when it is
    ("93.184.215.14", None, None),
    ("8.8.8.8", None, None),
    ("2606:4700:4700::1111", None, None),
    ("127.0.0.1", "loopback", None),
    ("127.45.6.7", "loopback", None),
    ("10.0.0.1", "private", None),
    ("172.16.5.4", "private", None),
    ("192.168.1.1", "private", None),
    ("100.64.0.1", "reserved", None),
    ("169.254.1.1", "link-local", None),
    ("192.0.2.1", "private", None),
    ("240.0.0.1", "private", None),
    ("255.255.255.255", "private", None),
    ("169.254.169.254", "cloud metadata", "cloud metadata"),
    ("168.63.129.16", "cloud metadata", "cloud metadata"),
    ("100.100.100.200", "cloud metadata", "cloud metadata"),
    ("0.0.0.0", "unspecified", "unspecified"),
    ("224.0.0.1", "multicast", "multicast"),
    ("::1", "loopback", None),
    ("::", "unspecified", "unspecified"),
    ("fe80::1", "link-local", None),
    ("fc00::1", "private", None),
    ("fd12:3456::1", "private", None),
    ("fec0::1", "site-local", None),
    ("2001:db8::1", "private", None),
    ("ff02::1", "multicast", "multicast"),
    ("fd00:ec2::254", "cloud metadata", "cloud metadata"),
    ("::ffff:127.0.0.1", "loopback", None),
    ("::ffff:10.1.2.3", "private", None),
    ("::ffff:169.254.169.254", "cloud metadata", "cloud metadata"),
    ("::ffff:8.8.8.8", None, None),
    ("::127.0.0.1", "loopback", None),
    ("64:ff9b::7f00:1", "loopback", None),
    ("64:ff9b::a9fe:a9fe", "cloud metadata", "cloud metadata"),
    ("64:ff9b::808:808", None, None),
    ("2002:7f00:1::", "loopback", None),
    ("2002:a9fe:a9fe::", "cloud metadata", "cloud metadata"),
    ("2002:808:808::", None, None),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "private", None),  # Teredo
]


@pytest.mark.parametrize(("address", "closed", "opened"), ADDRESS_TABLE)
def test_the_address_classifier_refuses_every_non_public_range(
    address: str, closed: str | None, opened: str | None
) -> None:
    ip = ipaddress.ip_address(address)
    refused = address_refusal(ip, allow_private=False)
    refused_when_allowed = address_refusal(ip, allow_private=True)
    assert (refused is None) == (closed is None)
    assert closed is None or (refused is not None and closed in refused)
    assert (refused_when_allowed is None) == (opened is None)
    assert opened is None or (refused_when_allowed is not None and opened in refused_when_allowed)


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
