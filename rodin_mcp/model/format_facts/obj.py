"""Facts about a Wavefront OBJ: counts and bounds from one pass over the text, maps from the MTL."""

from __future__ import annotations

import math
from pathlib import Path

from rodin_mcp.model.facts import BoundingBox, ModelFacts, TextureFacts
from rodin_mcp.model.format_facts.textures import texture_file_facts

__all__ = ["obj_facts"]

_MAX_MTL_BYTES = 8 * 1024 * 1024

_MAP_ROLES = {
    "map_kd": "base colour",
    "map_ka": "ambient",
    "map_ks": "specular",
    "map_d": "opacity",
    "map_bump": "normal",
    "bump": "normal",
    "norm": "normal",
    "map_pm": "metallic",
    "map_pr": "roughness",
    "disp": "displacement",
}


class _Bounds:
    def __init__(self) -> None:
        self.low = [math.inf] * 3
        self.high = [-math.inf] * 3

    def add(self, x: float, y: float, z: float) -> None:
        for axis, value in enumerate((x, y, z)):
            self.low[axis] = min(self.low[axis], value)
            self.high[axis] = max(self.high[axis], value)

    def box(self) -> BoundingBox | None:
        if self.low[0] == math.inf:
            return None
        low, high = self.low, self.high
        return BoundingBox(minimum=(low[0], low[1], low[2]), maximum=(high[0], high[1], high[2]))


def _mtl(path: Path, notes: list[str]) -> tuple[list[str], list[TextureFacts]]:
    names: list[str] = []
    textures: list[TextureFacts] = []
    seen: set[str] = set()
    try:
        if path.stat().st_size > _MAX_MTL_BYTES:
            notes.append(f"the material library {path.name} is too large to read")
            return names, textures
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        notes.append(f"the material library {path.name} is missing")
        return names, textures
    for line in lines:
        words = line.split()
        if not words:
            continue
        key = words[0].lower()
        if key == "newmtl" and len(words) > 1:
            names.append(" ".join(words[1:]))
        elif key in _MAP_ROLES and len(words) > 1 and words[-1] not in seen:
            seen.add(words[-1])
            texture = path.parent / words[-1]
            if texture.is_file() and texture.parent == path.parent:
                textures.append(texture_file_facts(texture, role=_MAP_ROLES[key]))
            else:
                notes.append(f"the texture {words[-1]} named in {path.name} is not beside it")
    return names, textures


def obj_facts(path: Path) -> ModelFacts:
    """Facts about an OBJ file and the MTL files and textures it names beside it.

    Raises:
        OSError: the file cannot be read.
    """
    vertices = triangles = 0
    bounds = _Bounds()
    used: list[str] = []
    objects: list[str] = []
    groups: list[str] = []
    libraries: list[str] = []
    notes: list[str] = []
    with path.open("r", encoding="utf-8", errors="replace") as text:
        for line in text:
            words = line.split()
            if not words:
                continue
            key = words[0]
            if key == "v" and len(words) >= 4:
                vertices += 1
                try:
                    bounds.add(float(words[1]), float(words[2]), float(words[3]))
                except ValueError:
                    notes.append("some vertex positions are not numbers")
            elif key == "f" and len(words) >= 4:
                triangles += len(words) - 3
            elif key == "usemtl" and len(words) > 1:
                name = " ".join(words[1:])
                if name not in used:
                    used.append(name)
            elif key in ("o", "g") and len(words) > 1:
                named = objects if key == "o" else groups
                name = " ".join(words[1:])
                if name not in named:
                    named.append(name)
            elif key == "mtllib":
                libraries += words[1:]
    materials: list[str] = []
    textures: list[TextureFacts] = []
    for library in libraries:
        names, maps = _mtl(path.parent / Path(library).name, notes)
        materials += [n for n in names if n not in materials]
        textures += maps
    materials += [n for n in used if n not in materials]
    return ModelFacts(
        path=str(path),
        format="obj",
        file_size=path.stat().st_size,
        vertex_count=vertices,
        triangle_count=triangles,
        bounding_box=bounds.box(),
        up_axis="+Y",  # not stored in OBJ; +Y is the convention Rodin and most tools follow
        meshes=objects or groups,
        materials=materials,
        textures=textures,
        notes=sorted(set(notes), key=notes.index),
    )
