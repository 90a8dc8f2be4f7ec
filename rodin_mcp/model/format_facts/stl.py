"""Facts about an STL (binary or ASCII): triangle count, bounds, and for binary files whether the
surface is closed. STL has no materials, units or up axis."""

from __future__ import annotations

import math
from pathlib import Path

from rodin_mcp.model.facts import BoundingBox, ModelFacts
from rodin_mcp.model.format_facts.topology import is_watertight

__all__ = ["stl_facts"]

_HEADER = 80
_FACET_BYTES = 50


class _Extent:
    def __init__(self) -> None:
        self.low = [math.inf] * 3
        self.high = [-math.inf] * 3

    def add(self, point: list[float]) -> None:
        self.low = [min(a, b) for a, b in zip(self.low, point, strict=True)]
        self.high = [max(a, b) for a, b in zip(self.high, point, strict=True)]

    def box(self) -> BoundingBox | None:
        return _box(self.low, self.high)


def _box(low: list[float], high: list[float]) -> BoundingBox | None:
    if not all(math.isfinite(v) for v in (*low, *high)):
        return None
    return BoundingBox(minimum=(low[0], low[1], low[2]), maximum=(high[0], high[1], high[2]))


def _binary(path: Path, data: bytes, count: int) -> ModelFacts:
    import numpy as np

    facet = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")])
    records = np.frombuffer(data, dtype=facet, count=count, offset=_HEADER + 4)
    box = None
    watertight = None
    if count:
        corners = records["vertices"].reshape(-1, 3)
        low = corners.min(axis=0).astype(np.float64).tolist()
        high = corners.max(axis=0).astype(np.float64).tolist()
        box = _box(low, high)
        watertight = is_watertight(corners, np.arange(3 * count).reshape(-1, 3))
    return ModelFacts(
        path=str(path),
        format="stl",
        file_size=len(data),
        vertex_count=3 * count,
        triangle_count=count,
        bounding_box=box,
        meshes=["solid"],
        watertight=watertight,
    )


def _ascii(path: Path, size: int) -> ModelFacts:
    facets = 0
    extent = _Extent()
    solids: list[str] = []
    with path.open("r", encoding="ascii", errors="replace") as text:
        for line in text:
            words = line.split()
            if not words:
                continue
            if words[0] == "solid":
                solids.append(" ".join(words[1:]) or f"solid {len(solids)}")
            elif words[0] == "facet":
                facets += 1
            elif words[0] == "vertex" and len(words) == 4:
                try:
                    extent.add([float(w) for w in words[1:]])
                except ValueError:
                    continue
    return ModelFacts(
        path=str(path),
        format="stl",
        file_size=size,
        vertex_count=3 * facets,
        triangle_count=facets,
        bounding_box=extent.box() if facets else None,
        meshes=solids,
    )


def stl_facts(path: Path) -> ModelFacts:
    """Facts about an STL file: binary files are read whole, ASCII files line by line.

    Raises:
        OSError: the file cannot be read.
    """
    size = path.stat().st_size
    with path.open("rb") as stream:
        head = stream.read(_HEADER + 4)
    if len(head) == _HEADER + 4:
        count = int.from_bytes(head[_HEADER:], "little")
        if size == _HEADER + 4 + _FACET_BYTES * count:
            return _binary(path, path.read_bytes(), count)
    if head.lstrip()[:5].lower() == b"solid":
        return _ascii(path, size)
    return ModelFacts(
        path=str(path),
        format="stl",
        file_size=size,
        notes=["the file is neither a well-formed binary STL nor an ASCII STL"],
    )
