"""A vectorised triangle rasteriser with a z-buffer, in numpy.

Triangles are grouped by the power-of-two size of their pixel bounding box, and each group is
tested against all candidate pixel centres of its boxes at once, so cost grows with covered
area rather than with a Python loop over triangles. The nearest fragment wins each pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Coverage", "rasterize"]

_MAX_CANDIDATES = 1 << 20  # pixel candidates tested per batch; bounds temporary memory
_INSIDE_EPS = -1e-7


@dataclass(frozen=True)
class Coverage:
    """Which triangle covers each pixel, and where inside it.

    Attributes:
        triangle: ``(height, width)`` int64 triangle index per pixel, -1 where nothing is drawn.
        barycentric: ``(height, width, 3)`` float64 screen-space barycentric weights.
    """

    triangle: NDArray[np.int64]
    barycentric: NDArray[np.float64]

    @property
    def mask(self) -> NDArray[np.bool_]:
        """True where a triangle covers the pixel."""
        return self.triangle >= 0


def _edge(
    ax: NDArray[np.float64],
    ay: NDArray[np.float64],
    bx: NDArray[np.float64],
    by: NDArray[np.float64],
    cx: NDArray[np.float64],
    cy: NDArray[np.float64],
) -> NDArray[np.float64]:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def rasterize(
    screen: NDArray[np.floating],
    triangles: NDArray[np.integer],
    width: int,
    height: int,
    *,
    cull_clockwise: bool = False,
) -> Coverage:
    """Rasterise triangles given in pixel coordinates.

    Args:
        screen: ``(n, 3)`` vertex ``x`` (right), ``y`` (down) in pixels, and a depth (smaller
            is nearer). A pixel is covered when its centre ``(i + 0.5, j + 0.5)`` is inside.
        triangles: ``(m, 3)`` vertex indices.
        width: Image width in pixels.
        height: Image height in pixels.
        cull_clockwise: Drop triangles that appear clockwise on screen (with y down), which are
            the back faces of a mesh wound counter-clockwise seen from outside.

    Returns:
        The per-pixel nearest triangle and its barycentric weights.
    """
    tri_buf = np.full(height * width, -1, dtype=np.int64)
    bary_buf = np.zeros((height * width, 3), dtype=np.float64)
    coverage = Coverage(tri_buf.reshape(height, width), bary_buf.reshape(height, width, 3))
    if len(triangles) == 0:
        return coverage
    s = np.asarray(screen, dtype=np.float64)
    tri = np.asarray(triangles, dtype=np.int64)
    x, y, z = s[tri, 0], s[tri, 1], s[tri, 2]  # each (m, 3)
    area = _edge(x[:, 0], y[:, 0], x[:, 1], y[:, 1], x[:, 2], y[:, 2])
    keep = np.abs(area) > 1e-12
    if cull_clockwise:
        keep &= area < 0
    with np.errstate(invalid="ignore"):
        x0 = np.clip(np.ceil(x.min(axis=1) - 0.5), 0, width - 1)
        x1 = np.clip(np.floor(x.max(axis=1) - 0.5), 0, width - 1)
        y0 = np.clip(np.ceil(y.min(axis=1) - 0.5), 0, height - 1)
        y1 = np.clip(np.floor(y.max(axis=1) - 0.5), 0, height - 1)
    keep &= np.isfinite(area) & (x.max(axis=1) >= 0.5) & (x.min(axis=1) <= width - 0.5)
    keep &= (y.max(axis=1) >= 0.5) & (y.min(axis=1) <= height - 0.5) & (x0 <= x1) & (y0 <= y1)
    ids = np.nonzero(keep)[0]
    if len(ids) == 0:
        return coverage
    bw = (x1[ids] - x0[ids] + 1).astype(np.int64)
    bh = (y1[ids] - y0[ids] + 1).astype(np.int64)
    kw = np.ceil(np.log2(bw)).astype(np.int64)
    kh = np.ceil(np.log2(bh)).astype(np.int64)
    bucket = kw * 64 + kh

    # Barycentric weights are affine in the pixel position: b_k = A_k x + B_k y + C_k. Evaluate
    # them relative to each triangle's first candidate pixel to keep the numbers small.
    coeffs: list[tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]] = []
    for a, b in ((1, 2), (2, 0)):
        dx, dy = x[:, b] - x[:, a], y[:, b] - y[:, a]
        inv = 1.0 / np.where(area == 0, 1.0, area)
        ca, cb = -dy * inv, dx * inv
        base = ca * (x0 + 0.5 - x[:, a]) + cb * (y0 + 0.5 - y[:, a])
        coeffs.append((ca, cb, base))

    frags_pix: list[NDArray[np.int64]] = []
    frags_z: list[NDArray[np.float64]] = []
    frags_tri: list[NDArray[np.int64]] = []
    frags_bary: list[NDArray[np.float64]] = []
    for key in np.unique(bucket):
        members = ids[bucket == key]
        sw, sh = 1 << int(key // 64), 1 << int(key % 64)
        oy, ox = np.divmod(np.arange(sw * sh, dtype=np.int64), sw)
        fox, foy = ox.astype(np.float64)[None, :], oy.astype(np.float64)[None, :]
        batch = max(1, _MAX_CANDIDATES // (sw * sh))
        for start in range(0, len(members), batch):
            t = members[start : start + batch]
            inside = (ox[None, :] <= (x1[t] - x0[t])[:, None]) & (
                oy[None, :] <= (y1[t] - y0[t])[:, None]
            )
            (a0, b0c, c0), (a1, b1c, c1) = coeffs
            w0 = c0[t][:, None] + a0[t][:, None] * fox + b0c[t][:, None] * foy
            w1 = c1[t][:, None] + a1[t][:, None] * fox + b1c[t][:, None] * foy
            w2 = 1.0 - w0 - w1
            inside &= (w0 >= _INSIDE_EPS) & (w1 >= _INSIDE_EPS) & (w2 >= _INSIDE_EPS)
            rows, cols = np.nonzero(inside)
            if len(rows) == 0:
                continue
            tri_rows = t[rows]
            w = np.stack([w0[rows, cols], w1[rows, cols], w2[rows, cols]], axis=1)
            px = x0[tri_rows].astype(np.int64) + ox[cols]
            py = y0[tri_rows].astype(np.int64) + oy[cols]
            frags_pix.append(py * width + px)
            frags_z.append(np.einsum("fk,fk->f", w, z[tri_rows]))
            frags_tri.append(tri_rows)
            frags_bary.append(w)
    if not frags_pix:
        return coverage
    pix = np.concatenate(frags_pix)
    depth = np.concatenate(frags_z)
    owner = np.concatenate(frags_tri)
    bary = np.concatenate(frags_bary)
    # Nearest fragment wins; among equally near ones the lowest triangle index, so ties
    # resolve the same way every time.
    zbuf = np.full(height * width, np.inf)
    np.minimum.at(zbuf, pix, depth)
    nearest = np.nonzero(depth <= zbuf[pix])[0]
    first_tri = np.full(height * width, np.iinfo(np.int64).max)
    np.minimum.at(first_tri, pix[nearest], owner[nearest])
    winners = nearest[owner[nearest] == first_tri[pix[nearest]]]
    tri_buf[pix[winners]] = owner[winners]
    bary_buf[pix[winners]] = np.clip(bary[winners], 0.0, 1.0)
    return coverage
