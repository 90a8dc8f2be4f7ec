"""The model room's GLB writer: what it writes reads back, with PNG or JPEG textures."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rodin_mcp.model.glb_reader import read_glb
from rodin_mcp.model.glb_writer import write_glb
from rodin_mcp.model.mesh import Material, Mesh
from tests.model.glb_bytes import glb_chunks
from tests.model.meshes import grid, png


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_a_mesh_reads_back_with_its_geometry_and_material() -> None:
    material = Material(name="m", base_color_factor=(0.5, 0.4, 0.3, 1.0), base_color_png=png(8, 8))
    mesh = grid(5, 3, material, quads=False)

    back = read_glb(write_glb(mesh))

    np.testing.assert_array_equal(back.positions, mesh.positions)
    np.testing.assert_allclose(back.normals, mesh.normals, atol=1e-6)
    np.testing.assert_array_equal(back.uvs, mesh.uvs)
    np.testing.assert_array_equal(back.triangles, mesh.triangles)
    assert back.material is not None
    assert back.material.base_color_png == material.base_color_png
    assert back.material.base_color_factor == pytest.approx(material.base_color_factor)


def test_each_image_is_labelled_with_its_own_format() -> None:
    material = Material(name="m", base_color_png=_jpeg(), normal_png=png(8, 8))

    doc, _ = glb_chunks(write_glb(grid(2, 2, material)))

    assert [image["mimeType"] for image in doc["images"]] == ["image/jpeg", "image/png"]


def test_a_texture_neither_png_nor_jpeg_is_refused() -> None:
    material = Material(name="m", base_color_png=b"GIF89a....")

    with pytest.raises(ValueError, match="PNG or JPEG"):
        write_glb(grid(2, 2, material))


def test_a_mesh_without_faces_is_refused() -> None:
    nothing = np.zeros((0, 3), np.float32)

    with pytest.raises(ValueError, match="at least one face"):
        write_glb(Mesh(nothing, nothing.copy(), np.zeros((0, 2), np.float32)))
