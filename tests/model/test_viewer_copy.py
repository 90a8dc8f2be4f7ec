"""The viewer copy: a valid, decimated GLB with smaller textures and the same material."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rodin_mcp.model.glb_reader import read_glb
from rodin_mcp.model.mesh import Material, Mesh
from rodin_mcp.model.render.preview import render_rgb
from rodin_mcp.model.viewer_copy import lightweight_glb
from tests.emulator.formats.gltf_validator import counts, issue_summary, validate_glbs
from tests.model.glb_bytes import glb_chunks
from tests.model.meshes import grid, png, solid_halves_png, uv_sphere

RED = (220, 30, 30)
GREEN = (30, 200, 40)


def _image(data: bytes | None) -> Image.Image:
    assert data is not None
    return Image.open(io.BytesIO(data))


def _pbr(base_size: tuple[int, int] = (64, 64)) -> Material:
    return Material(
        name="pbr",
        base_color_factor=(0.9, 0.8, 0.7, 1.0),
        metallic_factor=0.3,
        roughness_factor=0.6,
        base_color_png=png(*base_size, seed=1),
        normal_png=png(64, 64, seed=2),
        metallic_roughness_png=png(64, 64, seed=3),
    )


def test_copies_pass_the_khronos_validator_without_errors(tmp_path: Path) -> None:
    copies = {
        "decimated.glb": lightweight_glb(uv_sphere(60, 120, _pbr()), max_triangles=3000),
        "as_is.glb": lightweight_glb(grid(8, 8, _pbr()), max_triangles=3000),
        "unlit.glb": lightweight_glb(
            uv_sphere(30, 60, Material(name="baked", base_color_png=png(32, 32), unlit=True)),
            max_triangles=1000,
        ),
        "plain.glb": lightweight_glb(uv_sphere(30, 60), max_triangles=1000),
    }
    for name, data in copies.items():
        (tmp_path / name).write_bytes(data)

    reports = validate_glbs([tmp_path / name for name in copies])

    for name, report in reports.items():
        errors, _ = counts(report)
        assert errors == 0, f"{name}:\n{issue_summary(report)}"


def test_a_mesh_over_the_cap_is_decimated_to_at_most_the_cap() -> None:
    source = uv_sphere(100, 200, _pbr())  # 40,000 triangles

    copy = read_glb(lightweight_glb(source, max_triangles=8000))

    assert 2000 < copy.triangle_count <= 8000


def test_the_bounds_stay_within_two_percent_of_the_diagonal() -> None:
    source = uv_sphere(100, 200, _pbr())
    low, high = source.bounds()

    copy_low, copy_high = read_glb(lightweight_glb(source, max_triangles=8000)).bounds()

    tolerance = 0.02 * float(np.linalg.norm(high - low))
    np.testing.assert_allclose(copy_low, low, atol=tolerance)
    np.testing.assert_allclose(copy_high, high, atol=tolerance)


def test_a_mesh_within_the_cap_keeps_every_vertex_and_triangle() -> None:
    source = uv_sphere(20, 40, _pbr())

    copy = read_glb(lightweight_glb(source, max_triangles=source.triangle_count))

    np.testing.assert_array_equal(copy.positions, source.positions)
    np.testing.assert_array_equal(copy.uvs, source.uvs)
    np.testing.assert_array_equal(copy.triangles, source.triangles)


def test_textures_are_scaled_down_so_the_longer_side_fits() -> None:
    material = Material(
        name="big",
        base_color_png=png(800, 400, seed=1),
        normal_png=png(600, 600, seed=2),
        metallic_roughness_png=png(300, 600, seed=3),
    )

    copy = read_glb(lightweight_glb(grid(4, 4, material), max_texture_px=256)).material

    assert copy is not None
    base = _image(copy.base_color_png)
    assert (base.format, base.size) == ("JPEG", (256, 128))
    normal = _image(copy.normal_png)
    assert (normal.format, normal.size) == ("PNG", (256, 256))
    packed = _image(copy.metallic_roughness_png)
    assert (packed.format, packed.size) == ("PNG", (128, 256))


def test_small_textures_keep_their_size_and_the_base_colour_becomes_jpeg() -> None:
    copy = read_glb(lightweight_glb(grid(4, 4, _pbr(base_size=(96, 48))))).material

    assert copy is not None
    assert (_image(copy.base_color_png).format, _image(copy.base_color_png).size) == (
        "JPEG",
        (96, 48),
    )
    assert copy.normal_png == _pbr().normal_png


def test_the_material_factors_survive() -> None:
    copy = read_glb(lightweight_glb(uv_sphere(60, 120, _pbr()), max_triangles=3000)).material

    assert copy is not None
    assert copy.base_color_factor == pytest.approx((0.9, 0.8, 0.7, 1.0))
    assert (copy.metallic_factor, copy.roughness_factor) == pytest.approx((0.3, 0.6))
    assert not copy.unlit


def test_only_an_unlit_material_uses_the_unlit_extension() -> None:
    unlit = Material(name="baked", base_color_png=png(16, 16), unlit=True)

    lit_doc, _ = glb_chunks(lightweight_glb(grid(4, 4, _pbr())))
    unlit_doc, _ = glb_chunks(lightweight_glb(grid(4, 4, unlit)))

    assert "extensionsUsed" not in lit_doc
    assert unlit_doc["extensionsUsed"] == ["KHR_materials_unlit"]
    copy = read_glb(lightweight_glb(grid(4, 4, unlit))).material
    assert copy is not None
    assert copy.unlit


def test_both_colours_of_the_texture_still_show_after_decimation() -> None:
    halves = Material(name="halves", base_color_png=solid_halves_png(RED, GREEN))
    copy = read_glb(lightweight_glb(uv_sphere(100, 200, halves), max_triangles=4000))

    pixels = np.asarray(render_rgb(copy, 128).convert("HSV"), dtype=np.int64).reshape(-1, 3)

    saturated = pixels[:, 1] > 120
    assert (saturated & ((pixels[:, 0] < 10) | (pixels[:, 0] > 245))).sum() > 500
    assert (saturated & (np.abs(pixels[:, 0] - 85) < 15)).sum() > 500


def test_a_texture_that_cannot_be_decoded_is_left_out() -> None:
    broken = Material(name="broken", base_color_png=b"\x89PNG\r\n\x1a\n not really")

    copy = read_glb(lightweight_glb(grid(4, 4, broken))).material

    assert copy is not None
    assert copy.base_color_png is None


def test_a_mesh_without_faces_is_refused() -> None:
    empty = Mesh(
        np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32), np.zeros((0, 2), np.float32)
    )

    with pytest.raises(ValueError, match="at least one face"):
        lightweight_glb(empty)
