"""A contact sheet of a model file, made within a time budget or not at all.

Meant for a worker thread that previews a freshly downloaded model: it refuses up front what it
could not finish in time (files too big to read, meshes with too many triangles, a budget too
short for even one view), and renders further views only while the budget lasts. The cost
estimates are deliberately pessimistic figures measured on a shared 2-core VM.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rodin_mcp.model.glb_reader import read_glb
from rodin_mcp.model.render.contact_sheet import SHEET_SUPERSAMPLE, render_contact_sheet
from rodin_mcp.model.sniffing import model_format

__all__ = [
    "MAX_PREVIEW_FILE_BYTES",
    "MAX_PREVIEW_TRIANGLES",
    "estimated_view_seconds",
    "preview_of_file",
]

MAX_PREVIEW_FILE_BYTES = 128 * 1024 * 1024
MAX_PREVIEW_TRIANGLES = 2_000_000

_READ_SECONDS_PER_BYTE = 1.5e-8
_VIEW_SECONDS_PER_TRIANGLE = 2.5e-7
_VIEW_SECONDS_PER_PIXEL = 6e-7  # of the supersampled image, shading included


def estimated_view_seconds(triangle_count: int, size: int) -> float:
    """A pessimistic guess at the seconds one sheet view of such a mesh takes."""
    pixels = (size * SHEET_SUPERSAMPLE) ** 2
    return triangle_count * _VIEW_SECONDS_PER_TRIANGLE + pixels * _VIEW_SECONDS_PER_PIXEL


def preview_of_file(
    path: Path,
    *,
    budget_seconds: float,
    views: int = 4,
    size: int = 512,
    max_file_bytes: int = MAX_PREVIEW_FILE_BYTES,
    max_triangles: int = MAX_PREVIEW_TRIANGLES,
    clock: Callable[[], float] = time.monotonic,
) -> bytes | None:
    """The WEBP contact sheet of a model file (see :func:`render_contact_sheet`), or None.

    Only GLB files are read: named ``.glb``, or holding a GLB whatever their name (an upload is
    stored without one). None means no preview was made: the file is not a GLB, is larger
    than ``max_file_bytes``, has no triangles or more than ``max_triangles``, or
    ``budget_seconds`` (counted from the call) would not cover reading it and rendering one view.
    Views after the first are started only while the estimate of one more fits the budget, so
    the sheet may hold fewer views than asked for.

    Args:
        path: The model file.
        budget_seconds: Time allowed for the whole preview.
        views: Views wanted, 2 to 4.
        size: Width and height of each view in pixels.
        max_file_bytes: Larger files are not read.
        max_triangles: Meshes with more triangles are not rendered.
        clock: Monotonic clock in seconds (the budget is measured on it).

    Raises:
        GLBReadError: The file is named ``.glb`` but is not a GLB the reader can use.
        OSError: The file cannot be read.
    """
    deadline = clock() + budget_seconds
    if path.suffix.lower() != ".glb" and model_format(path) != "glb":
        return None
    file_bytes = path.stat().st_size
    if file_bytes > max_file_bytes or clock() + file_bytes * _READ_SECONDS_PER_BYTE > deadline:
        return None
    mesh = read_glb(path.read_bytes())
    if mesh.face_count == 0 or mesh.triangle_count > max_triangles:
        return None
    one_view = estimated_view_seconds(mesh.triangle_count, size)
    if clock() + one_view > deadline:
        return None
    return render_contact_sheet(
        mesh, views=views, size=size, deadline=deadline - one_view, clock=clock
    )
