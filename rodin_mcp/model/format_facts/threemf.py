"""Facts about a 3MF package (3D Manufacturing Format): its meshes' vertices, triangles, bounds
and unit, read from the model part by a streaming XML parser within a size limit. 3MF is +Z up
by its specification (the build direction)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse

from rodin_mcp.model.facts import BoundingBox, ModelFacts

__all__ = ["THREE_MF_MODEL", "threemf_facts"]

THREE_MF_MODEL = "3D/3dmodel.model"
"""Where the model part lives (the name every writer uses; the specification's example)."""
_MAX_MODEL_BYTES = 1024 * 1024 * 1024
_MAX_RATIO = 200
_UNITS = {
    "micron": "micrometres",
    "millimeter": "millimetres",
    "centimeter": "centimetres",
    "inch": "inches",
    "foot": "feet",
    "meter": "metres",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def threemf_facts(path: Path) -> ModelFacts:
    """Facts about a 3MF file.

    Raises:
        OSError: the file cannot be read.
    """
    facts = ModelFacts(path=str(path), format="3mf", file_size=path.stat().st_size, up_axis="+Z")
    try:
        with zipfile.ZipFile(path) as package:
            entry = package.getinfo(THREE_MF_MODEL)
            if entry.file_size > _MAX_MODEL_BYTES or (
                entry.file_size > _MAX_RATIO * max(entry.compress_size, 1)
                and entry.compress_type != zipfile.ZIP_STORED
            ):
                facts.notes.append("the model part is too large (or inflates suspiciously)")
                return facts
            with package.open(entry) as stream:
                _read_model(facts, stream)
    except KeyError:
        facts.notes.append(f"the package has no {THREE_MF_MODEL} part")
    except (zipfile.BadZipFile, ParseError, ValueError, EOFError, NotImplementedError) as exc:
        facts.notes.append(f"the package could not be read: {exc}")
    return facts


def _read_model(facts: ModelFacts, stream: IO[bytes]) -> None:
    low = [float("inf")] * 3
    high = [float("-inf")] * 3
    vertices = triangles = 0
    for event, found in iterparse(stream, events=("start", "end")):
        element: Element = found
        name = _local(element.tag)
        if event == "start":
            if name == "model":
                unit = element.get("unit", "millimeter")
                facts.units = _UNITS.get(unit, unit)
            elif name == "object" and element.get("name"):
                facts.meshes.append(str(element.get("name")))
            continue
        if name == "vertex":
            vertices += 1
            for axis, key in enumerate("xyz"):
                value = float(element.get(key, "nan"))
                low[axis] = min(low[axis], value)
                high[axis] = max(high[axis], value)
        elif name == "triangle":
            triangles += 1
        elif name == "base" and element.get("name"):
            facts.materials.append(str(element.get("name")))
        element.clear()
    facts.vertex_count = vertices
    facts.triangle_count = triangles
    if vertices:
        facts.bounding_box = BoundingBox(
            minimum=(low[0], low[1], low[2]), maximum=(high[0], high[1], high[2])
        )
