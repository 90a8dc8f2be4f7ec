"""A USDZ package read with OpenUSD (usd-core) into one triangle mesh, +Y up, in metres.

Every ``Mesh`` prim of the default scene is read with its world transform; polygons are split
into fans; ``primvars:st`` is kept whatever its interpolation (corners are split, so any
interpolation becomes per vertex); the first base-colour texture of a ``UsdPreviewSurface`` is
kept. The stage's ``upAxis`` and ``metersPerUnit`` are honoured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rodin_mcp.errors import ConversionError
from rodin_mcp.model.conversion.libraries import optional_module
from rodin_mcp.model.conversion.placement import z_up_to_y_up
from rodin_mcp.model.conversion.reading import SourceModel
from rodin_mcp.model.mesh import Material, Mesh, vertex_normals

__all__ = ["read_usdz"]

_MAX_CORNERS = 30_000_000


def read_usdz(path: Path) -> SourceModel:
    """The meshes of a USDZ package as one :class:`SourceModel`.

    Raises:
        ConversionError: the package cannot be opened or holds no mesh.
        ConverterMissingError: usd-core is not installed.
    """
    pxr = optional_module("pxr", "Reading USDZ")
    for name in ("Usd", "UsdGeom", "UsdShade", "Ar"):
        optional_module(f"pxr.{name}", "Reading USDZ")
    try:
        stage = pxr.Usd.Stage.Open(str(path))
    except Exception as exc:  # OpenUSD raises its own Tf.ErrorException
        raise ConversionError(f"The USDZ package cannot be opened: {exc}") from None
    cache = pxr.UsdGeom.XformCache()
    pieces: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
    texture: bytes | None = None
    corners_total = 0
    for prim in stage.Traverse():
        if not prim.IsA(pxr.UsdGeom.Mesh):
            continue
        piece = _corners(pxr, prim, cache)
        if piece is None:
            continue
        corners_total += len(piece[0])
        if corners_total > _MAX_CORNERS:
            raise ConversionError("The USDZ package holds too many polygons to convert here.")
        pieces.append(piece)
        texture = texture or _base_colour(pxr, prim)
    if not pieces:
        raise ConversionError("The USDZ package holds no mesh.")
    positions = np.concatenate([p for p, _ in pieces])
    uvs = np.concatenate([u for _, u in pieces])
    faces = np.arange(len(positions), dtype=np.int64).reshape(-1, 3)
    mesh = Mesh(
        positions=positions.astype(np.float32),
        normals=vertex_normals(positions, faces),
        uvs=uvs.astype(np.float32),
        triangles=faces.astype(np.uint32),
        material=Material(name="material", base_color_png=texture) if texture else None,
        name=path.stem[:64] or "model",
    )
    up = str(pxr.UsdGeom.GetStageUpAxis(stage))
    metres = float(pxr.UsdGeom.GetStageMetersPerUnit(stage))
    return SourceModel(z_up_to_y_up(mesh) if up == "Z" else mesh, metres)


def _corners(
    pxr: Any, prim: Any, cache: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """The mesh's triangles as corner positions (world space) and UVs (glTF convention)."""
    mesh = pxr.UsdGeom.Mesh(prim)
    points = np.asarray(mesh.GetPointsAttr().Get() or [], dtype=np.float64).reshape(-1, 3)
    counts = np.asarray(mesh.GetFaceVertexCountsAttr().Get() or [], dtype=np.int64)
    indices = np.asarray(mesh.GetFaceVertexIndicesAttr().Get() or [], dtype=np.int64)
    if len(points) == 0 or len(counts) == 0 or counts.sum() != len(indices) or counts.min() < 3:
        return None
    if indices.min() < 0 or indices.max() >= len(points):
        raise ConversionError("A USDZ mesh refers to a point that does not exist.")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    fans = [
        np.stack([starts[counts > k], starts[counts > k] + k, starts[counts > k] + k + 1], axis=1)
        for k in range(1, int(counts.max()) - 1)
    ]
    corner = np.concatenate(fans).reshape(-1)
    matrix = np.asarray(cache.GetLocalToWorldTransform(prim), dtype=np.float64)
    world = np.c_[points, np.ones(len(points))] @ matrix
    positions = world[indices[corner], :3]
    return positions, _uvs(pxr, mesh, indices, corner, len(points), len(counts), counts)


def _uvs(
    pxr: Any,
    mesh: Any,
    indices: NDArray[np.int64],
    corner: NDArray[np.int64],
    point_count: int,
    face_count: int,
    counts: NDArray[np.int64],
) -> NDArray[np.float64]:
    zeros = np.zeros((len(corner), 2))
    primvar = pxr.UsdGeom.PrimvarsAPI(mesh).GetPrimvar("st")
    if not primvar or not primvar.HasValue():
        return zeros
    values = np.asarray(primvar.ComputeFlattened() or [], dtype=np.float64).reshape(-1, 2)
    interpolation = str(primvar.GetInterpolation())
    if interpolation == "faceVarying" and len(values) == len(indices):
        st = values[corner]
    elif interpolation in ("vertex", "varying") and len(values) == point_count:
        st = values[indices[corner]]
    elif interpolation == "uniform" and len(values) == face_count:
        st = np.repeat(values, counts, axis=0)[corner]
    else:
        return zeros
    return np.stack([st[:, 0], 1.0 - st[:, 1]], axis=1)


def _base_colour(pxr: Any, prim: Any) -> bytes | None:
    """The bytes of the texture feeding the bound preview surface's diffuse colour, if any."""
    material = pxr.UsdShade.MaterialBindingAPI(prim).ComputeBoundMaterial()[0]
    if not material:
        return None
    found: list[Any] = []
    for node in pxr.Usd.PrimRange(material.GetPrim()):
        shader = pxr.UsdShade.Shader(node)
        if shader and shader.GetIdAttr().Get() == "UsdUVTexture":
            found.append(shader)
    # The colour texture is the one read in sRGB; normal and roughness maps are raw.
    found.sort(key=lambda s: str(s.GetInput("sourceColorSpace").Get() or "") != "sRGB")
    for shader in found:
        file_input = shader.GetInput("file")
        asset = file_input.Get() if file_input else None
        resolved = getattr(asset, "resolvedPath", "") if asset is not None else ""
        if not resolved:
            continue
        buffer = pxr.Ar.GetResolver().OpenAsset(pxr.Ar.ResolvedPath(resolved))
        if buffer is None:
            continue
        return bytes(memoryview(buffer.GetBuffer()))
    return None
