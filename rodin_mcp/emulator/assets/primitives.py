"""Parametric building blocks (lofts, boxes, superellipsoids, tori) tessellated to a density.

Every primitive is a *spec*: it can say how many faces it would have at a given density
(segments per metre) without building anything, so the face budget can be solved exactly, and
it can build its :class:`Surface` pieces at that density. Faces are quads wherever the
parametrisation allows, with triangle fans only at poles and flat caps. Surfaces come out
closed and wound counter-clockwise seen from outside.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Box",
    "Loft",
    "PartSpec",
    "Station",
    "Superellipsoid",
    "Surface",
    "Torus",
    "circle_outline",
    "placement",
    "rotation",
]

Float = NDArray[np.float64]
Index = NDArray[np.int64]
_EPS = 1e-9


@dataclass(frozen=True)
class Surface:
    """One smoothing group: normals are shared across its seams, hard against other surfaces.

    Attributes:
        positions: ``(n, 3)`` vertex positions.
        uvs: ``(n, 2)`` local coordinates in [0, 1], V growing downwards in the texture.
        quads: ``(k, 4)`` quad faces.
        triangles: ``(m, 3)`` triangle faces.
        size: Physical extent of the UV rectangle in metres ``(along U, along V)``.
        slot: Name of the material slot that paints it.
    """

    positions: Float
    uvs: Float
    quads: Index
    triangles: Index
    size: tuple[float, float]
    slot: str

    def transformed(self, matrix: Float) -> Surface:
        """The surface moved by a 4x4 rigid transform (winding kept outward)."""
        moved = np.einsum("ij,nj->ni", matrix[:3, :3], self.positions) + matrix[:3, 3]
        quads, tris = self.quads, self.triangles
        if np.linalg.det(matrix[:3, :3]) < 0:
            quads, tris = quads[:, ::-1].copy(), tris[:, ::-1].copy()
        return Surface(moved, self.uvs, quads, tris, self.size, self.slot)


class PartSpec(Protocol):
    """A primitive that can count and build its faces at a density."""

    @property
    def slot(self) -> str:
        """Name of the material slot that paints the part."""
        ...

    def face_count(self, density: float) -> tuple[int, int]:
        """``(quads, triangles)`` this part has at ``density`` segments per metre."""
        ...

    def build(self, density: float) -> list[Surface]:
        """The part's surfaces at ``density`` segments per metre, in world placement."""
        ...


