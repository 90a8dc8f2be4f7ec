"""The shape catalogue: recognisable procedural objects chosen by the prompt's nouns.

Each shape is a function of a seeded random generator returning its parts and its material
slots (primary first). The seed varies proportions, part counts and styles. The noun that
appears first in the prompt wins; a prompt with no known noun gets a rounded rock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rodin_mcp.emulator.assets.finishes import Finish, prompt_words
from rodin_mcp.emulator.assets.primitives import (
    Box,
    Loft,
    PartSpec,
    Station,
    Superellipsoid,
    Torus,
    placement,
)

__all__ = ["SHAPES", "ShapePlan", "plan_shape", "shape_for_prompt"]

Rng = np.random.Generator
Turns = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ShapePlan:
    """What to build: the parts and the finish of each slot (primary slot first)."""

    kind: str
    parts: tuple[PartSpec, ...]
    slots: dict[str, Finish]


def _hex(code: str) -> tuple[float, float, float]:
    value = int(code.lstrip("#"), 16)
    return ((value >> 16) / 255.0, ((value >> 8) & 255) / 255.0, (value & 255) / 255.0)


def cyl(
    r: float,
    y0: float,
    y1: float,
    slot: str,
    x: float = 0.0,
    z: float = 0.0,
    r_top: float | None = None,
    turns: Turns = (),
) -> Loft:
    """A (tapered) capped cylinder along +Y from ``y0`` to ``y1`` at ``(x, z)``."""
    top = r if r_top is None else r_top
    stations = (Station(y0, r, r), Station(y1, top, top))
    return Loft(stations, slot, placement((x, 0.0, z), turns))


def lathe(
    profile: list[tuple[float, float]],
    slot: str,
    at: tuple[float, float, float] = (0.0, 0.0, 0.0),
    loop: bool = False,
) -> Loft:
    """A surface of revolution from ``(radius, y)`` points; radius 0 at an end is a pole."""
    return Loft(tuple(Station(y, r, r) for r, y in profile), slot, placement(at), loop=loop)


def smooth(points: list[tuple[float, float]], samples: int = 4) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through ``points`` (``samples`` points per segment, ends kept)."""
    p = np.asarray(points, dtype=np.float64)
    out: list[tuple[float, float]] = []
    for i in range(len(p) - 1):
        p0, p1, p2, p3 = p[max(i - 1, 0)], p[i], p[i + 1], p[min(i + 2, len(p) - 1)]
        for k in range(samples):
            t = k / samples
            point = 0.5 * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t * t
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
            out.append((float(point[0]), float(point[1])))
    out.append((float(p[-1][0]), float(p[-1][1])))
    return out


def box(
    size: tuple[float, float, float],
    centre: tuple[float, float, float],
    slot: str,
    turns: Turns = (),
) -> Box:
    """A box of ``size`` centred at ``centre``, rotated by ``turns`` about its centre."""
    return Box(size, slot, placement(centre, turns))


def blob(
    radii: tuple[float, float, float],
    centre: tuple[float, float, float],
    slot: str,
    roundness: float = 1.0,
    bumps: float = 0.0,
    seed: int = 0,
    turns: Turns = (),
) -> Superellipsoid:
    """An ellipsoid (``roundness`` 1) or rounded box (``roundness`` near 0.2)."""
    return Superellipsoid(
        radii,
        slot,
        placement(centre, turns),
        exponent_lat=roundness,
        exponent_lon=roundness,
        bumps=bumps,
        bump_seed=seed,
    )


