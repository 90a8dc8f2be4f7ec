"""Procedural PBR texture maps painted into a UV atlas.

Each atlas rectangle is painted with its slot's :class:`Finish` pattern, evaluated in metres
along the surface so grain and weave keep one scale across parts. A pattern yields colour,
a height field (turned into a tangent-space normal map), roughness and metallic values.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.emulator.assets.finishes import Finish

__all__ = ["PATTERNS", "AtlasRect", "TextureMaps", "ValueNoise", "normal_map", "paint_atlas"]

Float = NDArray[np.float64]
U8 = NDArray[np.uint8]


class ValueNoise:
    """Seeded 2D value noise (smooth-step interpolated lattice) and its fractal sum."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        perm = rng.permutation(256)
        values = rng.random(256)
        # lattice[i, j] = values[perm[(perm[i] + j) % 256]], flattened: one lookup per corner.
        i, j = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
        self._lattice = values[perm[(perm[i] + j) % 256]].reshape(-1)

    def value(self, x: Float, y: Float) -> Float:
        """Noise in [0, 1] at lattice coordinates ``x``, ``y``."""
        xi, yi = np.floor(x), np.floor(y)
        fx, fy = x - xi, y - yi
        ix, iy = xi.astype(np.int64) & 255, yi.astype(np.int64) & 255
        sx, sy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
        row0, row1 = ix << 8, ((ix + 1) & 255) << 8
        iy1 = (iy + 1) & 255
        lattice = self._lattice
        top = lattice[row0 + iy] * (1 - sx) + lattice[row1 + iy] * sx
        bottom = lattice[row0 + iy1] * (1 - sx) + lattice[row1 + iy1] * sx
        return top * (1 - sy) + bottom * sy

    def fbm(self, x: Float, y: Float, octaves: int = 4) -> Float:
        """Fractal sum of ``octaves`` octaves, normalised to [0, 1]."""
        total = np.zeros_like(x)
        amplitude, norm, frequency = 1.0, 0.0, 1.0
        for octave in range(octaves):
            total += amplitude * self.value(
                x * frequency + 17.3 * octave, y * frequency - 9.1 * octave
            )
            norm += amplitude
            amplitude *= 0.5
            frequency *= 2.0
        return total / norm


@dataclass(frozen=True)
class PatternSample:
    """A pattern evaluated on a block of texels."""

    colour: Float  # (h, w, 3) sRGB
    height: Float  # (h, w), roughly [0, 1]
    roughness: Float  # (h, w)
    metallic: Float  # (h, w)


Pattern = Callable[[Finish, Float, Float, ValueNoise], PatternSample]


def _rgb(finish: Finish) -> Float:
    return np.asarray(finish.colour, dtype=np.float64)


def _mix(a: Float, b: Float, t: Float) -> Float:
    return a * (1 - t[..., None]) + b * t[..., None]


def _flat(finish: Finish, like: Float, value: float) -> Float:
    del finish
    return np.full_like(like, value)


def _uniform(
    finish: Finish, s: Float, tone: Float, height: Float, rough_var: Float
) -> PatternSample:
    colour = np.clip(_rgb(finish) * tone[..., None], 0, 1)
    roughness = np.clip(finish.roughness + rough_var, 0.02, 1.0)
    return PatternSample(colour, height, roughness, _flat(finish, s, finish.metallic))


