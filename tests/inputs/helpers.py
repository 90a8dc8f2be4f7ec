"""Plain helpers of the image-input tests: real image bytes, settings, files and refusals."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from rodin_mcp.errors import ImageInputError
from rodin_mcp.inputs import load_images
from rodin_mcp.settings import Settings


def image_bytes(fmt: str, size: tuple[int, int] = (8, 6)) -> bytes:
    """A real, small image encoded by Pillow (``fmt`` such as "PNG", "JPEG", "WEBP", "GIF")."""
    picture = Image.new("RGB", size, (200, 40, 90))
    out = io.BytesIO()
    picture.save(out, format=fmt)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings with folders under ``tmp_path``, no folder limit, private URLs refused."""
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


def write(path: Path, data: bytes) -> str:
    """Write ``data`` at ``path`` (making its folders) and return the path as a string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


async def refusal(references: list[str], settings: Settings, **kwargs: Any) -> ImageInputError:
    """The error :func:`load_images` raises for ``references``; fails the test if none is raised."""
    with pytest.raises(ImageInputError) as raised:
        await load_images(references, settings, **kwargs)
    return raised.value
