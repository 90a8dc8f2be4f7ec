"""Tests of magic-byte sniffing, and how refused image types are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from rodin_mcp.inputs import sniff_image_type
from tests.inputs.helpers import JPEG, PNG, WEBP, image_bytes, make_settings, refusal, write


def test_magic_bytes_decide_the_type() -> None:
    assert sniff_image_type(PNG) == "image/png"
    assert sniff_image_type(JPEG) == "image/jpeg"
    assert sniff_image_type(WEBP) == "image/webp"
    assert sniff_image_type(image_bytes("GIF")) is None
    assert sniff_image_type(b"RIFF\0\0\0\0WAVEfmt ") is None
    assert sniff_image_type(b"") is None


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
