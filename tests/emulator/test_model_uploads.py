"""Telling an uploaded model's format by its content."""

from __future__ import annotations

import io
import zipfile

import pytest

from rodin_mcp.emulator.model_uploads import model_format
from tests.emulator.models import ascii_fbx, ascii_stl, binary_stl, glb_model, obj_model


def _zip(first_entry: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(first_entry, b"#usda 1.0\n")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (glb_model(), "glb"),
        (_zip("model.usda"), "usdz"),
        (_zip("readme.txt"), None),
        (b"Kaydara FBX Binary  \x00\x1a\x00" + b"\0" * 64, "fbx"),
        (ascii_fbx(), "fbx"),
        (binary_stl(), "stl"),
        (ascii_stl(), "stl"),
        (obj_model(), "obj"),
        (b"\n" * 70_000 + b"v 0 0 0\n", None),  # the statement lies beyond the sniffed head
        (b"just some words\n", None),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 32, None),
        (b"", None),
    ],
    ids=[
        "glb",
        "usdz",
        "zip-not-usd",
        "binary-fbx",
        "ascii-fbx",
        "binary-stl",
        "ascii-stl",
        "obj",
        "blank-head",
        "text",
        "png",
        "empty",
    ],
)
def test_a_model_is_known_by_its_content(data: bytes, expected: str | None) -> None:
    assert model_format(data) == expected