def _chair(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    seat_h, w, d = rng.uniform(0.42, 0.48), rng.uniform(0.42, 0.52), rng.uniform(0.4, 0.5)
    leg_r, inset, back_h = rng.uniform(0.018, 0.026), 0.04, rng.uniform(0.4, 0.55)
    parts: list[PartSpec] = []
    for sx in (-1, 1):
        for sz in (-1, 1):
            top = seat_h + (back_h if sz < 0 else 0.0)
            x, z = sx * (w / 2 - inset), sz * (d / 2 - inset)
            parts.append(cyl(leg_r, 0.0, top, "frame", x, z, r_top=leg_r * 0.85))
    parts.append(box((w, 0.04, d), (0.0, seat_h + 0.02, 0.0), "frame"))
    back_z = -d / 2 + inset
    style = int(rng.integers(3))
    if style == 0:
        parts.append(
            box((w - 2 * inset, back_h * 0.5, 0.025), (0, seat_h + back_h * 0.68, back_z), "frame")
        )
    elif style == 1:
        slats = int(rng.integers(3, 6))
        for i in range(slats):
            x = (i - (slats - 1) / 2) * (w - 2 * inset) / slats
            parts.append(
                box((0.035, back_h * 0.8, 0.02), (x, seat_h + back_h * 0.5, back_z), "frame")
            )
        parts.append(box((w - 2 * inset, 0.06, 0.03), (0, seat_h + back_h * 0.93, back_z), "frame"))
    else:
        for k in range(3):
            y = seat_h + back_h * (0.35 + 0.28 * k)
            parts.append(box((w - 2 * inset, 0.05, 0.025), (0, y, back_z), "frame"))
    if rng.random() < 0.6:
        parts.append(blob((w * 0.46, 0.03, d * 0.44), (0, seat_h + 0.05, 0.01), "cushion", 0.3))
    slots = {
        "frame": Finish(_hex("#8b5a2b"), "wood", 0.0, 0.62),
        "cushion": Finish(_hex("#a8433a"), "fabric", 0.0, 0.92),
    }
    return ShapePlan("chair", tuple(parts), slots)


def _table(rng: Rng, words: list[str]) -> ShapePlan:
    top_h = rng.uniform(0.72, 0.78)
    parts: list[PartSpec] = []
    if "desk" not in words and rng.random() < 0.35:
        radius = rng.uniform(0.45, 0.6)
        parts.append(lathe([(radius, top_h - 0.04), (radius, top_h)], "top"))
        parts.append(cyl(0.05, 0.04, top_h - 0.04, "legs", r_top=0.04))
        parts.append(lathe([(radius * 0.5, 0.0), (radius * 0.42, 0.04)], "legs"))
    else:
        length, depth = rng.uniform(1.0, 1.6), rng.uniform(0.6, 0.9)
        parts.append(box((length, 0.05, depth), (0, top_h - 0.025, 0), "top"))
        leg = rng.uniform(0.04, 0.06)
        for sx in (-1, 1):
            for sz in (-1, 1):
                x, z = sx * (length / 2 - 0.08), sz * (depth / 2 - 0.08)
                if rng.random() < 0.5:
                    parts.append(box((leg, top_h - 0.05, leg), (x, (top_h - 0.05) / 2, z), "legs"))
                else:
                    parts.append(cyl(leg / 2, 0.0, top_h - 0.05, "legs", x, z, r_top=leg * 0.6))
        parts.append(box((length - 0.2, 0.08, 0.02), (0, top_h - 0.09, depth / 2 - 0.08), "legs"))
        parts.append(box((length - 0.2, 0.08, 0.02), (0, top_h - 0.09, -depth / 2 + 0.08), "legs"))
    slots = {
        "top": Finish(_hex("#a0703f"), "wood", 0.0, 0.55),
        "legs": Finish(_hex("#6e4a2a"), "wood", 0.0, 0.65),
    }
    return ShapePlan("table", tuple(parts), slots)


def _mug(rng: Rng, words: list[str]) -> ShapePlan:
    r, h = rng.uniform(0.038, 0.048), rng.uniform(0.085, 0.11)
    wall, floor = 0.005, 0.008
    flare = r * rng.uniform(1.0, 1.12)
    profile = [
        (0.0, 0.0),
        (r * 0.88, 0.0),
        (r, 0.008),
        (flare, h),
        (flare - wall, h),
        (r - wall, floor),
        (0.0, floor),
    ]
    parts: list[PartSpec] = [lathe(profile, "body")]
    if "mug" in words or rng.random() < 0.75:
        handle = Torus(
            h * 0.3,
            0.0075,
            "body",
            placement((r * 0.98, h * 0.5, 0.0), (("x", 90.0), ("z", -90.0))),
            sweep=180.0,
        )
        parts.append(handle)
    slots = {"body": Finish(_hex("#e9e4da"), "ceramic", 0.0, 0.2)}
    return ShapePlan("mug", tuple(parts), slots)


def _lamp(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    base_r, stem_h = rng.uniform(0.08, 0.11), rng.uniform(0.3, 0.4)
    bottom_r, top_r = rng.uniform(0.13, 0.17), rng.uniform(0.07, 0.1)
    shade_h = rng.uniform(0.16, 0.22)
    y0, y1 = stem_h - shade_h * 0.45, stem_h + shade_h * 0.55
    parts: list[PartSpec] = [
        lathe([(base_r, 0.0), (base_r * 0.92, 0.02), (base_r * 0.3, 0.035)], "base"),
        cyl(0.01, 0.03, stem_h, "base"),
        lathe(
            [(bottom_r, y0), (top_r, y1), (top_r - 0.004, y1), (bottom_r - 0.004, y0)],
            "shade",
            loop=True,
        ),
        blob((0.035, 0.045, 0.035), (0.0, stem_h - 0.02, 0.0), "bulb"),
    ]
    slots = {
        "shade": Finish(_hex("#efe3c6"), "fabric", 0.0, 0.9),
        "base": Finish(_hex("#b08d57"), "metal", 1.0, 0.3),
        "bulb": Finish(_hex("#fff6d8"), "glow", 0.0, 0.3),
    }
    return ShapePlan("lamp", tuple(parts), slots)


def _tree(rng: Rng, words: list[str]) -> ShapePlan:
    pine = any(w in words for w in ("pine", "fir", "spruce", "christmas", "conifer"))
    pine = pine or ("oak" not in words and rng.random() < 0.3)
    parts: list[PartSpec] = []
    if pine:
        parts.append(cyl(0.07, 0.0, 0.5, "bark", r_top=0.05))
        tiers = int(rng.integers(3, 5))
        for k in range(tiers):
            y = 0.3 + k * 0.38
            radius = 0.62 * (1 - k / (tiers + 0.6))
            parts.append(Loft((Station(y, radius, radius), Station(y + 0.6, 0.0, 0.0)), "foliage"))
    else:
        height = rng.uniform(0.8, 1.1)
        parts.append(cyl(0.09, 0.0, height + 0.2, "bark", r_top=0.05))
        for _ in range(int(rng.integers(3, 6))):
            angle = rng.uniform(0, 2 * np.pi)
            spread = rng.uniform(0.05, 0.3)
            centre = (
                np.cos(angle) * spread,
                height + 0.35 + rng.uniform(-0.15, 0.2),
                np.sin(angle) * spread,
            )
            radius = rng.uniform(0.35, 0.5)
            parts.append(
                blob(
                    (radius, radius * 0.85, radius),
                    centre,
                    "foliage",
                    bumps=0.18,
                    seed=int(rng.integers(1 << 30)),
                )
            )
    slots = {
        "foliage": Finish(_hex("#3f7d3a"), "foliage", 0.0, 0.8),
        "bark": Finish(_hex("#5a3d2b"), "bark", 0.0, 0.9),
    }
    return ShapePlan("tree", tuple(parts), slots)


def _house(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    w, d, wall_h = rng.uniform(1.0, 1.4), rng.uniform(0.8, 1.0), rng.uniform(0.6, 0.8)
    roof_h, over = rng.uniform(0.35, 0.55), 0.06
    roof = Loft(
        (Station(-w / 2 - over, 1.0, 1.0), Station(w / 2 + over, 1.0, 1.0)),
        "roof",
        placement((0.0, wall_h, 0.0), (("z", -90.0),)),
        outline=((0.0, -d / 2 - over), (0.0, d / 2 + over), (-roof_h, 0.0)),
    )
    parts: list[PartSpec] = [box((w, wall_h, d), (0, wall_h / 2, 0), "walls"), roof]
    parts.append(box((0.2, 0.38, 0.03), (w * rng.uniform(-0.2, 0.2), 0.19, d / 2 + 0.01), "door"))
    for x in (-w * 0.3, w * 0.3):
        parts.append(box((0.18, 0.18, 0.03), (x, wall_h * 0.6, d / 2 + 0.01), "windows"))
    for z in (-d * 0.2, d * 0.2):
        parts.append(box((0.03, 0.18, 0.16), (w / 2 + 0.01, wall_h * 0.6, z), "windows"))
    if rng.random() < 0.7:
        x = w * rng.uniform(-0.3, 0.3)
        parts.append(
            box((0.12, roof_h + 0.12, 0.12), (x, wall_h + roof_h * 0.6, -d * 0.18), "chimney")
        )
    slots = {
        "walls": Finish(_hex("#e8dcc0"), "plastic", 0.0, 0.8),
        "roof": Finish(_hex("#8e3b2f"), "stone", 0.0, 0.75),
        "door": Finish(_hex("#6b4226"), "wood", 0.0, 0.6),
        "windows": Finish(_hex("#9cc7dc"), "glass", 0.0, 0.08),
        "chimney": Finish(_hex("#8a5a48"), "stone", 0.0, 0.9),
    }
    return ShapePlan("house", tuple(parts), slots)


def _car(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    length, width = rng.uniform(1.0, 1.25), rng.uniform(0.46, 0.52)
    wheel_r = rng.uniform(0.09, 0.11)
    body_y = wheel_r + 0.13
    cabin_x = -length * rng.uniform(0.0, 0.1)
    parts: list[PartSpec] = [
        Superellipsoid((length / 2, 0.15, width / 2), "body", placement((0, body_y, 0)), 0.3, 0.25),
        Superellipsoid(
            (length * 0.27, 0.13, width / 2 - 0.03),
            "body",
            placement((cabin_x, body_y + 0.16, 0)),
            0.5,
            0.4,
        ),
        Superellipsoid(
            (length * 0.28, 0.075, width / 2 - 0.022),
            "glass",
            placement((cabin_x, body_y + 0.19, 0)),
            0.5,
            0.4,
        ),
    ]
    for sx in (-1, 1):
        for sz in (-1, 1):
            x, z = sx * length * 0.31, sz * (width / 2 - 0.02)
            spin = (("x", 90.0),)
            parts.append(
                Torus(wheel_r * 0.62, wheel_r * 0.38, "tires", placement((x, wheel_r, z), spin))
            )
            parts.append(
                Loft(
                    (
                        Station(-0.03, wheel_r * 0.45, wheel_r * 0.45),
                        Station(0.03, wheel_r * 0.4, wheel_r * 0.4),
                    ),
                    "hubs",
                    placement((x, wheel_r, z), spin),
                )
            )
        parts.append(
            blob(
                (0.02, 0.03, 0.05), (length / 2 - 0.015, body_y + 0.03, sx * width * 0.3), "lights"
            )
        )
        parts.append(
            blob(
                (0.02, 0.025, 0.05), (-length / 2 + 0.015, body_y + 0.04, sx * width * 0.3), "tail"
            )
        )
    slots = {
        "body": Finish(_hex("#c0392b"), "paint", 0.35, 0.28),
        "glass": Finish(_hex("#22303c"), "glass", 0.0, 0.06),
        "tires": Finish(_hex("#262628"), "rubber", 0.0, 0.92),
        "hubs": Finish(_hex("#c7cbd0"), "metal", 1.0, 0.25),
        "lights": Finish(_hex("#fff4cf"), "glow", 0.0, 0.2),
        "tail": Finish(_hex("#d81e1e"), "glow", 0.0, 0.2),
    }
    return ShapePlan("car", tuple(parts), slots)


def _sword(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    length, width, thick = rng.uniform(0.75, 0.95), rng.uniform(0.045, 0.065), 0.012
    diamond = ((1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (0.0, 1.0))
    blade = Loft(
        (
            Station(0.2, width / 2, thick / 2),
            Station(0.2 + length * 0.85, width / 2 * 0.9, thick / 2),
            Station(0.2 + length, 0.0, 0.0),
        ),
        "blade",
        outline=diamond,
    )
    guard_w = rng.uniform(0.18, 0.26)
    parts: list[PartSpec] = [
        blade,
        box((guard_w, 0.03, 0.04), (0.0, 0.19, 0.0), "guard"),
        cyl(0.016, 0.03, 0.18, "grip"),
        blob((0.03, 0.03, 0.03), (0.0, 0.025, 0.0), "guard"),
    ]
    slots = {
        "blade": Finish(_hex("#c9ced3"), "metal", 1.0, 0.22),
        "guard": Finish(_hex("#c2a14d"), "metal", 1.0, 0.3),
        "grip": Finish(_hex("#4a2c1a"), "leather", 0.0, 0.6),
    }
    return ShapePlan("sword", tuple(parts), slots)


def _robot(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    tw, th = rng.uniform(0.22, 0.3), rng.uniform(0.26, 0.34)
    torso_y = 0.6 + th
    head_y = torso_y + th + 0.2
    parts: list[PartSpec] = [
        blob((tw, th, 0.17), (0, torso_y, 0), "body", 0.3),
        cyl(0.05, torso_y + th - 0.02, head_y - 0.1, "joints"),
        blob((0.16, 0.13, 0.14), (0, head_y, 0), "body", 0.35),
        blob((0.035, 0.035, 0.02), (-0.06, head_y + 0.02, 0.135), "eyes"),
        blob((0.035, 0.035, 0.02), (0.06, head_y + 0.02, 0.135), "eyes"),
        cyl(0.008, head_y + 0.12, head_y + 0.24, "joints"),
        blob((0.025, 0.025, 0.025), (0, head_y + 0.25, 0), "eyes"),
        box((tw * 0.9, th * 0.5, 0.02), (0, torso_y + th * 0.1, 0.165), "accent"),
    ]
    for sx in (-1, 1):
        parts.append(
            cyl(0.05, torso_y - th * 0.8, torso_y + th * 0.8, "joints", sx * (tw + 0.06), 0.0)
        )
        parts.append(blob((0.06, 0.06, 0.06), (sx * (tw + 0.06), torso_y - th * 0.85, 0), "body"))
        parts.append(cyl(0.065, 0.08, 0.62, "joints", sx * tw * 0.45, 0.0))
        parts.append(box((0.13, 0.08, 0.22), (sx * tw * 0.45, 0.04, 0.03), "body"))
    slots = {
        "body": Finish(_hex("#c9ced6"), "paint", 0.4, 0.3),
        "accent": Finish(_hex("#e67e22"), "paint", 0.2, 0.35),
        "joints": Finish(_hex("#4a4f57"), "metal", 1.0, 0.4),
        "eyes": Finish(_hex("#5ee6ff"), "glow", 0.0, 0.2),
    }
    return ShapePlan("robot", tuple(parts), slots)


def _vase(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    h = rng.uniform(0.3, 0.45)
    base, belly, neck, lip = (
        h * 0.18,
        h * rng.uniform(0.3, 0.42),
        h * rng.uniform(0.1, 0.16),
        h * 0.17,
    )
    belly_y = h * rng.uniform(0.3, 0.45)
    outer = smooth([(base, 0.0), (belly, belly_y), (neck, h * 0.8), (lip, h)], 10)
    inner = smooth([(lip - 0.008, h), (neck - 0.008, h * 0.8), (belly * 0.5, h * 0.62)], 3)
    profile = [(0.0, 0.0), *outer, *inner, (0.0, h * 0.6)]
    colours = ["#3d6fa8", "#c4553b", "#2f7f6f", "#d9c27a", "#8a4f9e"]
    colour = colours[int(rng.integers(len(colours)))]
    slots = {"body": Finish(_hex(colour), "ceramic", 0.0, 0.22)}
    return ShapePlan("vase", (lathe(profile, "body"),), slots)


def _bottle(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    r, h = rng.uniform(0.035, 0.045), rng.uniform(0.26, 0.32)
    neck = r * rng.uniform(0.3, 0.4)
    body = [(0.0, 0.0), (r, 0.0), (r, h * 0.6), (neck, h * 0.78), (neck, h * 0.95), (0.0, h * 0.95)]
    parts: list[PartSpec] = [
        lathe(body, "glass"),
        cyl(r * 1.01, h * 0.2, h * 0.45, "label"),
        cyl(neck * 1.15, h * 0.92, h, "cap"),
    ]
    slots = {
        "glass": Finish(_hex("#2e7d4f"), "glass", 0.0, 0.06),
        "label": Finish(_hex("#efe6cf"), "plastic", 0.0, 0.7),
        "cap": Finish(_hex("#b8923a"), "metal", 1.0, 0.35),
    }
    return ShapePlan("bottle", tuple(parts), slots)


def _sofa(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    w, d = rng.uniform(1.6, 2.0), rng.uniform(0.8, 0.9)
    seats = int(rng.integers(2, 4))
    cell = w / seats
    parts: list[PartSpec] = [
        box((w, 0.2, d), (0, 0.2, 0), "upholstery"),
        box((w, 0.42, 0.18), (0, 0.5, -d / 2 + 0.09), "upholstery"),
    ]
    for i in range(seats):
        x = -w / 2 + cell * (i + 0.5)
        parts.append(blob((cell / 2 * 0.96, 0.07, d * 0.36), (x, 0.36, 0.06), "cushions", 0.22))
        parts.append(
            blob((cell / 2 * 0.94, 0.19, 0.07), (x, 0.58, -d / 2 + 0.24), "cushions", 0.25)
        )
    for sx in (-1, 1):
        parts.append(blob((0.09, 0.2, d / 2), (sx * (w / 2 + 0.06), 0.36, 0), "upholstery", 0.22))
        for sz in (-1, 1):
            parts.append(
                cyl(0.025, 0.0, 0.1, "legs", sx * (w / 2 - 0.05), sz * (d / 2 - 0.06), r_top=0.03)
            )
    slots = {
        "upholstery": Finish(_hex("#5a6e8c"), "fabric", 0.0, 0.92),
        "cushions": Finish(_hex("#6d82a3"), "fabric", 0.0, 0.94),
        "legs": Finish(_hex("#4b3221"), "wood", 0.0, 0.6),
    }
    return ShapePlan("sofa", tuple(parts), slots)


def _rocket(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    r = rng.uniform(0.12, 0.16)
    top = rng.uniform(1.2, 1.45)
    hull = [
        (r * 0.8, 0.12),
        (r, 0.22),
        (r, top * 0.66),
        (r * 0.72, top * 0.85),
        (r * 0.3, top * 0.97),
        (0.0, top),
    ]
    parts: list[PartSpec] = [
        lathe(hull, "hull"),
        lathe([(r * 0.5, 0.0), (r * 0.38, 0.13)], "nozzle"),
        blob((0.05, 0.05, 0.025), (0.0, top * 0.6, r - 0.005), "window"),
    ]
    fins = int(rng.integers(3, 5))
    span, root, tip = r * rng.uniform(0.8, 1.1), rng.uniform(0.3, 0.4), rng.uniform(0.12, 0.18)
    rect = ((1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0))
    for k in range(fins):
        stations = (
            Station(r * 0.85, root / 2, 0.012),
            Station(r * 0.85 + span, tip / 2, 0.01, ox=root * 0.35),
        )
        turns = (("z", -90.0), ("y", 360.0 * k / fins + 45.0))
        parts.append(
            Loft(stations, "fins", placement((0.0, 0.14 + root / 2, 0.0), turns), outline=rect)
        )
    slots = {
        "hull": Finish(_hex("#e9eaec"), "paint", 0.2, 0.3),
        "fins": Finish(_hex("#c0392b"), "paint", 0.2, 0.3),
        "nozzle": Finish(_hex("#5b5f66"), "metal", 1.0, 0.45),
        "window": Finish(_hex("#6fa8dc"), "glass", 0.0, 0.05),
    }
    return ShapePlan("rocket", tuple(parts), slots)


def _mushroom(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    h, cap_r, stem_r = rng.uniform(0.25, 0.35), rng.uniform(0.16, 0.22), rng.uniform(0.035, 0.05)
    cap = [
        (0.0, h * 0.86),
        (cap_r * 0.95, h * 0.8),
        (cap_r, h * 0.86),
        (cap_r * 0.86, h * 1.05),
        (cap_r * 0.5, h * 1.22),
        (0.0, h * 1.28),
    ]
    parts: list[PartSpec] = [
        cyl(stem_r * 1.25, 0.0, h * 0.9, "stem", r_top=stem_r),
        lathe(cap, "cap"),
    ]
    slots = {
        "cap": Finish(_hex("#c0392b"), "spots", 0.0, 0.5, accent=_hex("#f4f1ea")),
        "stem": Finish(_hex("#efe7d6"), "plastic", 0.0, 0.7),
    }
    return ShapePlan("mushroom", tuple(parts), slots)


def _donut(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    major, minor = rng.uniform(0.26, 0.32), rng.uniform(0.12, 0.15)
    parts: list[PartSpec] = [
        Torus(major, minor, "dough"),
        Torus(major, minor * 1.03, "icing", placement((0.0, minor * 0.3, 0.0))),
    ]
    slots = {
        "icing": Finish(_hex("#e88fb4"), "sprinkles", 0.0, 0.35),
        "dough": Finish(_hex("#c98b4f"), "plastic", 0.0, 0.75),
    }
    return ShapePlan("donut", tuple(parts), slots)


def _crate(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    s = rng.uniform(0.5, 0.7)
    trim = 0.04
    parts: list[PartSpec] = [box((s, s, s), (0, s / 2, 0), "planks")]
    h = s / 2 + 0.004
    for a in (-1, 1):
        for b in (-1, 1):
            parts.append(box((s + 0.01, trim, trim), (0, s / 2 + a * h, b * h), "trim"))
            parts.append(box((trim, s + 0.01, trim), (a * h, s / 2, b * h), "trim"))
            parts.append(box((trim, trim, s + 0.01), (a * h, s / 2 + b * h, 0), "trim"))
    slots = {
        "planks": Finish(_hex("#a57a45"), "wood", 0.0, 0.7),
        "trim": Finish(_hex("#5c5f63"), "metal", 1.0, 0.45),
    }
    return ShapePlan("crate", tuple(parts), slots)


def _ball(rng: Rng, words: list[str]) -> ShapePlan:
    planet = any(w in words for w in ("planet", "moon", "globe"))
    radius = rng.uniform(0.3, 0.4)
    finish = (
        Finish(_hex("#7d8ba6"), "stone", 0.0, 0.85)
        if planet
        else Finish(_hex("#e74c3c"), "plastic", 0.0, 0.35)
    )
    return ShapePlan(
        "ball", (blob((radius, radius, radius), (0, radius, 0), "surface"),), {"surface": finish}
    )


def _rock(rng: Rng, words: list[str]) -> ShapePlan:
    del words
    radii = (rng.uniform(0.4, 0.55), rng.uniform(0.25, 0.38), rng.uniform(0.35, 0.5))
    rock = blob(
        radii, (0, radii[1], 0), "surface", rng.uniform(0.7, 1.0), 0.22, int(rng.integers(1 << 30))
    )
    return ShapePlan("rock", (rock,), {"surface": Finish(_hex("#8d8a84"), "stone", 0.0, 0.88)})


ShapeBuilder = Callable[[Rng, list[str]], ShapePlan]

SHAPES: dict[str, tuple[ShapeBuilder, tuple[str, ...]]] = {
    "chair": (_chair, ("chair", "armchair", "stool", "seat")),
    "table": (_table, ("table", "desk")),
    "mug": (_mug, ("mug", "cup", "teacup", "tumbler")),
    "lamp": (_lamp, ("lamp", "lampshade")),
    "tree": (_tree, ("tree", "pine", "fir", "spruce", "conifer")),
    "house": (_house, ("house", "home", "cottage", "hut", "cabin", "building")),
    "car": (_car, ("car", "vehicle", "automobile", "van", "taxi", "jeep", "truck")),
    "sword": (_sword, ("sword", "katana", "sabre", "saber", "dagger", "blade")),
    "robot": (_robot, ("robot", "android", "droid", "mech")),
    "vase": (_vase, ("vase", "urn", "amphora")),
    "bottle": (_bottle, ("bottle", "flask")),
    "sofa": (_sofa, ("sofa", "couch", "settee")),
    "rocket": (_rocket, ("rocket", "spaceship", "spacecraft", "missile")),
    "mushroom": (_mushroom, ("mushroom", "toadstool", "fungus")),
    "donut": (_donut, ("donut", "doughnut", "bagel", "torus")),
    "crate": (_crate, ("crate", "box", "chest", "cube")),
    "ball": (_ball, ("ball", "sphere", "orb", "planet", "globe", "moon")),
    "rock": (_rock, ("rock", "boulder", "pebble", "stone")),
}
DEFAULT_SHAPE = "rock"

_KEYWORDS: dict[str, str] = {word: kind for kind, (_, words) in SHAPES.items() for word in words}


def shape_for_prompt(prompt: str) -> str:
    """The catalogue entry for the first known noun in the prompt (plurals too), else the rock."""
    for word in prompt_words(prompt):
        for candidate in (
            word,
            word[:-1] if word.endswith("s") else "",
            word[:-2] if word.endswith("es") else "",
        ):
            if candidate in _KEYWORDS:
                return _KEYWORDS[candidate]
    return DEFAULT_SHAPE


def plan_shape(kind: str, prompt: str, rng: Rng) -> ShapePlan:
    """Build the plan of catalogue entry ``kind`` with the prompt's words and the seeded rng."""
    builder = SHAPES[kind][0]
    return builder(rng, prompt_words(prompt))
