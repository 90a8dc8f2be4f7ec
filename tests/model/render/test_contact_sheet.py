"""The contact sheet: several lit, textured views of one mesh in one small WEBP image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from rodin_mcp.model.mesh import Material, Mesh
from rodin_mcp.model.render.contact_sheet import render_contact_sheet
from tests.model.meshes import png, solid_halves_png, uv_sphere

RED = (220, 30, 30)
GREEN = (30, 200, 40)


def _decoded(webp: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(webp))
    assert image.format == "WEBP"
    return image.convert("RGB")


def _cells(image: Image.Image, size: int) -> list[NDArray[np.int64]]:
    pixels = np.asarray(image, dtype=np.int64)
    return [
        pixels[row : row + size, column : column + size]
        for row in range(0, image.height, size)
        for column in range(0, image.width, size)
    ]


def _red_green_sphere() -> Mesh:
    return uv_sphere(24, 48, Material(name="halves", base_color_png=solid_halves_png(RED, GREEN)))


def test_four_views_sit_in_a_two_by_two_grid_each_showing_the_object() -> None:
    image = _decoded(render_contact_sheet(_red_green_sphere(), views=4, size=96))

    assert image.size == (192, 192)
    for cell in _cells(image, 96):
        corner = cell[:6, :6].reshape(-1, 3).mean(axis=0)
        centre = cell[36:60, 36:60].reshape(-1, 3)
        assert corner.min() > 190  # light, neutral background
        assert np.abs(corner - corner.mean()).max() < 12
        assert np.abs(centre - corner).sum(axis=1).mean() > 60  # the object, not the background
        assert cell.std() > 20


def test_the_views_look_from_different_sides() -> None:
    cells = _cells(_decoded(render_contact_sheet(_red_green_sphere(), views=4, size=96)), 96)

    for i in range(len(cells)):
        for j in range(i + 1, len(cells)):
            assert np.abs(cells[i] - cells[j]).mean() > 8, (i, j)


@pytest.mark.parametrize(("views", "expected"), [(2, (256, 128)), (3, (384, 128))])
def test_two_or_three_views_sit_in_one_row(views: int, expected: tuple[int, int]) -> None:
    image = _decoded(render_contact_sheet(_red_green_sphere(), views=views, size=128))

    assert image.size == expected


def test_both_colours_of_the_texture_show_in_the_sheet() -> None:
    image = _decoded(render_contact_sheet(_red_green_sphere(), views=4, size=128))

    hsv = np.asarray(image.convert("HSV"), dtype=np.int64).reshape(-1, 3)
    hue, saturated = hsv[:, 0], hsv[:, 1] > 120
    red = saturated & ((hue < 10) | (hue > 245))
    green = saturated & (np.abs(hue - 85) < 15)  # 120 degrees on Pillow's 0-255 scale
    assert red.sum() > 2000
    assert green.sum() > 2000


def test_an_untextured_mesh_renders_in_grey() -> None:
    image = _decoded(render_contact_sheet(uv_sphere(12, 24), views=2, size=96))

    pixels = np.asarray(image, dtype=np.int64)
    chroma = pixels.max(axis=-1) - pixels.min(axis=-1)
    assert chroma.max() < 30
    assert pixels.std() > 10


def test_a_sheet_of_a_textured_mesh_of_over_100k_triangles_stays_under_300_kb() -> None:
    # Noise is the hardest texture to compress.
    noisy = uv_sphere(240, 240, Material(name="noise", base_color_png=png(1024, 1024, seed=4)))
    assert noisy.triangle_count > 100_000

    webp = render_contact_sheet(noisy, views=4, size=512)

    assert _decoded(webp).size == (1024, 1024)
    assert len(webp) < 300 * 1024


def test_the_same_mesh_gives_the_same_bytes() -> None:
    assert render_contact_sheet(_red_green_sphere(), size=64) == render_contact_sheet(
        _red_green_sphere(), size=64
    )


def test_a_passed_deadline_stops_after_the_first_view() -> None:
    sheet = render_contact_sheet(
        _red_green_sphere(), views=4, size=64, deadline=10.0, clock=lambda: 11.0
    )

    assert _decoded(sheet).size == (64, 64)


def test_a_deadline_still_ahead_leaves_every_view() -> None:
    sheet = render_contact_sheet(
        _red_green_sphere(), views=4, size=64, deadline=10.0, clock=lambda: 9.0
    )

    assert _decoded(sheet).size == (128, 128)


@pytest.mark.parametrize("views", [0, 1, 5])
def test_a_sheet_has_two_to_four_views(views: int) -> None:
    with pytest.raises(ValueError, match="2 to 4 views"):
        render_contact_sheet(_red_green_sphere(), views=views)