def _wood(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    warp = noise.fbm(s * 2.5, t * 0.35, 4) * 5.0
    rings = 0.5 + 0.5 * np.sin(2 * np.pi * (s * 34.0 + warp))
    fine = noise.value(s * 420.0, t * 14.0)
    patches = noise.fbm(s * 1.5 + 11.0, t * 1.5, 3)
    dark = _rgb(finish) * 0.7
    light = np.clip(_rgb(finish) * 1.1, 0, 1)
    colour = _mix(dark, light, rings**1.3 * 0.65 + fine * 0.35)
    warmth = np.array([0.05, 0.015, -0.03])
    colour = colour * (0.9 + 0.2 * patches)[..., None] + (patches - 0.5)[..., None] * warmth
    height = rings * 0.5 + fine * 0.5
    roughness = np.clip(finish.roughness + (rings - 0.5) * 0.12 + (fine - 0.5) * 0.08, 0.05, 1.0)
    return PatternSample(
        np.clip(colour, 0, 1), height, roughness, _flat(finish, s, finish.metallic)
    )


def _metal(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    brushed = noise.value(s * 400.0, t * 6.0) * 0.6 + noise.fbm(s * 8, t * 8, 3) * 0.4
    return _uniform(finish, s, 0.9 + 0.16 * brushed, brushed * 0.3, (brushed - 0.5) * 0.12)


def _fabric(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    weave = np.abs(np.sin(np.pi * s * 160.0)) * np.abs(np.sin(np.pi * t * 160.0))
    mottle = noise.fbm(s * 6, t * 6, 3)
    tone = 0.82 + 0.12 * weave + 0.14 * mottle
    return _uniform(finish, s, tone, weave * 0.8 + mottle * 0.2, (mottle - 0.5) * 0.06)


def _plastic(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    mottle = noise.fbm(s * 5, t * 5, 3)
    return _uniform(finish, s, 0.95 + 0.08 * mottle, mottle * 0.1, (mottle - 0.5) * 0.08)


def _paint(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    flake = noise.value(s * 600.0, t * 600.0)
    sheen = noise.fbm(s * 3, t * 3, 2)
    return _uniform(
        finish, s, 0.92 + 0.06 * flake + 0.08 * sheen, flake * 0.05, (flake - 0.5) * 0.1
    )


def _stone(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    big = noise.fbm(s * 3.0, t * 3.0, 5)
    grit = noise.value(s * 220.0, t * 220.0)
    veins = np.exp(-np.abs(np.sin(2 * np.pi * (s * 2 + big * 3))) * 12.0)
    tone = 0.72 + 0.45 * big + 0.1 * grit - 0.25 * veins
    return _uniform(finish, s, tone, big * 0.7 + grit * 0.3, (grit - 0.5) * 0.1)


def _foliage(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    leaves = noise.fbm(s * 14.0, t * 14.0, 4)
    clumps = noise.fbm(s * 2.5 + 5, t * 2.5, 3)
    base = _rgb(finish)
    h, sat, v = colorsys.rgb_to_hsv(*finish.colour)
    warm = np.asarray(colorsys.hsv_to_rgb((h - 0.06) % 1.0, sat * 0.9, min(1.0, v * 1.25)))
    colour = _mix(base * 0.5, base * 1.1, leaves)
    colour = _mix(colour, warm, np.clip(clumps - 0.45, 0, 1) * 0.9)
    roughness = np.clip(finish.roughness + (leaves - 0.5) * 0.2, 0.05, 1.0)
    return PatternSample(
        np.clip(colour, 0, 1), leaves, roughness, _flat(finish, s, finish.metallic)
    )


def _bark(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    streaks = noise.fbm(s * 40.0, t * 3.0, 4)
    grooves = np.clip((streaks - 0.35) * 2.5, 0, 1)
    return _uniform(finish, s, 0.55 + 0.6 * grooves, grooves, (0.5 - grooves) * 0.1)


def _glass(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    sheen = noise.fbm(s * 2, t * 2, 2)
    return _uniform(finish, s, 0.95 + 0.1 * sheen, sheen * 0.02, sheen * 0.0)


def _rubber(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    grit = noise.value(s * 300, t * 300)
    tread = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * s * 30.0))
    return _uniform(finish, s, 0.85 + 0.15 * grit, tread * 0.6 + grit * 0.4, (grit - 0.5) * 0.05)


def _ceramic(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    speck = (noise.value(s * 250, t * 250) > 0.93).astype(np.float64)
    glaze = noise.fbm(s * 4, t * 4, 3)
    return _uniform(finish, s, 0.96 + 0.06 * glaze - 0.35 * speck, glaze * 0.05, speck * 0.3)


def _leather(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    pores = noise.fbm(s * 90, t * 90, 3)
    wear = noise.fbm(s * 3, t * 3, 3)
    return _uniform(finish, s, 0.8 + 0.2 * pores + 0.15 * wear, pores, (wear - 0.5) * 0.2)


def _glow(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    del noise
    return _uniform(finish, s, np.ones_like(s), np.zeros_like(s), np.zeros_like(t))


def _spots(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    cells = noise.value(s * 9.0, t * 9.0)
    spots = np.clip((cells - 0.68) * 8.0, 0, 1)
    accent = np.asarray(finish.accent or (0.95, 0.94, 0.9))
    colour = _mix(_rgb(finish) * (0.9 + 0.1 * noise.fbm(s * 4, t * 4, 2))[..., None], accent, spots)
    roughness = np.full_like(s, finish.roughness) + spots * 0.2
    return PatternSample(np.clip(colour, 0, 1), spots, roughness, _flat(finish, s, finish.metallic))


def _sprinkles(finish: Finish, s: Float, t: Float, noise: ValueNoise) -> PatternSample:
    hue = noise.value(s * 120.0 + 3, t * 120.0)
    dots = (noise.value(s * 120.0, t * 120.0) > 0.8).astype(np.float64)
    palette = np.array([[0.95, 0.85, 0.2], [0.3, 0.6, 0.95], [0.95, 0.95, 0.95], [0.4, 0.8, 0.4]])
    sprinkle = palette[(hue * 3.999).astype(np.int64)]
    colour = _mix(_rgb(finish) * (0.95 + 0.05 * hue)[..., None], sprinkle, dots)
    return PatternSample(colour, dots, np.full_like(s, finish.roughness), _flat(finish, s, 0.0))


PATTERNS: dict[str, Pattern] = {
    "wood": _wood,
    "metal": _metal,
    "fabric": _fabric,
    "plastic": _plastic,
    "paint": _paint,
    "stone": _stone,
    "foliage": _foliage,
    "bark": _bark,
    "glass": _glass,
    "rubber": _rubber,
    "ceramic": _ceramic,
    "leather": _leather,
    "glow": _glow,
    "spots": _spots,
    "sprinkles": _sprinkles,
}


@dataclass(frozen=True)
class AtlasRect:
    """A painted rectangle of the atlas, in texels.

    Attributes:
        x, y, w, h: The rectangle including its bleed margin.
        margin: Texels of bleed on every side (the UVs use the inside only).
        size: Physical size in metres of the inside, ``(along U, along V)``.
        slot: Slot whose finish paints it.
    """

    x: int
    y: int
    w: int
    h: int
    margin: int
    size: tuple[float, float]
    slot: str


@dataclass(frozen=True)
class TextureMaps:
    """The maps of one material, all ``(s, s, ...)`` uint8."""

    base_color: U8
    normal: U8
    roughness: U8
    metallic: U8

    def metallic_roughness(self) -> U8:
        """glTF packing: R unused (255), G roughness, B metallic."""
        r = np.full_like(self.roughness, 255)
        return np.stack([r, self.roughness, self.metallic], axis=-1)


def normal_map(height: Float, strength: float) -> U8:
    """Tangent-space normal map (OpenGL, +Y up the image) from a height field."""
    gy, gx = np.gradient(height)
    n = np.stack([-gx * strength, gy * strength, np.ones_like(height)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    return ((n * 0.5 + 0.5) * 255.0 + 0.5).astype(np.uint8)


def _to_u8(values: Float) -> U8:
    return np.round(np.clip(values, 0.0, 1.0) * 255.0).astype(np.uint8)


def paint_atlas(
    rects: Sequence[AtlasRect], finishes: dict[str, Finish], size: int, seed: int
) -> TextureMaps:
    """Paint every rectangle with its slot's finish.

    Args:
        rects: The atlas layout.
        finishes: Finish of each slot.
        size: Texture width and height in texels.
        seed: Seeds the noise.

    Returns:
        Base colour, normal, roughness and metallic maps of ``size`` x ``size`` texels.
    """
    noise = ValueNoise(seed)
    colour = np.full((size, size, 3), 0.5)
    height = np.zeros((size, size))
    roughness = np.full((size, size), 0.8)
    metallic = np.zeros((size, size))
    for index, rect in enumerate(rects):
        finish = finishes[rect.slot]
        inner_w, inner_h = max(rect.w - 2 * rect.margin, 1), max(rect.h - 2 * rect.margin, 1)
        px = (np.arange(rect.w) - rect.margin + 0.5) / inner_w
        py = (np.arange(rect.h) - rect.margin + 0.5) / inner_h
        # Offset each rectangle's pattern so repeated parts do not look stamped.
        s = px[None, :] * rect.size[0] + index * 3.7
        t = (1.0 - py[:, None]) * rect.size[1] + index * 1.3
        s, t = np.broadcast_arrays(s, t)
        sample = PATTERNS[finish.pattern](finish, s.copy(), t.copy(), noise)
        region = (slice(rect.y, rect.y + rect.h), slice(rect.x, rect.x + rect.w))
        colour[region] = sample.colour
        height[region] = sample.height
        roughness[region] = sample.roughness
        metallic[region] = sample.metallic
    return TextureMaps(
        base_color=_to_u8(colour),
        normal=normal_map(height, strength=size / 256.0),
        roughness=_to_u8(roughness),
        metallic=_to_u8(metallic),
    )
