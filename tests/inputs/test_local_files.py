"""Tests of local image files: paths, file:// URIs, allowed folders and reading limits."""

from __future__ import annotations

import base64
import os
import urllib.parse
import uuid
from pathlib import Path

import pytest

from rodin_mcp.inputs import load_images
from tests.file_system_watch import file_system_calls
from tests.inputs.helpers import PNG, make_settings, refusal, write

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX path semantics under test")


@pytest.mark.anyio
async def test_a_path_in_the_home_folder_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "pictures" / "chair.png", PNG)
    (image,) = await load_images(["~/pictures/chair.png"], make_settings(tmp_path))
    assert image.source == str(tmp_path / "pictures" / "chair.png")


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
    [
        r"C:\Users\me\chair.png",
        "C:/Users/me/chair.png",
        r"\\?\C:\Users\me\chair.png",
        "D:chair.png",
    ],
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
async def test_raw_base64_without_a_data_prefix_gets_a_hint(tmp_path: Path) -> None:
    raw = base64.b64encode(PNG + b"\0" * 300).decode()
    error = await refusal([raw], make_settings(tmp_path))
    assert "data:image/png;base64," in str(error)


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


# --- paths on another computer, and device paths ----------------------------------------------

# The host name marks every file-system call about these paths (see tests/file_system_watch.py).
HOST = "rodin-test-nas"
NETWORK_REFERENCES = [
    rf"\\{HOST}\share\chair.png",
    rf"\\?\UNC\{HOST}\share\chair.png",
    rf"\\.\UNC\{HOST}\share\chair.png",
    f"//{HOST}/share/chair.png",
    f"//?/UNC/{HOST}/share/chair.png",
    rf"\/{HOST}/share/chair.png",
    f"file://{HOST}/share/chair.png",
    f"file:////{HOST}/share/chair.png",
    f"file://///{HOST}/share/chair.png",
    f"file://localhost//{HOST}/share/chair.png",
    f"file:///%5C%5C{HOST}%5Cshare%5Cchair.png",
]


@pytest.mark.anyio
@pytest.mark.parametrize("reference", NETWORK_REFERENCES)
async def test_a_path_on_another_computer_is_refused_without_touching_the_file_system(
    tmp_path: Path, reference: str
) -> None:
    settings = make_settings(tmp_path)
    with file_system_calls(HOST) as calls:
        error = await refusal([reference], settings)
    assert calls == []
    message = str(error)
    assert "is on another computer" in message
    assert rf"(the network share \\{HOST}\share)" in message
    assert "absolute path on this computer" in message


@pytest.mark.anyio
async def test_a_path_on_another_computer_is_refused_even_inside_an_allowed_local_folder(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, allowed_input_dirs=[tmp_path])
    for reference in (f"//{HOST}/share/chair.png", rf"\\{HOST}\share\chair.png"):
        with file_system_calls(HOST) as calls:
            error = await refusal([reference], settings)
        assert calls == []
        assert "is on another computer" in str(error)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "reference",
    [
        rf"\\.\pipe\{HOST}",
        rf"\\?\GLOBALROOT\Device\Mup\{HOST}\share\chair.png",
        f"//./{HOST}",
        rf"\??\{HOST}",
    ],
)
async def test_a_windows_device_path_is_refused_without_touching_the_file_system(
    tmp_path: Path, reference: str
) -> None:
    with file_system_calls(HOST) as calls:
        error = await refusal([reference], make_settings(tmp_path))
    assert calls == []
    assert "device path, not a file" in str(error)


@pytest.mark.anyio
async def test_a_path_outside_the_allowed_folders_is_refused_before_it_is_looked_up(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, allowed_input_dirs=[tmp_path / "allowed"])
    outside = write(tmp_path / f"{HOST}-outside" / "chair.png", PNG)
    escaping = str(tmp_path / "allowed" / ".." / f"{HOST}-outside" / "chair.png")
    for reference in (outside, escaping, Path(outside).as_uri()):
        with file_system_calls(HOST) as calls:
            error = await refusal([reference], settings)
        assert calls == []
        assert "outside the folders" in str(error)


@posix_only
@pytest.mark.anyio
async def test_an_allowed_folder_counts_by_its_written_path_and_by_its_real_path(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real"
    write(real / "chair.png", PNG)
    (tmp_path / "link").symlink_to(real)
    settings = make_settings(tmp_path, allowed_input_dirs=[tmp_path / "link"])

    images = await load_images(
        [str(tmp_path / "link" / "chair.png"), str(real / "chair.png")], settings
    )

    assert [image.data for image in images] == [PNG, PNG]
