"""A contact sheet: two to four lit, textured views of a mesh in one WEBP image.

The views, in order: front three-quarter (from the front right, a little above), back
three-quarter from the other side, left profile, and a high view from the front left. Four
views sit in a 2 x 2 grid; two or three sit in a row. Every view is framed on the mesh's
bounding sphere, so they share one scale.

The sheet is cheap enough to make on a worker thread for a freshly downloaded model: the mesh is
prepared once (triangles, bounds, decoded textures; :mod:`rodin_mcp.model.render.scene`), each
view only projects, rasterises and shades, and views are supersampled 1.5 times (2.25 samples a
pixel, box-filtered down) rather than twice: shading cost follows the pixel count whatever the
mesh, and twice would make four views take about 1.8 times as long. Views
render on ``workers`` threads: numpy releases the GIL in its array loops, so two threads made
four views of a 500k-triangle mesh 1.5-1.7 times faster on an idle 2-core VM (no faster when the
other core was busy). With a ``deadline``, the views after the first are started only while time
remains, and the sheet holds the views made so far (in order, up to the first one skipped).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from rodin_mcp.model.mesh import Mesh
from rodin_mcp.model.render.preview import Camera, render_view
from rodin_mcp.model.render.scene import prepare_scene

__all__ = ["MAX_SHEET_BYTES", "SHEET_CAMERAS", "SHEET_SUPERSAMPLE", "render_contact_sheet"]

SHEET_CAMERAS = (
    Camera(azimuth=35.0, elevation=20.0),
    Camera(azimuth=-145.0, elevation=20.0),
    Camera(azimuth=-90.0, elevation=6.0),
    Camera(azimuth=-30.0, elevation=60.0),
)
"""The sheet's viewpoints, in the order they are rendered and laid out."""

SHEET_SUPERSAMPLE = 1.5
"""Each view is rendered this many times larger, then averaged down (anti-aliasing)."""

MAX_SHEET_BYTES = 250 * 1024
"""The sheet is re-encoded at lower WEBP qualities until it fits (detailed textures need it)."""

_WEBP_QUALITIES = (82, 70, 55, 40, 25)


def _grid(count: int) -> tuple[int, int]:
    """Columns and rows of the layout for ``count`` views."""
    return (2, 2) if count == 4 else (count, 1)


def render_contact_sheet(
    mesh: Mesh,
    *,
    views: int = 4,
    size: int = 512,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    workers: int = 2,
) -> bytes:
    """Render ``views`` views of ``mesh`` into one WEBP image, each ``size`` x ``size`` pixels.

    Deterministic for equal input (when no deadline cuts it short).

    Args:
        mesh: The mesh, with its material and textures.
        views: How many views, 2 to 4 (see :data:`SHEET_CAMERAS`).
        size: Width and height of each view in pixels.
        deadline: A ``clock()`` time after which no further view is started; the first view is
            always rendered, so the sheet may hold fewer views than asked for.
        clock: The clock ``deadline`` is read on.
        workers: Threads rendering views at once.

    Returns:
        The encoded WEBP image (at most :data:`MAX_SHEET_BYTES` unless even the lowest quality
        tried is larger): 2 x 2 views for four, one row for two or three.

    Raises:
        ValueError: ``views`` is not 2-4 or ``size`` is below 16.
    """
    if not 2 <= views <= len(SHEET_CAMERAS):
        raise ValueError(f"a contact sheet has 2 to {len(SHEET_CAMERAS)} views, not {views}")
    if size < 16:
        raise ValueError("a contact sheet view is at least 16 pixels wide")
    scene = prepare_scene(mesh)

    def view(index: int) -> Image.Image | None:
        if index > 0 and deadline is not None and clock() >= deadline:
            return None
        return render_view(scene, size, supersample=SHEET_SUPERSAMPLE, camera=SHEET_CAMERAS[index])

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(view, range(views)))
    rendered: list[Image.Image] = []
    for image in results:
        if image is None:
            break
        rendered.append(image)
    return _encode(_layout(rendered, size))


def _layout(rendered: list[Image.Image], size: int) -> Image.Image:
    columns, rows = _grid(len(rendered))
    sheet = Image.new("RGB", (columns * size, rows * size))
    for index, view in enumerate(rendered):
        sheet.paste(view, ((index % columns) * size, (index // columns) * size))
    return sheet


def _encode(sheet: Image.Image) -> bytes:
    """WEBP at the highest quality in the ladder that fits ``MAX_SHEET_BYTES`` (else the lowest)."""
    encoded = b""
    for quality in _WEBP_QUALITIES:
        out = io.BytesIO()
        sheet.save(out, format="WEBP", quality=quality, method=4)
        encoded = out.getvalue()
        if len(encoded) <= MAX_SHEET_BYTES:
            break
    return encoded