def rotation(axis: str, degrees: float) -> Float:
    """A 4x4 rotation about ``"x"``, ``"y"`` or ``"z"``."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    m = np.eye(4)
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def placement(
    translate: Sequence[float] = (0.0, 0.0, 0.0), turns: Sequence[tuple[str, float]] = ()
) -> Float:
    """A rigid transform: the rotations in order, then a translation."""
    m = np.eye(4)
    for axis, degrees in turns:
        m = rotation(axis, degrees) @ m
    m[:3, 3] = translate
    return m


def _steps(length: float, density: float, minimum: int = 1) -> int:
    return max(minimum, round(length * density))


def circle_outline(count: int) -> Float:
    """``count`` points of the unit circle in the XZ plane, counter-clockwise seen from +Y."""
    a = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
    return np.stack([np.cos(a), -np.sin(a)], axis=1)


def _grid_quads(rows: int, cols: int, row_stride: int, start: int = 0) -> Index:
    """Quads of a (rows+1) x (cols+1) vertex grid, row-major, ``row_stride`` vertices a row."""
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    a = start + r * row_stride + c
    quads = np.stack([a, a + row_stride, a + row_stride + 1, a + 1], axis=-1)
    return quads.reshape(-1, 4).astype(np.int64)


def _flipped(surface: Surface) -> Surface:
    return Surface(
        surface.positions,
        surface.uvs,
        surface.quads[:, ::-1].copy(),
        surface.triangles[:, ::-1].copy(),
        surface.size,
        surface.slot,
    )


def _signed_volume(surfaces: Sequence[Surface]) -> float:
    centre = np.concatenate([s.positions for s in surfaces]).mean(axis=0)
    volume = 0.0
    for s in surfaces:
        p = s.positions - centre
        tris = np.concatenate([s.quads[:, [0, 1, 2]], s.quads[:, [0, 2, 3]], s.triangles])
        if len(tris):
            volume += float(np.sum(p[tris[:, 0]] * np.cross(p[tris[:, 1]], p[tris[:, 2]])))
    return volume


def _ring_grid(
    rings: Float,
    ring_v: Float,
    size: tuple[float, float],
    slot: str,
    ends: tuple[str, str],
) -> list[Surface]:
    """A closed tube of rings ``(r, s, 3)`` ordered along the tube.

    Each end is ``"pole"`` (the ring has collapsed to a point: it becomes a triangle fan),
    ``"cap"`` (a flat fan to the ring's centre, as a separate surface for a hard edge) or
    ``"open"`` (the tube closes on itself elsewhere). The result is wound outward as a whole.
    """
    r_count, s_count = int(rings.shape[0]), int(rings.shape[1])
    lo = 1 if ends[0] == "pole" else 0
    hi = r_count - 1 if ends[1] == "pole" else r_count
    body = rings[lo:hi]
    rows = int(body.shape[0])
    # Each ring repeats its first point at u = 1 so the UV seam is clean.
    wrapped = np.concatenate([body, body[:, :1]], axis=1)
    u = np.linspace(0.0, 1.0, s_count + 1)
    positions = [wrapped.reshape(-1, 3)]
    uvs = [np.stack(np.meshgrid(u, ring_v[lo:hi], indexing="xy"), axis=-1).reshape(-1, 2)]
    quads = _grid_quads(rows - 1, s_count, s_count + 1)
    fans: list[Index] = []
    caps: list[Surface] = []
    count = rows * (s_count + 1)
    segment = np.arange(s_count, dtype=np.int64)
    centres = (segment + 0.5) / s_count
    for end, ring_row, pole_row in ((0, 0, 0), (1, rows - 1, r_count - 1)):
        ring: Index = ring_row * (s_count + 1) + segment
        # Row 0's quads run ring[i+1] -> ring[i]; the last row's run ring[i] -> ring[i+1].
        order = (0, 1) if end == 0 else (1, 0)
        if ends[end] == "pole":
            positions.append(np.repeat(rings[pole_row].mean(axis=0)[None, :], s_count, axis=0))
            uvs.append(np.stack([centres, np.full(s_count, ring_v[pole_row])], axis=1))
            tips: Index = count + segment
            pair: tuple[Index, Index] = (ring, ring + 1)
            fans.append(np.stack([tips, pair[order[0]], pair[order[1]]], axis=1))
            count += s_count
        elif ends[end] == "cap":
            caps.append(_cap(body[ring_row], slot, order))
    tris = np.concatenate(fans) if fans else np.zeros((0, 3), dtype=np.int64)
    side = Surface(np.concatenate(positions), np.concatenate(uvs), quads, tris, size, slot)
    surfaces = [side, *caps]
    if _signed_volume(surfaces) < 0:
        surfaces = [_flipped(s) for s in surfaces]
    return surfaces


def _cap(ring: Float, slot: str, order: tuple[int, int]) -> Surface:
    """A flat fan closing ``ring``, wound to match the side's edge order ``order``."""
    n = len(ring)
    centre = ring.mean(axis=0)
    positions = np.concatenate([ring, centre[None, :]])
    span = np.ptp(ring, axis=0)
    axes = np.argsort(span)[::-1][:2]
    lo = ring[:, axes].min(axis=0)
    extent = np.maximum(span[axes], _EPS)
    uv = np.concatenate([(ring[:, axes] - lo) / extent, np.array([[0.5, 0.5]])])
    idx = np.arange(n)
    pair = (idx, (idx + 1) % n)
    tris = np.stack([np.full(n, n), pair[order[0]], pair[order[1]]], axis=1).astype(np.int64)
    size = float(max(span.max(), _EPS))
    return Surface(positions, uv, np.zeros((0, 4), np.int64), tris, (size, size), slot)


@dataclass(frozen=True)
class Station:
    """One cross-section of a loft: the outline scaled and shifted at height ``y``."""

    y: float
    sx: float
    sz: float
    ox: float = 0.0
    oz: float = 0.0


@dataclass(frozen=True)
class Loft:
    """A tube along local +Y through stations; ends with zero scale become poles, others caps.

    ``outline`` is None for a circle (segment count from the density) or a closed convex polygon
    in XZ whose edges are subdivided by the density. With ``loop`` the last station joins the
    first, making a hollow shell (a lamp shade, a cup) with no ends.
    """

    stations: tuple[Station, ...]
    slot: str
    transform: Float = field(default_factory=lambda: np.eye(4))
    outline: tuple[tuple[float, float], ...] | None = None
    min_segments: int = 8
    loop: bool = False

    def _path(self) -> tuple[Station, ...]:
        return (*self.stations, self.stations[0]) if self.loop else self.stations

    def _segments(self, density: float) -> list[int]:
        scale = max(max(s.sx, s.sz) for s in self.stations)
        if self.outline is None:
            return [_steps(2 * math.pi * scale, density, self.min_segments)]
        pts = np.asarray(self.outline)
        edges = np.linalg.norm(np.roll(pts, -1, axis=0) - pts, axis=1) * scale
        return [_steps(float(e), density) for e in edges]

    def _spans(self, density: float) -> list[int]:
        out = [_steps(_station_gap(a, b), density) for a, b in self._pairs()]
        if all(self._poles()) and sum(out) < 3:
            out[0] += 3 - sum(out)
        return out

    def _pairs(self) -> list[tuple[Station, Station]]:
        path = self._path()
        return list(itertools.pairwise(path))

    def _poles(self) -> tuple[bool, bool]:
        if self.loop:
            return (False, False)
        first, last = self.stations[0], self.stations[-1]
        return (max(first.sx, first.sz) < _EPS, max(last.sx, last.sz) < _EPS)

    def face_count(self, density: float) -> tuple[int, int]:
        ring = sum(self._segments(density))
        rows = sum(self._spans(density))
        poles = self._poles()
        pole_rows = int(poles[0]) + int(poles[1])
        caps = 0 if self.loop else 2 - pole_rows
        return ring * (rows - pole_rows), ring * (pole_rows + caps)

    def _outline_points(self, density: float) -> Float:
        segments = self._segments(density)
        if self.outline is None:
            return circle_outline(segments[0])
        pts = np.asarray(self.outline, dtype=np.float64)
        out: list[Float] = []
        for i, steps in enumerate(segments):
            a, b = pts[i], pts[(i + 1) % len(pts)]
            t = np.arange(steps)[:, None] / steps
            out.append(a + (b - a) * t)
        return np.concatenate(out)

    def build(self, density: float) -> list[Surface]:
        outline = self._outline_points(density)
        rows: list[Float] = []
        vs: list[float] = []
        travelled = 0.0
        pairs = self._pairs()
        for i, ((a, b), steps) in enumerate(zip(pairs, self._spans(density), strict=True)):
            gap = _station_gap(a, b)
            for k in range(steps + (1 if i == len(pairs) - 1 else 0)):
                t = k / steps
                rows.append(_ring(outline, a, b, t))
                vs.append(travelled + t * gap)
            travelled += gap
        rings = np.stack(rows)
        total = max(travelled, _EPS)
        ring_v = 1.0 - np.asarray(vs) / total  # the loft's base sits at the rect's bottom
        perimeter = float(np.sum(np.linalg.norm(np.roll(rings, -1, 1) - rings, axis=2), 1).max())
        poles = self._poles()
        ends = tuple("open" if self.loop else "pole" if pole else "cap" for pole in poles)
        assert len(ends) == 2
        surfaces = _ring_grid(rings, ring_v, (perimeter, total), self.slot, (ends[0], ends[1]))
        return [s.transformed(self.transform) for s in surfaces]


def _station_gap(a: Station, b: Station) -> float:
    return math.hypot(b.y - a.y, max(abs(b.sx - a.sx), abs(b.sz - a.sz)))


def _ring(outline: Float, a: Station, b: Station, t: float) -> Float:
    sx = a.sx + (b.sx - a.sx) * t
    sz = a.sz + (b.sz - a.sz) * t
    ox = a.ox + (b.ox - a.ox) * t
    oz = a.oz + (b.oz - a.oz) * t
    y = a.y + (b.y - a.y) * t
    return np.stack(
        [outline[:, 0] * sx + ox, np.full(len(outline), y), outline[:, 1] * sz + oz], axis=1
    )


@dataclass(frozen=True)
class Box:
    """An axis-aligned box of ``size`` centred on the origin before ``transform``."""

    size: tuple[float, float, float]
    slot: str
    transform: Float = field(default_factory=lambda: np.eye(4))

    def _steps(self, density: float) -> tuple[int, int, int]:
        x, y, z = self.size
        return _steps(x, density), _steps(y, density), _steps(z, density)

    def face_count(self, density: float) -> tuple[int, int]:
        nx, ny, nz = self._steps(density)
        return 2 * (nx * ny + ny * nz + nx * nz), 0

    def build(self, density: float) -> list[Surface]:
        half = np.asarray(self.size) / 2.0
        nx, ny, nz = self._steps(density)
        counts = (nx, ny, nz)
        surfaces: list[Surface] = []
        # (normal axis, sign, u axis, v axis) with u x v pointing along the outward normal.
        faces = [
            (0, 1, 2, 1),
            (0, -1, 2, 1),
            (1, 1, 0, 2),
            (1, -1, 0, 2),
            (2, 1, 0, 1),
            (2, -1, 0, 1),
        ]
        for axis, sign, ua, va in faces:
            nu, nv = counts[ua], counts[va]
            u = np.linspace(-1.0, 1.0, nu + 1)
            v = np.linspace(-1.0, 1.0, nv + 1)
            vv, uu = np.meshgrid(v, u, indexing="ij")
            p = np.zeros((nv + 1, nu + 1, 3))
            p[..., axis] = sign * half[axis]
            p[..., ua] = uu * half[ua]
            p[..., va] = vv * half[va]
            uv = np.stack([(uu + 1) / 2, 1.0 - (vv + 1) / 2], axis=-1)
            quads = _grid_quads(nv, nu, nu + 1)
            size = (2 * float(half[ua]), 2 * float(half[va]))
            surface = Surface(
                p.reshape(-1, 3),
                uv.reshape(-1, 2),
                quads,
                np.zeros((0, 3), np.int64),
                size,
                self.slot,
            )
            surfaces.append(_orient_face(surface, axis, sign))
        return [s.transformed(self.transform) for s in surfaces]


def _orient_face(surface: Surface, axis: int, sign: int) -> Surface:
    p, q = surface.positions, surface.quads[0]
    normal = np.cross(p[q[1]] - p[q[0]], p[q[2]] - p[q[0]])
    if normal[axis] * sign < 0:
        return Surface(
            p,
            surface.uvs,
            surface.quads[:, ::-1].copy(),
            surface.triangles,
            surface.size,
            surface.slot,
        )
    return surface


@dataclass(frozen=True)
class Superellipsoid:
    """A superellipsoid (rounded box at low exponents, ellipsoid at 1), optionally bumpy.

    ``bumps`` displaces along the normal by a smooth seeded noise of that relative amplitude.
    """

    radii: tuple[float, float, float]
    slot: str
    transform: Float = field(default_factory=lambda: np.eye(4))
    exponent_lat: float = 1.0
    exponent_lon: float = 1.0
    bumps: float = 0.0
    bump_seed: int = 0

    def _steps(self, density: float) -> tuple[int, int]:
        rx, ry, rz = self.radii
        around = _steps(math.pi * (rx + rz), density, 8)
        down = _steps(math.pi * ry * 1.2, density, 4)
        return around, down

    def face_count(self, density: float) -> tuple[int, int]:
        around, down = self._steps(density)
        return around * (down - 2), 2 * around

    def build(self, density: float) -> list[Surface]:
        around, down = self._steps(density)
        lat = np.linspace(-math.pi / 2, math.pi / 2, down + 1)
        lon = np.linspace(0.0, 2 * math.pi, around, endpoint=False)
        la, lo = np.meshgrid(lat, lon, indexing="ij")
        cl, sl = (
            _signed_pow(np.cos(la), self.exponent_lat),
            _signed_pow(np.sin(la), self.exponent_lat),
        )
        co, so = (
            _signed_pow(np.cos(lo), self.exponent_lon),
            _signed_pow(np.sin(lo), self.exponent_lon),
        )
        rx, ry, rz = self.radii
        rings = np.stack([rx * cl * co, ry * sl, -rz * cl * so], axis=-1)
        if self.bumps > 0:
            rings = _bump(rings, self.bumps * min(self.radii), self.bump_seed)
        ring_v = 1.0 - (lat - lat[0]) / (lat[-1] - lat[0])
        size = (math.pi * (rx + rz), math.pi * ry)
        surfaces = _ring_grid(rings, ring_v, size, self.slot, ("pole", "pole"))
        return [s.transformed(self.transform) for s in surfaces]


def _signed_pow(x: Float, e: float) -> Float:
    return np.sign(x) * np.abs(x) ** e


def _bump(points: Float, amplitude: float, seed: int) -> Float:
    """Displace points radially by a sum of seeded 3D sinusoids (smooth, deterministic)."""
    rng = np.random.default_rng(seed)
    flat = points.reshape(-1, 3)
    scale = float(np.abs(flat).max()) or 1.0
    unit = flat / scale
    offset = np.zeros(len(flat))
    for octave in range(4):
        freq = 2.0 * (2**octave)
        direction = rng.normal(size=(3, 3))
        phase = rng.uniform(0, 2 * math.pi, size=3)
        waves = np.einsum("nc,kc->nk", unit, direction) * freq + phase
        offset += np.sin(waves).sum(axis=1) / (3 * 1.8**octave)
    radial = flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), _EPS)
    return (flat + radial * (offset * amplitude)[:, None]).reshape(points.shape)


