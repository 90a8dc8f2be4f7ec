"""The prepared scene: bounds, bounding sphere and decoded textures, shared by every view."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from rodin_mcp.model.mesh import Material
from rodin_mcp.model.render.scene import MAX_TEXTURE_PIXELS, decode_texture, prepare_scene
from tests.model.meshes import grid, png, uv_sphere


def test_the_bounding_sphere_holds_every_vertex_and_touches_the_farthest() -> None:
    sphere = uv_sphere(12, 24)
    shifted = type(sphere)(
        positions=sphere.positions + np.float32(3.0),
        normals=sphere.normals,
        uvs=sphere.uvs,
        triangles=sphere.triangles,
    )

    scene = prepare_scene(shifted)

    np.testing.assert_allclose(scene.centre, [3.0, 3.0, 3.0], atol=1e-6)
    assert abs(scene.radius - 1.0) < 1e-5


def test_textures_are_decoded_once_with_roughness_and_metallic_apart() -> None:
    material = Material(name="m", base_color_png=png(8, 4, 1), metallic_roughness_png=png(8, 8, 2))

    scene = prepare_scene(grid(2, 2, material))

    assert scene.base_colour is not None
    assert scene.base_colour.shape == (4, 8, 3)
    with Image.open(io.BytesIO(png(8, 8, 2))) as packed:
        expected = np.asarray(packed.convert("RGB"))[:, :, 1:3]
    np.testing.assert_array_equal(scene.roughness_metallic, expected)


def test_a_mesh_without_material_is_marked_untextured() -> None:
    scene = prepare_scene(grid(2, 2))

    assert not scene.textured
    assert scene.base_colour is None


def test_bytes_that_are_no_image_decode_to_nothing() -> None:
    assert decode_texture(b"\x89PNG\r\n\x1a\n broken") is None
    assert decode_texture(b"") is None
    assert decode_texture(None) is None


def test_an_image_over_the_pixel_cap_is_not_decoded() -> None:
    # A PNG header is enough: the size is read before any pixel is decoded.
    side = int(MAX_TEXTURE_PIXELS**0.5) + 1
    out = io.BytesIO()
    Image.new("L", (side, 1)).save(out, format="PNG")
    wide = out.getvalue()

    assert decode_texture(wide) is not None  # wide but within the cap
    tall = io.BytesIO()
    Image.new("1", (side, side)).save(tall, format="PNG")
    assert decode_texture(tall.getvalue()) is None
