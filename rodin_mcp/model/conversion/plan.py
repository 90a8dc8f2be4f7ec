"""What a conversion is asked to do, checked once: the target format, size, axes, origin and
budgets, with the presets that fill them in for common destinations.

A preset only supplies defaults: every option given explicitly wins over it. The checks here
need no mesh library, so the faces can offer the options (and refuse bad ones) cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field

from rodin_mcp.errors import ConversionError

__all__ = [
    "FORMATS",
    "PRESETS",
    "PRINT_FORMATS",
    "UNITS",
    "UNIT_METRES",
    "Along",
    "ConversionPlan",
    "Origin",
    "Preset",
    "PresetName",
    "TargetFormat",
    "Unit",
    "UpAxis",
    "plan_conversion",
]

TargetFormat = Literal["glb", "obj", "stl", "3mf", "usdz", "fbx"]
Unit = Literal["mm", "cm", "m", "in"]
Along = Literal["height", "longest"]
UpAxis = Literal["y", "z"]
Origin = Literal["bottom", "center"]
PresetName = Literal["game-engine", "blender", "3d-print", "ar-quick-look", "web"]

FORMATS: tuple[str, ...] = get_args(TargetFormat)
UNITS: tuple[str, ...] = get_args(Unit)
PRINT_FORMATS = frozenset({"stl", "3mf"})
"""Formats a printer reads: they get a printability report, and may be repaired."""
UNIT_METRES: dict[str, float] = {"mm": 0.001, "cm": 0.01, "m": 1.0, "in": 0.0254}

_FIXED_UP: dict[str, UpAxis] = {"glb": "y", "3mf": "z"}
"""glTF is always +Y up (its specification); 3MF is always +Z up (the build direction)."""
_DEFAULT_UNIT: dict[str, Unit] = {"stl": "mm", "3mf": "mm", "usdz": "cm"}
_DEFAULT_UP: dict[str, UpAxis] = {"stl": "z", "3mf": "z"}
MAX_TEXTURE_SIDE = 16384
MIN_TRIANGLES = 4


class ConversionPlan(BaseModel):
    """A checked conversion: every option decided (``None``: leave it as the source has it)."""

    model_config = ConfigDict(frozen=True)

    format: TargetFormat
    preset: str | None = None
    size: float | None = Field(default=None, description="Target size in ``unit``.")
    unit: Unit = Field(description="Unit of ``size`` and of the file's coordinates (GLB: metres).")
    along: Along = "height"
    up_axis: UpAxis = "y"
    origin: Origin | None = None
    max_triangles: int | None = None
    max_texture_size: int | None = None
    repair: bool = False

    @property
    def is_print(self) -> bool:
        """Whether the target is a printing format (a printability report is made)."""
        return self.format in PRINT_FORMATS

    @property
    def file_unit(self) -> Unit:
        """The unit the file's coordinates are in: metres for GLB (glTF's rule), else ``unit``."""
        return "m" if self.format == "glb" else self.unit


@dataclass(frozen=True)
class Preset:
    """Defaults for a destination, and why they suit it."""

    name: str
    why: str
    format: TargetFormat
    unit: Unit
    up_axis: UpAxis
    origin: Origin
    max_triangles: int | None = None
    max_texture_size: int | None = None
    repair: bool = False


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "game-engine",
            "GLB in metres, +Y up, standing on its origin; at most 50,000 triangles and 2048 px "
            "textures, a common budget for a prop in Unity, Unreal or Godot, which all import "
            "glTF binaries",
            "glb",
            "m",
            "y",
            "bottom",
            max_triangles=50_000,
            max_texture_size=2048,
        ),
        Preset(
            "blender",
            "GLB in metres at full detail: Blender's own glTF importer keeps the PBR materials "
            "and turns +Y up into its +Z up",
            "glb",
            "m",
            "y",
            "bottom",
        ),
        Preset(
            "3d-print",
            "STL in millimetres, +Z up, standing on the bed at the origin, closed into a solid "
            "where possible: what every slicer expects",
            "stl",
            "mm",
            "z",
            "bottom",
            repair=True,
        ),
        Preset(
            "ar-quick-look",
            "USDZ in centimetres, +Y up, standing on the floor, at most 100,000 triangles and "
            "2048 px textures, within Apple's guidance for AR Quick Look on iPhone and iPad",
            "usdz",
            "cm",
            "y",
            "bottom",
            max_triangles=100_000,
            max_texture_size=2048,
        ),
        Preset(
            "web",
            "a small GLB for a web page (three.js, <model-viewer>): at most 20,000 triangles and "
            "1024 px textures, in metres, +Y up",
            "glb",
            "m",
            "y",
            "bottom",
            max_triangles=20_000,
            max_texture_size=1024,
        ),
    )
}


assert set(PRESETS) == set(get_args(PresetName))


def plan_conversion(
    *,
    format: str | None = None,
    preset: str | None = None,
    size: float | None = None,
    unit: str | None = None,
    along: str | None = None,
    up_axis: str | None = None,
    origin: str | None = None,
    max_triangles: int | None = None,
    max_texture_size: int | None = None,
    repair: bool | None = None,
) -> ConversionPlan:
    """The checked plan for these options (a preset's defaults under the explicit ones).

    Raises:
        ConversionError: an option is unknown, out of range, or conflicts with the format.
    """
    chosen = _preset(preset)
    target = _choice("format", format or (chosen.format if chosen else None), FORMATS)
    if target is None:
        raise ConversionError(
            f"Say which format to convert to ({', '.join(FORMATS)}), or a preset "
            f"({', '.join(PRESETS)}).",
            field="format",
        )
    if target == "fbx":
        raise ConversionError(
            "FBX is not written here: no well-kept library on PyPI writes FBX files that a "
            "validator or a second reader accepts (Autodesk's FBX SDK is not open source). "
            "Game engines and Blender read GLB: convert to glb (or the game-engine preset).",
            field="format",
        )
    picked_unit = _choice("unit", unit, UNITS) or (
        chosen.unit if chosen else _DEFAULT_UNIT.get(target, "m")
    )
    picked_up = _choice("up_axis", up_axis, ("y", "z")) or (
        chosen.up_axis if chosen else _DEFAULT_UP.get(target, "y")
    )
    fixed = _FIXED_UP.get(target)
    if fixed is not None and picked_up != fixed:
        if up_axis is not None:
            raise ConversionError(
                f"A {target.upper()} file is always {fixed.upper()} up (its format says so); "
                f"leave up_axis out or pass {fixed}.",
                field="up_axis",
            )
        picked_up = fixed
    if size is not None and not 0 < size < 1e6:
        raise ConversionError("size must be a positive number below 1,000,000.", field="size")
    if max_triangles is not None and max_triangles < MIN_TRIANGLES:
        raise ConversionError(
            f"max_triangles must be at least {MIN_TRIANGLES}.", field="max_triangles"
        )
    if max_texture_size is not None and not 1 <= max_texture_size <= MAX_TEXTURE_SIDE:
        raise ConversionError(
            f"max_texture_size must be from 1 to {MAX_TEXTURE_SIDE} pixels.",
            field="max_texture_size",
        )
    if repair and target not in PRINT_FORMATS:
        raise ConversionError(
            "Repair closes a mesh for printing; it applies to stl and 3mf outputs only.",
            field="repair",
        )
    preset_repair = chosen is not None and chosen.repair and target in PRINT_FORMATS
    return ConversionPlan(
        format=cast(TargetFormat, target),
        preset=chosen.name if chosen else None,
        size=size,
        unit=cast(Unit, picked_unit),
        along=cast(Along, _choice("along", along, ("height", "longest")) or "height"),
        up_axis=cast(UpAxis, picked_up),
        origin=cast(
            "Origin | None",
            _choice("origin", origin, ("bottom", "center")) or (chosen.origin if chosen else None),
        ),
        max_triangles=max_triangles
        if max_triangles is not None
        else (chosen.max_triangles if chosen else None),
        max_texture_size=max_texture_size
        if max_texture_size is not None
        else (chosen.max_texture_size if chosen else None),
        repair=preset_repair if repair is None else repair,
    )


def _preset(name: str | None) -> Preset | None:
    if name is None:
        return None
    found = PRESETS.get(name.strip().lower())
    if found is None:
        raise ConversionError(
            f"There is no preset {name[:40]!r}; the presets are {', '.join(PRESETS)}.",
            field="preset",
        )
    return found


def _choice(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    picked = value.strip().lower().lstrip(".")
    if picked not in allowed:
        raise ConversionError(
            f"{field} must be one of {', '.join(allowed)}, not {value[:40]!r}.", field=field
        )
    return picked