@dataclass(frozen=True)
class Torus:
    """A torus around local +Y: ``major`` radius to the tube centre, ``minor`` tube radius.

    ``sweep`` degrees < 360 gives an open arc (its ends are meant to sit inside another part).
    """

    major: float
    minor: float
    slot: str
    transform: Float = field(default_factory=lambda: np.eye(4))
    sweep: float = 360.0

    def _steps(self, density: float) -> tuple[int, int]:
        along = _steps(math.radians(self.sweep) * self.major, density, 8)
        around = _steps(2 * math.pi * self.minor, density, 6)
        return along, around

    def face_count(self, density: float) -> tuple[int, int]:
        along, around = self._steps(density)
        return along * around, 0

    def build(self, density: float) -> list[Surface]:
        along, around = self._steps(density)
        closed = self.sweep >= 360.0
        a = np.linspace(
            0.0, math.radians(self.sweep), along + (0 if closed else 1), endpoint=not closed
        )
        b = np.linspace(0.0, 2 * math.pi, around + 1)
        aa, bb = np.meshgrid(a, b, indexing="ij")
        r = self.major + self.minor * np.cos(bb)
        p = np.stack([r * np.cos(aa), self.minor * np.sin(bb), -r * np.sin(aa)], axis=-1)
        if closed:
            p = np.concatenate([p, p[:1]], axis=0)
        rows = p.shape[0]
        uv = np.stack(
            np.meshgrid(np.linspace(0, 1, around + 1), np.linspace(0, 1, rows), indexing="xy"), -1
        )
        quads = _grid_quads(rows - 1, around, around + 1)
        size = (2 * math.pi * self.minor, math.radians(self.sweep) * self.major)
        surface = Surface(
            p.reshape(-1, 3), uv.reshape(-1, 2), quads, np.zeros((0, 3), np.int64), size, self.slot
        )
        return [_orient_torus(surface, self.major).transformed(self.transform)]


def _orient_torus(surface: Surface, major: float) -> Surface:
    """Wind so the first quad's normal points away from the tube's centre line."""
    p, q = surface.positions, surface.quads[0]
    normal = np.cross(p[q[1]] - p[q[0]], p[q[2]] - p[q[0]])
    centre = p[q].mean(axis=0)
    ring_centre = np.array([centre[0], 0.0, centre[2]])
    ring_centre *= major / max(float(np.linalg.norm(ring_centre)), _EPS)
    if float(np.dot(normal, centre - ring_centre)) < 0:
        return Surface(
            p,
            surface.uvs,
            surface.quads[:, ::-1].copy(),
            surface.triangles,
            surface.size,
            surface.slot,
        )
    return surface
