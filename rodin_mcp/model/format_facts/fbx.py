"""Facts about an FBX: ASCII files are scanned for geometry, materials and textures; binary
files (Autodesk's undocumented format) only report their version."""

from __future__ import annotations

import re
from pathlib import Path

from rodin_mcp.model.facts import BoundingBox, ModelFacts, TextureFacts
from rodin_mcp.model.format_facts.number_arrays import bounds_of, parse_numbers
from rodin_mcp.model.format_facts.textures import texture_file_facts

__all__ = ["fbx_facts"]

_BINARY_MAGIC = b"Kaydara FBX Binary  \x00"
_VERTICES = re.compile(r"\bVertices:\s*\*\d+\s*\{\s*a:\s*([^}]*)\}")
_POLYGONS = re.compile(r"\bPolygonVertexIndex:\s*\*\d+\s*\{\s*a:\s*([^}]*)\}")
_MATERIAL = re.compile(r'\bMaterial:\s*\d+,\s*"Material::([^"]*)"')
_TEXTURE_FILE = re.compile(r'\bRelativeFilename:\s*"([^"]*)"')
_MODEL = re.compile(r'\bModel:\s*\d+,\s*"Model::([^"]*)",\s*"Mesh"')
_SETTING = re.compile(
    r'\bP:\s*"(UpAxis|UpAxisSign|UnitScaleFactor)",[^\n]*,\s*(-?[\d.eE+-]+)\s*$', re.M
)
_MAX_TEXT_BYTES = 256 * 1024 * 1024
_AXES = "XYZ"
_UNITS = {1.0: "centimetres", 100.0: "metres", 0.1: "millimetres", 2.54: "inches"}


def _geometry(text: str) -> tuple[int, int, BoundingBox | None]:
    import numpy as np

    arrays = [parse_numbers(m.group(1)) for m in _VERTICES.finditer(text)]
    points = np.concatenate([a[: a.size // 3 * 3] for a in arrays]) if arrays else np.zeros(0)
    points = points.reshape(-1, 3)
    triangles = 0
    for match in _POLYGONS.finditer(text):
        indices = parse_numbers(match.group(1))
        polygons = int(np.count_nonzero(indices < 0))  # a polygon's last index is stored negative
        triangles += indices.size - 2 * polygons
    return points.shape[0], triangles, bounds_of(points)


def _textures(path: Path, text: str, notes: list[str]) -> list[TextureFacts]:
    found: list[TextureFacts] = []
    for name in dict.fromkeys(_TEXTURE_FILE.findall(text)):
        texture = path.parent / Path(name).name
        if texture.is_file():
            found.append(texture_file_facts(texture))
        else:
            notes.append(f"the texture {name} named in the FBX is not beside it")
    return found


def _axis_and_units(text: str) -> tuple[str | None, str | None]:
    settings: dict[str, float] = {}
    for name, value in _SETTING.findall(text):
        try:
            settings.setdefault(name, float(value))
        except ValueError:
            continue
    axis = settings.get("UpAxis")
    up = None
    if axis in (0.0, 1.0, 2.0):
        sign = "-" if settings.get("UpAxisSign", 1.0) < 0 else "+"
        up = sign + _AXES[int(axis)]
    scale = settings.get("UnitScaleFactor")
    units = None if scale is None else _UNITS.get(scale, f"{scale:g} cm")
    return up, units


def fbx_facts(path: Path) -> ModelFacts:
    """Facts about an FBX file.

    Raises:
        OSError: the file cannot be read.
    """
    size = path.stat().st_size
    facts = ModelFacts(path=str(path), format="fbx", file_size=size)
    with path.open("rb") as stream:
        head = stream.read(32)
    if head.startswith(_BINARY_MAGIC):
        version = int.from_bytes(head[23:27], "little") if len(head) >= 27 else 0
        facts.notes.append(f"binary FBX {version / 1000:.1f}: geometry is not read for this format")
        return facts
    if size > _MAX_TEXT_BYTES:
        facts.notes.append("the ASCII FBX is too large to scan; geometry is not read")
        return facts
    text = path.read_bytes().decode("utf-8", errors="replace")
    facts.up_axis, facts.units = _axis_and_units(text)
    facts.meshes = list(dict.fromkeys(_MODEL.findall(text)))
    try:
        facts.vertex_count, facts.triangle_count, facts.bounding_box = _geometry(text)
    except ValueError:
        facts.notes.append("the geometry arrays could not be read")
    facts.materials = list(dict.fromkeys(_MATERIAL.findall(text)))
    facts.textures = _textures(path, text, facts.notes)
    return facts
