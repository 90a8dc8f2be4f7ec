"""The preview renderer: a lit, textured view that depends on the mesh it is given."""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.model.mesh import Material, Mesh
from rodin_mcp.model.render.preview import Camera, render_preview, render_rgb, render_view
from rodin_mcp.model.render.scene import prepare_scene
from tests.model.meshes import grid


def _texture(colour_a: tuple[int, int, int], colour_b: tuple[int, int, int]) -> bytes:
    checker = (np.indices((64, 64)).sum(axis=0) // 8) % 2
    pixels = np.where(checker[:, :, None] == 1, colour_a, colour_b).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _pixels(webp: bytes) -> NDArray[np.uint8]:
    with Image.open(io.BytesIO(webp)) as image:
        assert image.format == "WEBP"
        return np.asarray(image.convert("RGB"))


def _textured_patch() -> Mesh:
    return grid(
        24,
        24,
        Material(
            name="m", roughness_factor=0.6, base_color_png=_texture((200, 40, 30), (30, 60, 190))
        ),
    )


def test_the_preview_is_a_webp_showing_the_object_on_a_light_background() -> None:
    pixels = _pixels(render_preview(_textured_patch(), 256))

    assert pixels.shape == (256, 256, 3)
    corner = pixels[:8, :8].reshape(-1, 3).mean(axis=0)
    assert corner.min() > 200  # light background
    centre = pixels[96:160, 96:160].reshape(-1, 3).astype(int)
    assert np.abs(centre - corner).sum(axis=1).mean() > 60  # the object is not the background
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 500  # textured and lit, not flat


def test_the_texture_shows_in_the_render() -> None:
    red_blue = np.asarray(render_rgb(_textured_patch(), 128), dtype=int)
    plain = grid(24, 24, Material(name="m", base_color_factor=(0.5, 0.5, 0.5, 1.0)))
    grey = np.asarray(render_rgb(plain, 128), dtype=int)

    middle = (slice(48, 80), slice(48, 80))
    chroma = red_blue[middle].max(axis=-1) - red_blue[middle].min(axis=-1)
    grey_chroma = grey[middle].max(axis=-1) - grey[middle].min(axis=-1)
    assert chroma.mean() > 60
    assert grey_chroma.mean() < 12


def test_lighting_varies_across_a_curved_surface() -> None:
    plain = grid(32, 32, Material(name="m", base_color_factor=(0.6, 0.6, 0.6, 1.0)))
    bumpy = Mesh(
        positions=plain.positions * np.array([1.0, 4.0, 1.0], dtype=np.float32),
        normals=plain.normals,
        uvs=plain.uvs,
        quads=plain.quads,
        material=plain.material,
    )

    pixels = np.asarray(render_rgb(bumpy, 128), dtype=int)

    object_pixels = pixels[40:90, 40:90].sum(axis=-1)
    assert object_pixels.max() - object_pixels.min() > 90


def test_the_camera_changes_the_picture_and_the_same_input_gives_the_same_bytes() -> None:
    mesh = _textured_patch()

    front = np.asarray(render_rgb(mesh, 96, camera=Camera(azimuth=0.0, elevation=60.0)), dtype=int)
    side = np.asarray(render_rgb(mesh, 96, camera=Camera(azimuth=80.0, elevation=10.0)), dtype=int)

    assert np.abs(front - side).mean() > 10
    assert render_preview(mesh, 96) == render_preview(mesh, 96)


def test_an_unlit_material_shows_its_colour_unshaded() -> None:
    flat = grid(
        8,
        8,
        Material(name="baked", base_color_png=_texture((90, 160, 90), (90, 160, 90)), unlit=True),
    )

    pixels = np.asarray(render_rgb(flat, 64, supersample=1), dtype=int)

    covered = np.abs(pixels - [90, 160, 90]).sum(axis=-1) <= 3
    assert covered.sum() > 200


def test_a_fractional_supersample_still_gives_the_asked_size_and_smooth_edges() -> None:
    scene = prepare_scene(_textured_patch())

    sharp = np.asarray(render_view(scene, 96, supersample=1.0), dtype=int)
    smooth = np.asarray(render_view(scene, 96, supersample=1.5), dtype=int)

    assert sharp.shape == smooth.shape == (96, 96, 3)
    # Averaging 2.25 samples a pixel makes in-between colours along edges: more distinct ones.
    assert len(np.unique(smooth.reshape(-1, 3), axis=0)) > len(
        np.unique(sharp.reshape(-1, 3), axis=0)
    )
