"""Previews of model files: a contact sheet of a GLB, or None for what cannot be done in time."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from rodin_mcp.emulator.formats.glb import write_glb
from rodin_mcp.model.glb_reader import GLBReadError
from rodin_mcp.model.mesh import Material
from rodin_mcp.model.render.file_preview import preview_of_file
from tests.model.meshes import solid_halves_png, uv_sphere


def _minimal_glb(json_chunk: bytes) -> bytes:
    """A GLB of one JSON chunk holding exactly ``json_chunk`` (length a multiple of 4)."""
    total = 12 + 8 + len(json_chunk)
    header = struct.pack("<III", 0x46546C67, 2, total)
    return header + struct.pack("<II", len(json_chunk), 0x4E4F534A) + json_chunk


def _glb_file(folder: Path, name: str = "model.glb") -> Path:
    material = Material(name="m", base_color_png=solid_halves_png((200, 30, 30), (30, 30, 200)))
    path = folder / name
    path.write_bytes(write_glb(uv_sphere(16, 32, material)))
    return path


def test_a_glb_file_gives_a_webp_sheet_of_four_views(tmp_path: Path) -> None:
    sheet = preview_of_file(_glb_file(tmp_path), budget_seconds=60.0, size=64)

    assert sheet is not None
    with Image.open(io.BytesIO(sheet)) as image:
        assert (image.format, image.size) == ("WEBP", (128, 128))


def test_the_suffix_is_matched_whatever_its_case(tmp_path: Path) -> None:
    assert preview_of_file(_glb_file(tmp_path, "MODEL.GLB"), budget_seconds=60.0, size=64)


def test_a_glb_stored_without_its_name_is_told_by_its_content(tmp_path: Path) -> None:
    assert preview_of_file(_glb_file(tmp_path, "upload-id"), budget_seconds=60.0, size=64)


def test_a_format_other_than_glb_gives_no_preview(tmp_path: Path) -> None:
    obj = tmp_path / "model.obj"
    obj.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")

    assert preview_of_file(obj, budget_seconds=60.0) is None


def test_a_budget_too_short_for_one_view_gives_no_preview(tmp_path: Path) -> None:
    assert preview_of_file(_glb_file(tmp_path), budget_seconds=1e-9) is None


def test_a_file_over_the_size_cap_is_not_read(tmp_path: Path) -> None:
    path = _glb_file(tmp_path)

    assert preview_of_file(path, budget_seconds=60.0, max_file_bytes=1000) is None


def test_a_mesh_over_the_triangle_cap_is_not_rendered(tmp_path: Path) -> None:
    path = _glb_file(tmp_path)  # 1024 triangles

    assert preview_of_file(path, budget_seconds=60.0, max_triangles=1000) is None


def test_a_glb_without_triangles_gives_no_preview(tmp_path: Path) -> None:
    path = tmp_path / "empty.glb"
    path.write_bytes(
        _minimal_glb(b'{"asset":{"version":"2.0"},"scenes":[{"nodes":[]}],"scene":0}  ')
    )

    assert preview_of_file(path, budget_seconds=60.0) is None


@pytest.mark.parametrize(
    "data", [b"", b"not a glb at all", b"glTF" + b"\xff" * 40, _minimal_glb(b"{ not json }")]
)
def test_bad_glb_bytes_raise_a_glb_read_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.glb"
    path.write_bytes(data)

    with pytest.raises(GLBReadError):
        preview_of_file(path, budget_seconds=60.0)


def test_a_texture_that_cannot_be_decoded_still_gives_a_preview_of_the_shape(
    tmp_path: Path,
) -> None:
    broken = Material(name="m", base_color_png=b"\x89PNG\r\n\x1a\n not an image")
    path = tmp_path / "broken_texture.glb"
    path.write_bytes(write_glb(uv_sphere(8, 16, broken)))

    assert preview_of_file(path, budget_seconds=60.0, size=32) is not None
