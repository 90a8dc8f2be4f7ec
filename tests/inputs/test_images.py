"""Tests of load_images: numbering, the image count, and the checks every image passes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from rodin_mcp.inputs import MAX_IMAGES, load_images
from tests.inputs.helpers import JPEG, PNG, WEBP, make_settings, refusal, write


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
async def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    error = await refusal([write(tmp_path / "a.png", b"")], make_settings(tmp_path))
    assert "empty" in str(error)
