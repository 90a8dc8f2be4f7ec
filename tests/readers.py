"""Independent readers of converted files: OpenUSD's validators, lib3mf, trimesh.

None of them is the code under test: the USDZ is checked by OpenUSD's validation framework (the
rules ``usdchecker`` runs, the USDZ package rules among them), the 3MF is read back by lib3mf,
and GLB, OBJ and STL by trimesh (the glTF Validator is in :mod:`tests.emulator.formats`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import trimesh
from numpy.typing import NDArray


def _pxr(name: str) -> Any:
    """An OpenUSD module (usd-core ships no type information)."""
    return importlib.import_module(f"pxr.{name}")


def usd_validation_errors(path: Path) -> list[str]:
    """Every error and warning OpenUSD's registered validators find in a USD(Z) file."""
    usd, validation = _pxr("Usd"), _pxr("UsdValidation")
    stage: Any = usd.Stage.Open(str(path))
    registry: Any = validation.ValidationRegistry()
    context: Any = validation.ValidationContext(registry.GetOrLoadAllValidators())
    return [f"{e.GetName()}: {e.GetMessage()}" for e in context.Validate(stage)]


@dataclass(frozen=True)
class UsdFacts:
    up_axis: str
    metres_per_unit: float
    points: NDArray[np.float64]
    texture_files: list[str]


def usd_facts(path: Path) -> UsdFacts:
    """What OpenUSD reads of a USDZ: stage metadata, every mesh point, the textures used."""
    usd, geom, shade = _pxr("Usd"), _pxr("UsdGeom"), _pxr("UsdShade")
    stage: Any = usd.Stage.Open(str(path))
    points: list[NDArray[np.float64]] = []
    textures: list[str] = []
    for prim in stage.Traverse():
        if prim.IsA(geom.Mesh):
            points.append(np.asarray(geom.Mesh(prim).GetPointsAttr().Get(), dtype=np.float64))
        shader: Any = shade.Shader(prim)
        if shader and shader.GetIdAttr().Get() == "UsdUVTexture":
            textures.append(str(shader.GetInput("file").Get().path))
    return UsdFacts(
        up_axis=str(geom.GetStageUpAxis(stage)),
        metres_per_unit=float(geom.GetStageMetersPerUnit(stage)),
        points=np.concatenate(points),
        texture_files=textures,
    )


@dataclass(frozen=True)
class ThreeMfFacts:
    unit: str
    points: NDArray[np.float64]
    triangles: int


def three_mf_facts(path: Path) -> ThreeMfFacts:
    """What lib3mf reads back of a 3MF file."""
    lib3mf: Any = importlib.import_module("lib3mf")
    wrapper: Any = lib3mf.get_wrapper()
    model: Any = wrapper.CreateModel()
    model.QueryReader("3mf").ReadFromFile(str(path))
    meshes: Any = model.GetMeshObjects()
    points: list[list[float]] = []
    triangles = 0
    while meshes.MoveNext():
        mesh: Any = meshes.GetCurrentMeshObject()
        points += [list(p.Coordinates) for p in mesh.GetVertices()]
        triangles += int(mesh.GetTriangleCount())
    value = int(model.GetUnit())
    unit = next(name for name in dir(lib3mf.ModelUnit) if getattr(lib3mf.ModelUnit, name) == value)
    return ThreeMfFacts(unit=unit, points=np.array(points, dtype=np.float64), triangles=triangles)


def trimesh_of(path: Path, file_type: str | None = None) -> trimesh.Trimesh:
    """A file as trimesh reads it, as one mesh."""
    loaded: object = trimesh.load(  # pyright: ignore[reportUnknownMemberType]
        str(path), file_type=file_type, force="mesh", process=False
    )
    assert isinstance(loaded, trimesh.Trimesh)
    return loaded


def welded_watertight(mesh: trimesh.Trimesh) -> bool:
    """Whether trimesh finds the surface closed once corners at one position are one vertex."""
    welded = mesh.copy()
    welded.merge_vertices(merge_tex=True, merge_norm=True)  # pyright: ignore[reportUnknownMemberType]
    return bool(welded.is_watertight)
