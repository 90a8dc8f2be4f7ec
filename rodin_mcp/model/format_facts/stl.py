"""Facts about an STL (binary or ASCII): triangle count and bounds; STL has no materials."""

from __future__ import annotations

import math
from pathlib import Path

from rodin_mcp.model.facts import BoundingBox, ModelFacts

__all__ = ["stl_facts"]

_HEADER = 80
_FACET_BYTES = 50


def _box(low: list[float], high: list[float]) -> BoundingBox | None:
    if not all(math.isfinite(v) for v in (*low, *high)):
        return None
    return BoundingBox(minimum=(low[0], low[1], low[2]), maximum=(high[0], high[1], high[2]))


def _binary(path: Path, data: bytes, count: int) -> ModelFacts:
    import numpy as np

    facet = np.dtype([("normal", "<f4", (3,)), ("vertices", "<f4", (3, 3)), ("attribute", "<u2")])
    records = np.frombuffer(data, dtype=facet, count=count, offset=_HEADER + 4)
    box = None
    if count:
        corners = records["vertices"].reshape(-1, 3).astype(np.float64)
        box = _box(corners.min(axis=0).tolist(), corners.max(axis=0).tolist())
    return ModelFacts(
        path=str(path),
        format="stl",
        file_size=len(data),
        vertex_count=3 * count,
        triangle_count=count,
        bounding_box=box,
    )


def _ascii(path: Path, data: bytes) -> ModelFacts:
    facets = 0
    low = [math.inf] * 3
    high = [-math.inf] * 3
    for line in data.decode("ascii", errors="replace").splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "facet":
            facets += 1
        elif words[0] == "vertex" and len(words) == 4:
            try:
                point = [float(w) for w in words[1:]]
            except ValueError:
                continue
            low = [min(a, b) for a, b in zip(low, point, strict=True)]
            high = [max(a, b) for a, b in zip(high, point, strict=True)]
    return ModelFacts(
        path=str(path),
        format="stl",
        file_size=len(data),
        vertex_count=3 * facets,
        triangle_count=facets,
        bounding_box=_box(low, high) if facets else None,
    )


def stl_facts(path: Path) -> ModelFacts:
    """Facts about an STL file (the whole file is read).

    Raises:
        OSError: the file cannot be read.
    """
    data = path.read_bytes()
    if len(data) >= _HEADER + 4:
        count = int.from_bytes(data[_HEADER : _HEADER + 4], "little")
        if len(data) == _HEADER + 4 + _FACET_BYTES * count:
            return _binary(path, data, count)
    if data.lstrip()[:5].lower() == b"solid":
        return _ascii(path, data)
    return ModelFacts(
        path=str(path),
        format="stl",
        file_size=len(data),
        notes=["the file is neither a well-formed binary STL nor an ASCII STL"],
    )
