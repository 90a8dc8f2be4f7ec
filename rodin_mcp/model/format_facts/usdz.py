"""Facts about a USDZ package: its textures from the zip, and geometry when the root layer is
text (``.usda``). A binary ``.usdc`` root layer is read through OpenUSD when usd-core (the
``convert`` extra) is installed, and otherwise not parsed."""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from rodin_mcp.model.facts import ModelFacts, TextureFacts
from rodin_mcp.model.format_facts.number_arrays import bounds_of, parse_numbers
from rodin_mcp.model.format_facts.textures import texture_facts

__all__ = ["usdz_facts"]

_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".exr", ".avif"})
_MAX_LAYER_BYTES = 64 * 1024 * 1024
_MAX_ENTRIES = 10_000
_MAX_RATIO = 200  # a compressed layer that inflates more than this is treated as a zip bomb
_HEADER_BYTES = 64 * 1024
_POINTS = re.compile(r"point3f\[\]\s+points\s*=\s*\[([^\]]*)\]")
_COUNTS = re.compile(r"int\[\]\s+faceVertexCounts\s*=\s*\[([^\]]*)\]")
_MATERIAL = re.compile(r'def\s+Material\s+"([^"]*)"')
_MESH = re.compile(r'def\s+Mesh\s+"([^"]*)"')
_UP_AXIS = re.compile(r'\bupAxis\s*=\s*"([XYZ])"')
_METRES_PER_UNIT = re.compile(r"\bmetersPerUnit\s*=\s*([\d.eE+-]+)")
_UNITS = {1.0: "metres", 0.01: "centimetres", 0.001: "millimetres", 0.0254: "inches"}


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
    facts.meshes = list(dict.fromkeys(_MESH.findall(text)))
    up = _UP_AXIS.search(text)
    facts.up_axis = f"+{up.group(1)}" if up else "+Y"  # USD's default when not stated
    scale = _METRES_PER_UNIT.search(text)
    try:
        metres = float(scale.group(1)) if scale else 0.01  # USD's default: centimetres
    except ValueError:
        metres = 0.01
    facts.units = _UNITS.get(metres, f"{metres:g} m")


def _refusal(package: zipfile.ZipFile, root: zipfile.ZipInfo | None) -> str | None:
    """Why the root layer is not read, or None when it can be."""
    if len(package.infolist()) > _MAX_ENTRIES:
        return "the package has too many entries to read"
    if root is None or not root.filename.lower().endswith((".usda", ".usdc")):
        return "the root layer is neither .usda nor .usdc; geometry is not read"
    if root.file_size > _MAX_LAYER_BYTES:
        return "the root layer is too large to scan; geometry is not read"
    if root.compress_type != zipfile.ZIP_STORED and root.file_size > _MAX_RATIO * max(
        root.compress_size, 1
    ):
        return "the root layer inflates suspiciously (a zip bomb?); geometry is not read"
    return None


def _read_bounded(package: zipfile.ZipFile, entry: zipfile.ZipInfo) -> str:
    """The entry's text, never more than its (checked) declared size."""
    with package.open(entry) as stream:
        return stream.read(_MAX_LAYER_BYTES + 1)[:_MAX_LAYER_BYTES].decode("utf-8", "replace")


def _read_binary_layer(facts: ModelFacts, path: Path) -> None:
    """Geometry facts of a ``.usdc`` root layer through OpenUSD, when it is installed."""
    try:
        pxr: Any = importlib.import_module("pxr")
        for name in ("Usd", "UsdGeom", "UsdShade"):
            importlib.import_module(f"pxr.{name}")
    except ImportError:
        facts.notes.append("the root layer is binary (.usdc); geometry is read with usd-core only")
        return
    import numpy as np

    usd, geom, shade = pxr.Usd, pxr.UsdGeom, pxr.UsdShade
    stage: Any = usd.Stage.Open(str(path))
    points: list[Any] = []
    triangles = 0
    cache: Any = geom.XformCache()
    for prim in stage.Traverse():
        if prim.IsA(geom.Mesh):
            mesh: Any = geom.Mesh(prim)
            local = np.asarray(mesh.GetPointsAttr().Get() or [], dtype=np.float64).reshape(-1, 3)
            matrix = np.asarray(cache.GetLocalToWorldTransform(prim), dtype=np.float64)
            points.append((np.c_[local, np.ones(len(local))] @ matrix)[:, :3])
            counts = np.asarray(mesh.GetFaceVertexCountsAttr().Get() or [], dtype=np.int64)
            triangles += int(np.sum(np.maximum(counts - 2, 0)))
            facts.meshes.append(prim.GetName())
        elif prim.IsA(shade.Material):
            facts.materials.append(prim.GetName())
    every = np.concatenate(points) if points else np.zeros((0, 3))
    facts.vertex_count = int(every.shape[0])
    facts.triangle_count = triangles
    facts.bounding_box = bounds_of(every)
    facts.up_axis = f"+{geom.GetStageUpAxis(stage)}"
    metres = float(geom.GetStageMetersPerUnit(stage))
    facts.units = _UNITS.get(metres, f"{metres:g} m")


def usdz_facts(path: Path) -> ModelFacts:
    """Facts about a USDZ file.

    Raises:
        OSError: the file cannot be read.
    """
    facts = ModelFacts(path=str(path), format="usdz", file_size=path.stat().st_size)
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            root = entries[0] if entries else None
            refusal = _refusal(package, root)
            if len(entries) <= _MAX_ENTRIES:
                facts.textures = _textures(package)
            if refusal is not None or root is None:
                facts.notes.append(refusal or "the package is empty")
            elif root.filename.lower().endswith(".usdc"):
                _read_binary_layer(facts, path)
            else:
                _read_layer(facts, _read_bounded(package, root))
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as exc:
        facts.notes.append(f"the package could not be read: {exc}")
    return facts
