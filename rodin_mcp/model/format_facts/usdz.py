"""Facts about a USDZ package: its textures from the zip, and geometry when the root layer is
text (``.usda``); binary ``.usdc`` layers are not parsed."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from rodin_mcp.model.facts import ModelFacts, TextureFacts
from rodin_mcp.model.format_facts.number_arrays import bounds_of, parse_numbers
from rodin_mcp.model.format_facts.textures import texture_facts

__all__ = ["usdz_facts"]

_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".exr", ".avif"})
_MAX_LAYER_BYTES = 256 * 1024 * 1024
_HEADER_BYTES = 64 * 1024
_POINTS = re.compile(r"point3f\[\]\s+points\s*=\s*\[([^\]]*)\]")
_COUNTS = re.compile(r"int\[\]\s+faceVertexCounts\s*=\s*\[([^\]]*)\]")
_MATERIAL = re.compile(r'def\s+Material\s+"([^"]*)"')


def _textures(package: zipfile.ZipFile) -> list[TextureFacts]:
    found: list[TextureFacts] = []
    for entry in package.infolist():
        if PurePosixPath(entry.filename).suffix.lower() not in _IMAGE_SUFFIXES:
            continue
        with package.open(entry) as stream:
            head = stream.read(_HEADER_BYTES)
        facts = texture_facts(entry.filename, head)
        found.append(facts.model_copy(update={"byte_size": entry.file_size}))
    return found


def _read_layer(facts: ModelFacts, text: str) -> None:
    import numpy as np

    points = np.concatenate(
        [parse_numbers(m.group(1), ",()") for m in _POINTS.finditer(text)] or [np.zeros(0)]
    )
    points = points[: points.size // 3 * 3].reshape(-1, 3)
    counts = np.concatenate(
        [parse_numbers(m.group(1)) for m in _COUNTS.finditer(text)] or [np.zeros(0)]
    )
    facts.vertex_count = int(points.shape[0])
    facts.triangle_count = int(np.sum(np.maximum(counts - 2, 0)))
    facts.bounding_box = bounds_of(points)
    facts.materials = list(dict.fromkeys(_MATERIAL.findall(text)))


def usdz_facts(path: Path) -> ModelFacts:
    """Facts about a USDZ file.

    Raises:
        OSError: the file cannot be read.
    """
    facts = ModelFacts(path=str(path), format="usdz", file_size=path.stat().st_size)
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            facts.textures = _textures(package)
            root = entries[0] if entries else None
            if root is None or not root.filename.lower().endswith(".usda"):
                facts.notes.append("the root layer is not text (.usda); geometry is not read")
            elif root.file_size > _MAX_LAYER_BYTES:
                facts.notes.append("the root layer is too large to scan; geometry is not read")
            else:
                _read_layer(facts, package.read(root).decode("utf-8", errors="replace"))
    except (zipfile.BadZipFile, ValueError) as exc:
        facts.notes.append(f"the package could not be read: {exc}")
    return facts
