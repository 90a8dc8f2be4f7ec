"""A vectorised triangle rasteriser with a z-buffer, in numpy.

Triangles are grouped by the power-of-two size of their pixel bounding box, and each group is
tested against all candidate pixel centres of its boxes at once, so cost grows with covered
area rather than with a Python loop over triangles. The nearest fragment wins each pixel.

The depth test packs each fragment's quantised depth and its triangle's number into one int64
key, so a single ``minimum.at`` per batch keeps the nearest fragment (and, among equally near
ones, the lowest triangle index); no fragment list is kept. Barycentric weights are computed
afterwards, for the winning triangle of each covered pixel only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

__all__ = ["Coverage", "rasterize"]

Float = NDArray[np.float64]
Index = NDArray[np.int64]

_MAX_CANDIDATES = 1 << 20  # pixel candidates tested per batch; bounds temporary memory
_INSIDE_EPS = -1e-7
_KEY_BITS = 62  # depth bits + triangle bits; keeps keys positive and below the empty marker
_EMPTY = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Coverage:
    """Which triangle covers each pixel, and where inside it.

    Attributes:
        triangle: ``(height, width)`` int64 triangle index per pixel, -1 where nothing is drawn.
        pixels: ``(p,)`` int64 flat indices (``row * width + column``) of the covered pixels,
            ascending.
        weights: ``(p, 3)`` float64 screen-space barycentric weights of those pixels.
    """

    triangle: NDArray[np.int64]
    pixels: NDArray[np.int64]
    weights: NDArray[np.float64]

    @property
    def mask(self) -> NDArray[np.bool_]:
        """True where a triangle covers the pixel."""
        return self.triangle >= 0

    @cached_property
    def barycentric(self) -> NDArray[np.float64]:
        """``(height, width, 3)`` barycentric weights per pixel, zeros where nothing is drawn."""
        height, width = self.triangle.shape
        full = np.zeros((height * width, 3), dtype=np.float64)
        full[self.pixels] = self.weights
        return full.reshape(height, width, 3)


def _empty(width: int, height: int) -> Coverage:
    triangle = np.full((height, width), -1, dtype=np.int64)
    return Coverage(triangle, np.zeros(0, np.int64), np.zeros((0, 3), np.float64))


@dataclass(frozen=True)
class _Setup:
    """Per visible triangle: its number, pixel box, and affine weight and depth planes.

    Weight ``k`` of a pixel at offset ``(fx, fy)`` from the box's first pixel centre is
    ``c[k] + a[k] * fx + b[k] * fy`` (k = 0, 1; the third is ``1 - w0 - w1``); depth is the
    same with ``dz``.
    """

    ids: Index
    x0: Index
    y0: Index
    box_w: Index
    box_h: Index
    a: tuple[Float, Float]
    b: tuple[Float, Float]
    c: tuple[Float, Float]
    dz: tuple[Float, Float, Float]
    depth_range: tuple[float, float]


def _min3(v: Float) -> Float:
    # Column-wise: numpy reductions along a length-3 axis are several times slower.
    return np.minimum(np.minimum(v[:, 0], v[:, 1]), v[:, 2])


def _max3(v: Float) -> Float:
    return np.maximum(np.maximum(v[:, 0], v[:, 1]), v[:, 2])


def _setup(s: Float, tri: Index, width: int, height: int, cull_clockwise: bool) -> _Setup | None:
    # ``take`` of a contiguous column: several times faster than ``s[tri, 0]``.
    x = np.take(np.ascontiguousarray(s[:, 0]), tri)  # (m, 3)
    y = np.take(np.ascontiguousarray(s[:, 1]), tri)
    area = (x[:, 1] - x[:, 0]) * (y[:, 2] - y[:, 0]) - (y[:, 1] - y[:, 0]) * (x[:, 2] - x[:, 0])
    keep = np.abs(area) > 1e-12
    if cull_clockwise:
        keep &= area < 0
    finite = np.isfinite(s[:, 0]) & np.isfinite(s[:, 1]) & np.isfinite(s[:, 2])
    keep &= finite[tri[:, 0]] & finite[tri[:, 1]] & finite[tri[:, 2]]
    ids = np.nonzero(keep)[0]
    x, y, area = x[ids], y[ids], area[ids]
    low_x, high_x, low_y, high_y = _min3(x), _max3(x), _min3(y), _max3(y)
    x0 = np.clip(np.ceil(low_x - 0.5), 0, width - 1)
    x1 = np.clip(np.floor(high_x - 0.5), 0, width - 1)
    y0 = np.clip(np.ceil(low_y - 0.5), 0, height - 1)
    y1 = np.clip(np.floor(high_y - 0.5), 0, height - 1)
    on = (high_x >= 0.5) & (low_x <= width - 0.5) & (high_y >= 0.5) & (low_y <= height - 0.5)
    on &= (x0 <= x1) & (y0 <= y1)
    if not on.any():
        return None
    ids, x, y, area = ids[on], x[on], y[on], area[on]
    x0, x1, y0, y1 = x0[on], x1[on], y0[on], y1[on]
    inv = 1.0 / area
    planes: list[tuple[Float, Float, Float]] = []
    for i, j in ((1, 2), (2, 0)):
        dx, dy = x[:, j] - x[:, i], y[:, j] - y[:, i]
        a, b = -dy * inv, dx * inv
        planes.append((a, b, a * (x0 + 0.5 - x[:, i]) + b * (y0 + 0.5 - y[:, i])))
    z = np.take(np.ascontiguousarray(s[:, 2]), np.take(tri, ids, axis=0))
    (a0, b0, c0), (a1, b1, c1) = planes
    dz0, dz1 = z[:, 0] - z[:, 2], z[:, 1] - z[:, 2]
    depth_plane = (a0 * dz0 + a1 * dz1, b0 * dz0 + b1 * dz1, z[:, 2] + c0 * dz0 + c1 * dz1)
    return _Setup(
        ids=ids,
        x0=x0.astype(np.int64),
        y0=y0.astype(np.int64),
        box_w=(x1 - x0 + 1).astype(np.int64),
        box_h=(y1 - y0 + 1).astype(np.int64),
        a=(a0, a1),
        b=(b0, b1),
        c=(c0, c1),
        dz=depth_plane,
        depth_range=(float(z.min()), float(z.max())),
    )


@dataclass(frozen=True)
class _DepthKey:
    """Packs quantised depth (high bits) and a visible triangle's position (low bits)."""

    low: float
    scale: float
    id_bits: int

    @classmethod
    def spanning(cls, low: float, high: float, count: int) -> _DepthKey:
        id_bits = max(1, int(count).bit_length())
        levels = float((1 << (_KEY_BITS - id_bits)) - 1)
        return cls(low, levels / (high - low) if high > low else 0.0, id_bits)

    def pack(self, depth: Float, position: Index) -> Index:
        top = float((1 << (_KEY_BITS - self.id_bits)) - 1)
        quantised = np.clip((depth - self.low) * self.scale, 0.0, top).astype(np.int64)
        return (quantised << self.id_bits) | position


def _nearest_keys(setup: _Setup, width: int, height: int, key: _DepthKey) -> Index:
    """Per pixel, the smallest fragment key (``_EMPTY`` where nothing is drawn)."""
    keys = np.full(height * width, _EMPTY, dtype=np.int64)
    size_class = np.ceil(np.log2(setup.box_w)).astype(np.int64) * 64 + np.ceil(
        np.log2(setup.box_h)
    ).astype(np.int64)
    order = np.argsort(size_class, kind="stable")
    classes, starts = np.unique(size_class[order], return_index=True)
    ends = [*starts[1:].tolist(), len(order)]
    (a0, a1), (b0, b1), (c0, c1) = setup.a, setup.b, setup.c
    za, zb, zc = setup.dz
    for size, start, end in zip(classes.tolist(), starts.tolist(), ends, strict=True):
        sw, sh = 1 << (size // 64), 1 << (size % 64)
        oy, ox = np.divmod(np.arange(sw * sh, dtype=np.int64), sw)
        fox, foy = ox.astype(np.float64), oy.astype(np.float64)
        batch = max(1, _MAX_CANDIDATES // (sw * sh))
        for first in range(start, end, batch):
            t = order[first : min(first + batch, end)]
            inside = (ox < setup.box_w[t][:, None]) & (oy < setup.box_h[t][:, None])
            w0 = c0[t][:, None] + a0[t][:, None] * fox + b0[t][:, None] * foy
            w1 = c1[t][:, None] + a1[t][:, None] * fox + b1[t][:, None] * foy
            inside &= w0 >= _INSIDE_EPS
            inside &= w1 >= _INSIDE_EPS
            inside &= (1.0 - w0 - w1) >= _INSIDE_EPS
            rows, cols = np.nonzero(inside)
            if len(rows) == 0:
                continue
            owner = t[rows]
            pix = (setup.y0[owner] + oy[cols]) * width + setup.x0[owner] + ox[cols]
            depth = zc[owner] + za[owner] * fox[cols] + zb[owner] * foy[cols]
            np.minimum.at(keys, pix, key.pack(depth, owner))
    return keys


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
        The per-pixel nearest triangle and its barycentric weights. Depths closer than one
        part in about 2^40 of the drawn depth range count as equal (lowest triangle wins).
    """
    if len(triangles) == 0:
        return _empty(width, height)
    s = np.asarray(screen, dtype=np.float64)
    tri = np.asarray(triangles, dtype=np.int64)
    setup = _setup(s, tri, width, height, cull_clockwise)
    if setup is None:
        return _empty(width, height)
    key = _DepthKey.spanning(*setup.depth_range, len(setup.ids))
    keys = _nearest_keys(setup, width, height, key)
    pixels = np.nonzero(keys != _EMPTY)[0]
    owner = keys[pixels] & ((1 << key.id_bits) - 1)
    fx = (pixels % width - setup.x0[owner]).astype(np.float64)
    fy = (pixels // width - setup.y0[owner]).astype(np.float64)
    (a0, a1), (b0, b1), (c0, c1) = setup.a, setup.b, setup.c
    w0 = c0[owner] + a0[owner] * fx + b0[owner] * fy
    w1 = c1[owner] + a1[owner] * fx + b1[owner] * fy
    weights = np.clip(np.stack([w0, w1, 1.0 - w0 - w1], axis=1), 0.0, 1.0)
    triangle = np.full(height * width, -1, dtype=np.int64)
    triangle[pixels] = setup.ids[owner]
    return Coverage(triangle.reshape(height, width), pixels, weights)
